use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"), exponential(n = 3, initial = "1s"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
