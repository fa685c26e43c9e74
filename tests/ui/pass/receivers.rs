use reattempt::retry;

struct Counter {
    n: u32,
}

impl Counter {
    #[retry(constant(n = 2, delay = "1ms"))]
    fn by_ref(&self) -> Result<u32, ()> {
        Ok(self.n)
    }

    #[retry(constant(n = 2, delay = "1ms"))]
    fn by_mut(&mut self) -> Result<u32, ()> {
        self.n += 1;
        if self.n < 2 { Err(()) } else { Ok(self.n) }
    }

    // `self` by value is only borrowed by each attempt, so it can run again.
    #[retry(constant(n = 2, delay = "1ms"))]
    fn by_value(self) -> Result<u32, ()> {
        Ok(self.n)
    }

    #[retry(constant(n = 2, delay = "1ms"))]
    fn boxed(self: Box<Self>) -> Result<u32, ()> {
        Ok(self.n)
    }

    #[retry(constant(n = 2, delay = "1ms"))]
    fn rc(self: std::rc::Rc<Self>) -> Result<u32, ()> {
        Ok(self.n)
    }

    #[retry(constant(n = 2, delay = "1ms"))]
    async fn by_mut_async(&mut self) -> Result<u32, ()> {
        self.n += 1;
        Ok(self.n)
    }

    #[retry(constant(n = 2, delay = "1ms"))]
    fn make() -> Result<Self, ()> {
        Ok(Self { n: 0 })
    }
}

fn main() {
    let mut c = Counter { n: 0 };
    let _ = c.by_ref();
    let _ = c.by_mut();
    drop(c.by_mut_async());
    let _ = c.by_value();
    let _ = Box::new(Counter { n: 1 }).boxed();
    let _ = std::rc::Rc::new(Counter { n: 1 }).rc();
    let _ = Counter::make();
}
