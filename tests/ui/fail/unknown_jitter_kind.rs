use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"), jitter = ful)]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
