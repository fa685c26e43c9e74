use reattempt::retry;

#[derive(Debug)]
enum MyError {
    Auth,
}

#[derive(Debug)]
enum OtherError {
    Auth,
}

#[retry(constant(n = 3, delay = "1ms"), blacklist(OtherError::Auth))]
fn f() -> Result<u32, MyError> {
    Err(MyError::Auth)
}

fn main() {
    let _ = OtherError::Auth;
}
