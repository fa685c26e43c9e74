//! Every option under `#![deny(warnings, clippy::pedantic)]` (rustc ignores
//! the clippy part; `cargo clippy` runs the same shapes in `tests/`).
#![deny(warnings, clippy::pedantic)]

use reattempt::{retry, Budget, RetryInfo};
use std::time::Duration;

static BUDGET: Budget = Budget::new(10, 0.1);

/// An error.
#[derive(Debug, PartialEq)]
pub enum MyError {
    /// Never retried.
    Auth,
    /// Retried.
    Busy,
    /// HTTP-like.
    Http { status: u16 },
    /// A timed-out attempt.
    Elapsed,
}

impl From<reattempt::Elapsed> for MyError {
    fn from(_: reattempt::Elapsed) -> Self {
        MyError::Elapsed
    }
}

fn log(_err: &MyError, _info: &RetryInfo) {}

fn record(_pause: Duration) {}

fn record_async(_pause: Duration) -> std::future::Ready<()> {
    std::future::ready(())
}

/// Constant, blacklist with several patterns, jitter factor, attempt, sleep.
///
/// # Errors
/// When it fails.
#[retry(
    constant(n = 3, delay = "250ms"),
    blacklist(MyError::Auth, MyError::Http { status: 400..=499 }),
    jitter = 0.2,
    attempt = k,
    sleep = record,
)]
pub fn constant_all(x: u32) -> Result<u32, MyError> {
    if k < 1 { Err(MyError::Busy) } else { Ok(x + k) }
}

/// Exponential with max and factor, whitelist, full jitter, forever + timeout, budget.
///
/// # Errors
/// When it fails.
#[retry(
    exponential(n = 4, initial = "100ms", max = "2s", factor = 3),
    whitelist(MyError::Busy | MyError::Elapsed),
    jitter = full,
    forever,
    timeout = "30s",
    budget = &BUDGET,
    sleep = record,
)]
pub fn exponential_all() -> Result<u32, MyError> {
    Ok(1)
}

/// Fibonacci, `retry_if`, `retry_ok`, `on_retry`, `retry_after`, equal jitter.
///
/// # Errors
/// When it fails.
#[retry(
    fibonacci(n = 5, initial = "1s", max = "1m"),
    retry_if = |e: &MyError| *e == MyError::Busy,
    retry_ok = |v: &u32| *v == 503,
    on_retry = log,
    retry_after = |_e: &MyError| Some(Duration::from_secs(1)),
    jitter = equal,
    sleep = record,
)]
pub fn fibonacci_all() -> Result<u32, MyError> {
    Ok(200)
}

/// Custom schedule, expression durations and counts, decorrelated jitter.
///
/// # Errors
/// When it fails.
#[retry(schedule = [Duration::from_millis(1), Duration::from_millis(2)], jitter = decorrelated, sleep = record)]
pub fn custom() -> Result<(), MyError> {
    Ok(())
}

const RETRIES: u32 = 2;
const FIRST: Duration = Duration::from_millis(5);

/// `n` and durations as expressions.
///
/// # Errors
/// When it fails.
#[retry(exponential(n = RETRIES, initial = FIRST, max = Duration::from_secs(1)), timeout = FIRST, sleep = record)]
pub fn expressions() -> Result<(), MyError> {
    Ok(())
}

/// Async with every async-only option and the default sleep.
///
/// # Errors
/// When it fails.
#[retry(
    exponential(n = 3, initial = "10ms"),
    blacklist(MyError::Auth),
    attempt_timeout = "2s",
    timeout = "10s",
    on_retry = log,
    attempt = k,
)]
pub async fn async_all(x: u32) -> Result<u32, MyError> {
    Ok(x + k)
}

/// Async with a custom sleep.
///
/// # Errors
/// When it fails.
#[retry(constant(n = 1, delay = "1ms"), sleep = record_async, attempt_timeout = "1s")]
pub async fn async_custom_sleep() -> Result<(), MyError> {
    Ok(())
}

/// A method with `&mut self`.
pub struct Client {
    calls: u32,
}

impl Client {
    /// Counts calls.
    ///
    /// # Errors
    /// When it fails.
    #[retry(constant(n = 2, delay = "1ms"), sleep = record)]
    pub fn call(&mut self) -> Result<u32, MyError> {
        self.calls += 1;
        Ok(self.calls)
    }
}

fn main() {
    let _ = constant_all(1);
    let _ = exponential_all();
    let _ = fibonacci_all();
    let _ = custom();
    let _ = expressions();
    drop(async_all(1));
    drop(async_custom_sleep());
    let _ = Client { calls: 0 }.call();
}
