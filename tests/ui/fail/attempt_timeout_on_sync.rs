use reattempt::retry;

#[derive(Debug)]
struct MyError;

impl From<reattempt::Elapsed> for MyError {
    fn from(_: reattempt::Elapsed) -> Self {
        MyError
    }
}

#[retry(constant(n = 3, delay = "1s"), attempt_timeout = "2s")]
fn f() -> Result<(), MyError> {
    Ok(())
}

fn main() {}
