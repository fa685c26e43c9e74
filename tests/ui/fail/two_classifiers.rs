use reattempt::retry;

#[derive(Debug)]
enum MyError {
    Auth,
    Busy,
}

#[retry(constant(n = 3, delay = "1s"), blacklist(MyError::Auth), retry_if = |e: &MyError| matches!(e, MyError::Busy))]
fn f() -> Result<(), MyError> {
    Ok(())
}

fn main() {}
