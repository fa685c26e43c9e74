use reattempt::retry;

#[retry(exponential(n = 3, initial = "2s", max = "500ms"))]
fn f() -> Result<(), ()> {
    Ok(())
}

fn main() {}
