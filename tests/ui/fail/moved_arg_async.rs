use reattempt::retry;

#[retry(constant(n = 3, delay = "1ms"))]
async fn f(s: String) -> Result<usize, ()> {
    let n = s.len();
    drop(s);
    Ok(n)
}

fn main() {}
