//! `#[retry]` on `async fn`: virtual-time pauses, custom async sleepers,
//! `Send` futures, cancellation by drop, and the time limits.

use reattempt::{retry, Elapsed, RetryInfo};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

mod common;
use common::{calls, ms, pauses, record, secs, tick};

/// A custom async sleeper: records the pause, lets no time pass.
async fn my_async_sleep(d: Duration) {
    record(d);
    tokio::task::yield_now().await;
}

#[derive(Debug, PartialEq, Eq)]
enum E {
    Busy(u32),
    Fatal,
    TimedOut,
}

impl From<Elapsed> for E {
    fn from(_: Elapsed) -> Self {
        E::TimedOut
    }
}

/// `Err(Busy(run))` until run `ok_at`.
fn gate(ok_at: u32) -> Result<u32, E> {
    let run = tick();
    if run < ok_at {
        Err(E::Busy(run))
    } else {
        Ok(run)
    }
}

// ------------------------------------------------ virtual time, tokio sleep

#[retry(exponential(n = 3, initial = "1s"))]
async fn exp(ok_at: u32) -> Result<u32, E> {
    tokio::task::yield_now().await;
    gate(ok_at)
}

#[tokio::test(start_paused = true)]
async fn elapsed_is_exactly_the_sum_of_pauses() {
    let start = Instant::now();
    assert_eq!(exp(u32::MAX).await, Err(E::Busy(3)));
    assert_eq!(calls(), 4);
    assert_eq!(start.elapsed(), secs(1 + 2 + 4));
}

