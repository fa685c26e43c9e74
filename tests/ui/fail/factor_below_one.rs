use reattempt::retry;

#[retry(exponential(n = 3, initial = "1s", factor = 0.5))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
