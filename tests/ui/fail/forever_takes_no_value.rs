use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"), forever = true, timeout = "1m")]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
