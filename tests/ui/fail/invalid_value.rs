use reattempt::retry;

// The value does not parse: the error points at it, not at the attribute's end.
#[retry(constant(n = 1, delay = "1s"), jitter = 20%)]
fn f() -> Result<(), ()> {
    Err(())
}

fn main() {}
