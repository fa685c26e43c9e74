use reattempt::retry;

#[derive(Debug)]
struct MyError;

#[retry(constant(n = 3, delay = "1s"), attempt_timeout = "2s")]
async fn f() -> Result<(), MyError> {
    Ok(())
}

fn main() {}
