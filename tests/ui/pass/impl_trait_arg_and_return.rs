use reattempt::retry;
use std::fmt::Display;

#[retry(constant(n = 2, delay = "1ms"))]
fn show(value: impl Display) -> Result<impl Display, String> {
    Ok(format!("<{value}>"))
}

#[retry(constant(n = 2, delay = "1ms"))]
fn evens(limit: u32) -> Result<impl Iterator<Item = u32>, ()> {
    Ok((0..limit).filter(|n| n % 2 == 0))
}

#[retry(constant(n = 2, delay = "1ms"), sleep = tokio::time::sleep)]
async fn show_async(value: impl Display + Send) -> Result<impl Display, String> {
    Ok(value.to_string())
}

fn main() {
    let _ = show(1);
    let _ = evens(10).map(Iterator::count);
    drop(show_async(1));
}
