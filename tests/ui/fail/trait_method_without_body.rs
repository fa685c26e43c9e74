use reattempt::retry;

trait Fetch {
    #[retry(constant(n = 3, delay = "1s"))]
    fn fetch(&self) -> Result<u32, ()>;
}

fn main() {}
