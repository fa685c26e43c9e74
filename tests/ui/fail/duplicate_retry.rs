use reattempt::retry;

// Two policies on one function would nest two loops: 2 × 3 attempts.
#[retry(constant(n = 1, delay = "1s"))]
#[retry(constant(n = 2, delay = "1s"))]
fn f() -> Result<(), ()> {
    Err(())
}

fn main() {}
