use reattempt::retry;

#[retry(constant(n = 3, delay = "1s"))]
const fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
