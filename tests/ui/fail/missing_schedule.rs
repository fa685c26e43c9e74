use reattempt::retry;

#[retry(timeout = "10s")]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
