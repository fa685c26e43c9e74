use reattempt as r;

#[r::retry(constant(n = 2, delay = "1ms"), crate = r)]
fn f() -> Result<u32, ()> {
    Ok(1)
}

mod inner {
    pub(crate) use reattempt as renamed;
}

#[inner::renamed::retry(exponential(n = 2, initial = "1ms"), crate = inner::renamed)]
fn g() -> Result<u32, ()> {
    Ok(2)
}

fn main() {
    let _ = f();
    let _ = g();
}
