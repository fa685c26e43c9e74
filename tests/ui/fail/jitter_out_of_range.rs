use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"), jitter = 1.5)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
