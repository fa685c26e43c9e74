use reattempt::retry;

#[retry(constant(n = -1, delay = "1s"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
