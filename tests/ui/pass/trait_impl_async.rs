use reattempt::retry;

trait Fetch {
    fn fetch(&self, id: u32) -> Result<String, String>;
    async fn fetch_async(&self, id: u32) -> Result<String, String>;
}

struct Client;

impl Fetch for Client {
    #[retry(exponential(n = 3, initial = "1ms"))]
    fn fetch(&self, id: u32) -> Result<String, String> {
        Ok(format!("{id}"))
    }

    #[retry(exponential(n = 3, initial = "1ms"), attempt = k)]
    async fn fetch_async(&self, id: u32) -> Result<String, String> {
        Ok(format!("{id} after {k} retries"))
    }
}

fn main() {
    let _ = Client.fetch(1);
    drop(Client.fetch_async(1));
}
