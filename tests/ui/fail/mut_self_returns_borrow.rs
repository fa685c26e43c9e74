// Known limit (NLL, a conditional return of a borrow inside a loop): a
// `&mut self` method cannot return a borrow of `self`. `&self` can.
use reattempt::retry;

struct Cache {
    value: String,
}

impl Cache {
    #[retry(constant(n = 3, delay = "1ms"))]
    fn get_mut(&mut self) -> Result<&mut String, ()> {
        Ok(&mut self.value)
    }
}

fn main() {}
