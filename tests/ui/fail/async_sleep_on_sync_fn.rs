use reattempt::retry;

// A sync fn needs a `fn(Duration)`: tokio's sleep returns a future that
// nothing would await (the pause would silently not happen).
#[retry(constant(n = 1, delay = "1s"), sleep = tokio::time::sleep)]
fn f() -> Result<(), ()> {
    Err(())
}

fn main() {}
