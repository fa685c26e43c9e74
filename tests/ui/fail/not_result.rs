use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"))]
fn f() -> u32 {
    7
}

fn main() {}
