use reattempt::retry;
use std::fmt::Debug;

#[retry(constant(n = 2, delay = "1ms"))]
fn parse<T, E>(text: &str) -> Result<T, E>
where
    T: std::str::FromStr<Err = E>,
    E: Debug,
{
    text.parse::<T>()
}

struct Wrapper<T>(T);

impl<T: Clone + Debug> Wrapper<T> {
    #[retry(exponential(n = 2, initial = "1ms"))]
    fn get<E>(&self) -> Result<T, E>
    where
        E: From<String>,
    {
        Ok(self.0.clone())
    }
}

#[retry(constant(n = 1, delay = "1ms"))]
fn with_const<const N: usize>(values: [u8; N]) -> Result<usize, ()> {
    Ok(values.len())
}

fn main() {
    let _: Result<u32, _> = parse::<u32, _>("7");
    let _: Result<u8, String> = Wrapper(1u8).get();
    let _ = with_const([1, 2, 3]);
}
