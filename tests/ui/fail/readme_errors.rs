// The two mistakes shown in the README, reported at once.
use reattempt::retry;

#[retry(exponentail(n = 3, initial = "1s"), jitter = 1.5)]
fn f() -> Result<(), ()> {
    Err(())
}

fn main() {}
