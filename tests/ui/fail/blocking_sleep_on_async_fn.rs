use reattempt::retry;

// An async fn needs an async sleep: `std::thread::sleep` would block the executor.
#[retry(constant(n = 1, delay = "1s"), sleep = std::thread::sleep)]
async fn f() -> Result<(), ()> {
    Err(())
}

fn main() {}
