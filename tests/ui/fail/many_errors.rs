use reattempt::retry;

#[retry(exponential(n = 3, initial = "1x"), jitter = 2.0, blaklist(E::A), timeout = "10s", timeout = "1s")]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
