use reattempt::retry;

#[retry(constant(n = 3, delay = 500))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
