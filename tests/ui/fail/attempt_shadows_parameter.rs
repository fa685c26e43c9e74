use reattempt::retry;

// `attempt = a` would silently replace the parameter `a` in the body.
#[retry(constant(n = 1, delay = "1s"), attempt = a)]
fn f(a: u32) -> Result<u32, ()> {
    Ok(a)
}

fn main() {}
