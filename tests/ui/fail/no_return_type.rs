use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"))]
fn f() {}

fn main() {}
