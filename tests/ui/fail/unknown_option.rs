use reattempt::retry;

#[retry(exponentail(n = 3, initial = "1s"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
