use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"), timeout = "10s", timeout = "20s")]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
