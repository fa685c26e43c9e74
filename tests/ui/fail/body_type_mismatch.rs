use reattempt::retry;

#[retry(constant(n = 3, delay = "1ms"))]
fn f() -> Result<u32, String> {
    Ok("seven")
}

fn main() {}
