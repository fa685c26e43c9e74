use reattempt::retry;

#[retry(exponential(initial = "1s"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
