#![deny(dead_code)]

use reattempt::retry;

#[retry(constant(n = 3, delay = "1ms"))]
fn unused() -> Result<u32, ()> {
    Ok(1)
}

fn main() {}
