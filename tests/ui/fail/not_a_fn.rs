use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"))]
struct S {
    x: u32,
}

fn main() {}
