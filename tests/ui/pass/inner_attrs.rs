#![deny(unused_variables, unused_mut)]

use reattempt::retry;

#[retry(constant(n = 2, delay = "1ms"))]
fn sync_fn() -> Result<u32, ()> {
    #![allow(unused_variables)]
    let unused = 1;
    Ok(2)
}

#[retry(constant(n = 2, delay = "1ms"))]
async fn async_fn() -> Result<u32, ()> {
    #![allow(unused_mut)]
    let mut x = 1;
    Ok(x)
}

/// Documented.
#[retry(constant(n = 2, delay = "1ms"))]
#[inline]
#[must_use = "the result says whether it worked"]
fn outer_attrs_kept() -> Result<u32, ()> {
    Ok(3)
}

fn main() {
    let _ = sync_fn();
    drop(async_fn());
    let _ = outer_attrs_kept();
}