#[tokio::test(start_paused = true)]
async fn success_stops_the_pauses() {
    let start = Instant::now();
    assert_eq!(exp(2).await, Ok(2));
    assert_eq!(calls(), 3);
    assert_eq!(start.elapsed(), secs(1 + 2));
    let start = Instant::now();
    assert_eq!(exp(0).await, Ok(0));
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[retry(fibonacci(n = 4, initial = "100ms"), attempt = k)]
async fn slow_body(ok_at: u32) -> Result<u32, E> {
    tick();
    tokio::time::sleep(ms(10)).await;
    if k < ok_at {
        return Err(E::Busy(k));
    }
    Ok(k)
}

#[tokio::test(start_paused = true)]
async fn elapsed_counts_bodies_and_pauses() {
    let start = Instant::now();
    assert_eq!(slow_body(9).await, Err(E::Busy(4)));
    assert_eq!(calls(), 5);
    assert_eq!(start.elapsed(), ms(5 * 10 + 100 + 100 + 200 + 300));
}

// ----------------------------------------------------- custom async sleep

#[retry(exponential(n = 3, initial = "250ms", max = "600ms"), sleep = my_async_sleep)]
async fn custom_sleep(ok_at: u32) -> Result<u32, E> {
    gate(ok_at)
}

#[retry(constant(n = 2, delay = "1h"), sleep = |d| async move { record(d * 2) })]
async fn closure_sleep() -> Result<u32, E> {
    gate(u32::MAX)
}

#[tokio::test(start_paused = true)]
async fn custom_async_sleeper_gets_the_pauses() {
    let start = Instant::now();
    assert_eq!(custom_sleep(u32::MAX).await, Err(E::Busy(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(250), ms(500), ms(600)]);
    assert_eq!(custom_sleep(1).await, Ok(1));
    assert_eq!(pauses(), [ms(250)]);
    assert_eq!(calls(), 2);
    assert_eq!(closure_sleep().await, Err(E::Busy(2)));
    assert_eq!(pauses(), [secs(7200); 2]);
    // The custom sleepers never touched the clock.
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[test]
fn custom_sleep_needs_no_tokio_runtime() {
    // A hand-rolled executor: the retried future only needs the sleeper's.
    let fut = custom_sleep(2);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut fut = std::pin::pin!(fut);
    let out = loop {
        if let std::task::Poll::Ready(out) = std::future::Future::poll(fut.as_mut(), &mut cx) {
            break out;
        }
    };
    assert_eq!(out, Ok(2));
    assert_eq!(pauses(), [ms(250), ms(500)]);
}

// ---------------------------------------------------------------- shapes

struct Conn {
    misses: u32,
    log: Vec<u32>,
}

impl Conn {
    #[retry(constant(n = 5, delay = "1s"), blacklist(E::Fatal), attempt = k)]
    async fn send(&mut self, payload: &str) -> Result<usize, E> {
        self.log.push(k);
        tokio::task::yield_now().await;
        if self.misses > 0 {
            self.misses -= 1;
            Err(E::Busy(k))?;
        }
        Ok(payload.len())
    }
}

#[tokio::test(start_paused = true)]
async fn mut_self_persists_and_question_mark_ends_the_attempt() {
    let start = Instant::now();
    let mut c = Conn {
        misses: 2,
        log: vec![],
    };
    assert_eq!(c.send("hello").await, Ok(5));
    assert_eq!(c.log, [0, 1, 2]);
    assert_eq!(c.misses, 0);
    assert_eq!(start.elapsed(), secs(2));
}

#[retry(constant(n = 2, delay = "5ms"))]
async fn lookup<'a, K>(map: &'a HashMap<K, String>, key: &K) -> Result<&'a str, E>
where
    K: Eq + std::hash::Hash,
{
    gate(1)?;
    map.get(key).map(String::as_str).ok_or(E::Fatal)
}

#[retry(constant(n = 2, delay = "5ms"))]
async fn shown(x: impl Display + Send) -> Result<impl Display, E> {
    gate(1)?;
    Ok(format!("<{x}>"))
}

#[retry(constant(n = 2, delay = "5ms"))]
async fn boxed(x: u32) -> Result<Box<dyn Display + Send>, E> {
    if gate(1).is_err() {
        return Err(E::Busy(x));
    }
    Ok(Box::new(x))
}

#[tokio::test(start_paused = true)]
async fn generics_lifetimes_and_impl_trait() {
    let start = Instant::now();
    let map = HashMap::from([(1, "one".to_owned())]);
    assert_eq!(lookup(&map, &1).await, Ok("one"));
    assert_eq!(calls(), 2);
    assert_eq!(lookup(&map, &2).await, Err(E::Fatal));
    assert_eq!(calls(), 3);
    assert_eq!(shown(7).await.map(|d| d.to_string()), Ok("<7>".to_owned()));
    assert_eq!(calls(), 2);
    assert_eq!(boxed(4).await.map(|d| d.to_string()), Ok("4".to_owned()));
    assert_eq!(start.elapsed(), ms(5 + 5 + 5 + 5 + 5));
}

struct Named {
    name: String,
    ok_at: u32,
}

impl Named {
    // repro: `Ok(&self.name)` did not coerce to `Result<&str, E>` in an
    // async attempt (E0271: resolves to `Result<&String, _>`).
    #[retry(constant(n = 3, delay = "1s"))]
    async fn name(&self) -> Result<&str, E> {
        gate(self.ok_at)?;
        Ok(&self.name)
    }

    // By value: the body uses `self` by reference only.
    #[retry(constant(n = 3, delay = "1s"))]
    async fn into_len(self) -> Result<usize, E> {
        gate(self.ok_at)?;
        Ok(self.name.len())
    }
}

// `mut` parameters keep their mutations across attempts, as in a sync fn.
#[retry(constant(n = 3, delay = "1s"))]
async fn countdown(mut left: u32) -> Result<u32, E> {
    tokio::task::yield_now().await;
    left -= 1;
    if left > 0 {
        return Err(E::Busy(left));
    }
    Ok(left)
}

#[retry(constant(n = 3, delay = "1s"), attempt = k)]
async fn boxed_error(inputs: &[&str]) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    tokio::task::yield_now().await;
    let s = inputs[k as usize];
    if s.is_empty() {
        return Err("empty".into());
    }
    Ok(s.parse::<u32>()?)
}

#[tokio::test(start_paused = true)]
async fn question_mark_into_a_boxed_error() {
    let start = Instant::now();
    assert_eq!(boxed_error(&["", "x", "5"]).await.ok(), Some(5));
    assert_eq!(start.elapsed(), secs(2));
    let last = boxed_error(&["1x", "", "x", ""])
        .await
        .map_err(|e| e.to_string());
    assert_eq!(last, Err("empty".to_owned()));
    assert_eq!(start.elapsed(), secs(2 + 3));
}

#[tokio::test(start_paused = true)]
async fn receivers_and_mut_params() {
    let start = Instant::now();
    let n = Named {
        name: "abc".to_owned(),
        ok_at: 1,
    };
    assert_eq!(n.name().await, Ok("abc"));
    assert_eq!(calls(), 2);
    assert_eq!(n.into_len().await, Ok(3));
    assert_eq!(calls(), 2);
    assert_eq!(countdown(3).await, Ok(0));
    assert_eq!(start.elapsed(), secs(1 + 1 + 2));
}

/// A trait whose method must return a `Send` future; the impl writes an
/// `async fn` with `#[retry]`.
trait Api {
    fn call(&self, ok_at: u32) -> impl std::future::Future<Output = Result<u32, E>> + Send;
}

struct Remote;

impl Api for Remote {
    #[retry(exponential(n = 2, initial = "1s"), blacklist(E::Fatal), attempt = k)]
    async fn call(&self, ok_at: u32) -> Result<u32, E> {
        tokio::task::yield_now().await;
        if k < ok_at {
            Err(E::Busy(k))
        } else {
            Ok(k)
        }
    }
}

#[tokio::test(start_paused = true)]
async fn async_fn_in_trait_impl_with_send_bound() {
    let start = Instant::now();
    assert_eq!(
        tokio::spawn(async { Remote.call(2).await }).await.ok(),
        Some(Ok(2))
    );
    assert_eq!(start.elapsed(), secs(1 + 2));
    assert_eq!(Remote.call(5).await, Err(E::Busy(2)));
}

// ------------------------------------------------------------------ Send

fn assert_send<T: Send>(_: &T) {}

static SPAWNED: AtomicU32 = AtomicU32::new(0);

#[retry(
    exponential(n = 3, initial = "1ms", max = "2ms"),
    jitter = 0.5,
    timeout = "10s",
    whitelist(E::Busy(_)),
    on_retry = |_, _| {},
    retry_after = |_| None,
    retry_ok = |v: &String| v.is_empty(),
    attempt = k
)]
async fn spawnable(label: String, shared: Arc<Mutex<Vec<u32>>>) -> Result<String, E> {
    SPAWNED.fetch_add(1, Ordering::SeqCst);
    shared.lock().map_err(|_| E::Fatal)?.push(k);
    tokio::task::yield_now().await;
    if k < 2 {
        return Err(E::Busy(k));
    }
    Ok(format!("{label}{k}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn future_is_send_and_spawnable_on_a_multi_thread_runtime() {
    let shared = Arc::new(Mutex::new(Vec::new()));
    let fut = spawnable("x".to_owned(), shared.clone());
    assert_send(&fut);
    let out = tokio::spawn(fut).await.ok();
    assert_eq!(out, Some(Ok("x2".to_owned())));
    assert_eq!(SPAWNED.load(Ordering::SeqCst), 3);
    assert_eq!(shared.lock().map(|v| v.clone()).ok(), Some(vec![0, 1, 2]));
}

#[tokio::test(start_paused = true)]
async fn spawned_on_the_current_thread_runtime() {
    let start = Instant::now();
    let handle = tokio::spawn(exp_owned(2));
    assert_eq!(handle.await.ok(), Some(Ok(2)));
    assert_eq!(start.elapsed(), secs(1 + 2));
    // A `&mut self` method's future is `Send` too.
    let mut c = Conn {
        misses: 0,
        log: vec![],
    };
    assert_send(&c.send("s"));
}

static OWNED_RUNS: AtomicU32 = AtomicU32::new(0);

#[retry(exponential(n = 3, initial = "1s"))]
async fn exp_owned(ok_at: u32) -> Result<u32, E> {
    let run = OWNED_RUNS.fetch_add(1, Ordering::SeqCst);
    tokio::task::yield_now().await;
    if run < ok_at {
        Err(E::Busy(run))
    } else {
        Ok(run)
    }
}

// ---------------------------------------------------------- cancellation

#[tokio::test(start_paused = true)]
async fn dropping_mid_pause_cancels() {
    // Attempts at 0s and 1s; the pause after the second is cut at 1.5s.
    let cut = tokio::time::timeout(ms(1500), exp(u32::MAX)).await;
    assert!(cut.is_err());
    assert_eq!(calls(), 2);
    // Nothing runs after the drop, however long we wait.
    tokio::time::sleep(secs(60)).await;
    assert_eq!(calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn dropping_in_select_cancels() {
    let start = Instant::now();
    tokio::select! {
        r = exp(u32::MAX) => panic!("finished: {r:?}"),
        () = tokio::time::sleep(ms(3500)) => {}
    }
    // Attempts at 0s, 1s and 3s; cut at 3.5s during the 4s pause.
    assert_eq!(start.elapsed(), ms(3500));
    tokio::time::sleep(secs(60)).await;
    assert_eq!(calls(), 3);
}

thread_local! {
    static FINISHED: Cell<u32> = const { Cell::new(0) };
}

#[retry(constant(n = 5, delay = "1s"))]
async fn long_attempts() -> Result<(), E> {
    tick();
    tokio::time::sleep(secs(1)).await;
    FINISHED.with(|f| f.set(f.get() + 1));
    Err(E::Busy(0))
}

#[tokio::test(start_paused = true)]
async fn dropping_mid_attempt_cancels() {
    // Attempt 0: 0s..1s, pause 1s..2s, attempt 1: 2s..3s, cut at 2.5s.
    assert!(tokio::time::timeout(ms(2500), long_attempts())
        .await
        .is_err());
    tokio::time::sleep(secs(60)).await;
    assert_eq!(calls(), 2);
    assert_eq!(FINISHED.with(Cell::get), 1);
}

// --------------------------------------------------------- time limits

#[retry(constant(n = 10, delay = "1s"), timeout = "2.5s", attempt = k)]
async fn with_timeout() -> Result<(), E> {
    tick();
    Err(E::Busy(k))
}

#[tokio::test(start_paused = true)]
async fn timeout_reads_virtual_time() {
    let start = Instant::now();
    // Attempts at 0s, 1s, 2s; a pause from 2s would end at 3s > 2.5s.
    assert_eq!(with_timeout().await, Err(E::Busy(2)));
    assert_eq!(calls(), 3);
    assert_eq!(start.elapsed(), secs(2));
}

#[retry(constant(n = 3, delay = "100ms"), attempt_timeout = "1s", attempt = k)]
async fn with_attempt_timeout(fast_from: u32) -> Result<u32, E> {
    tick();
    if k < fast_from {
        tokio::time::sleep(secs(5)).await;
    }
    Ok(k)
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_drops_slow_attempts() {
    let start = Instant::now();
    assert_eq!(with_attempt_timeout(2).await, Ok(2));
    assert_eq!(calls(), 3);
    assert_eq!(start.elapsed(), ms(1000 + 100 + 1000 + 100));
    let start = Instant::now();
    assert_eq!(with_attempt_timeout(9).await, Err(E::TimedOut));
    assert_eq!(calls(), 4);
    assert_eq!(start.elapsed(), ms(4 * 1000 + 3 * 100));
}

#[tokio::test(start_paused = true)]
async fn on_retry_elapsed_reads_virtual_time() {
    let seen = RefCell::new(Vec::new());
    let out = on_retry_hook(&seen).await;
    assert_eq!(out, Err(E::Busy(2)));
    let infos: Vec<(u32, Duration, Duration)> = seen
        .borrow()
        .iter()
        .map(|i| (i.attempt, i.delay, i.elapsed))
        .collect();
    assert_eq!(infos, [(0, secs(1), ms(10)), (1, secs(2), ms(1020))]);
}

#[retry(exponential(n = 2, initial = "1s"), on_retry = |_, info: &RetryInfo| seen.borrow_mut().push(*info), attempt = k)]
async fn on_retry_hook(seen: &RefCell<Vec<RetryInfo>>) -> Result<(), E> {
    tokio::time::sleep(ms(10)).await;
    Err(E::Busy(k))
}
