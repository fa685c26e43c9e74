use reattempt::retry;

fn consume(s: String) -> Result<usize, ()> {
    Ok(s.len())
}

#[retry(constant(n = 3, delay = "1ms"))]
fn f(s: String) -> Result<usize, ()> {
    consume(s)
}

fn main() {}
