use reattempt::retry;

#[retry(exponential(n = 3, intial = "1s"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
