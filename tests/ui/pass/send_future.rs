use reattempt::retry;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

#[derive(Debug)]
struct MyError;

impl From<reattempt::Elapsed> for MyError {
    fn from(_: reattempt::Elapsed) -> Self {
        MyError
    }
}

fn assert_send<T: Send>(_: T) {}

struct Service {
    calls: AtomicU32,
}

impl Service {
    #[retry(
        exponential(n = 3, initial = "1ms", max = "10ms"),
        jitter = full,
        timeout = "1s",
        attempt_timeout = "100ms",
        on_retry = |_e, _info| {},
        retry_after = |_e| Some(Duration::from_millis(1)),
    )]
    async fn call(&self, id: &str) -> Result<String, MyError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        tokio::task::yield_now().await;
        Ok(id.to_owned())
    }
}

#[retry(constant(n = 2, delay = "1ms"))]
async fn plain(x: u32) -> Result<u32, MyError> {
    tokio::task::yield_now().await;
    Ok(x)
}

fn main() {
    let service = Service { calls: AtomicU32::new(0) };
    assert_send(service.call("a"));
    assert_send(plain(1));
}
