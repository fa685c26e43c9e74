use reattempt::retry;

#[retry(constant(delay = "1s"), n = 3)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
