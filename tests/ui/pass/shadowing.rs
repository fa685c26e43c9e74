// The body's `use` items and names must not leak into, or be shadowed by,
// the code `#[retry]` generates (tokio-rs/tracing#3306).
#![allow(dead_code)]

use reattempt::retry;

mod core {}
mod std {}

enum Option {
    Some,
    None,
}

struct Duration;

#[derive(Debug)]
enum Error {
    Busy,
}

#[retry(constant(n = 2, delay = "1ms"), blacklist(Error::Busy))]
fn shadowed() -> Result<u32, Error> {
    use self::Option::*;
    use self::Duration as Result;
    let _ = (Some, None, Result);
    Ok(1)
}

#[retry(constant(n = 2, delay = "1ms"))]
fn generated_names(__retry_state: u32, __retry_outcome: u32) -> Result<u32, Error> {
    let __retry_pause = 1;
    Ok(__retry_state + __retry_outcome + __retry_pause)
}

fn main() {
    let _ = shadowed();
    let _ = generated_names(1, 2);
}
