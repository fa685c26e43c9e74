use reattempt::retry;
use std::io;

#[retry(constant(n = 2, delay = "1ms"), retry_if = |e: &io::Error| e.kind() == io::ErrorKind::Interrupted)]
fn read() -> io::Result<Vec<u8>> {
    Ok(Vec::new())
}

type MyResult<T> = std::result::Result<T, String>;

#[retry(constant(n = 2, delay = "1ms"))]
fn mine() -> MyResult<u32> {
    Ok(1)
}

#[retry(constant(n = 2, delay = "1ms"))]
fn fallible() -> anyhow::Result<u32> {
    let n: u32 = "7".parse()?;
    Ok(n)
}

fn main() {
    let _ = read();
    let _ = mine();
    let _ = fallible();
}
