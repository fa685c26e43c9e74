//! What `#[retry]` costs, against a plain call, a hand-written loop and the
//! peers (`backon`, `backoff`, `tokio-retry`), in one run on one machine.
//!
//! ```text
//! cargo bench --bench overhead
//! cargo bench --bench overhead -- a_success_sync      # one group
//! ```
//!
//! Groups (see BENCHMARKS.md for the results and what they mean):
//!
//! - `a_success_sync` / `a_success_async`: the first attempt succeeds, the
//!   common case. The body is tiny, so what is measured is the wrapper.
//! - `b_retry_sync` / `b_retry_async`: two failures, then success, with zero
//!   pauses (`sleep = noop` for the attribute, zero-duration schedules or
//!   no-op sleepers for the peers): the cost of the retry machinery itself.
//! - `c_budget_1_thread` / `c_budget_2_threads`: the same with a shared retry
//!   budget, alone and with two threads hitting the same `static Budget`.
//!
//! Every function is `#[inline(never)]`, so each row pays one real call, as a
//! caller in another module or crate would; the body's input and output go
//! through `black_box` so nothing is computed at compile time.

// The functions measured are shaped as users write them (a `Result` even when
// they cannot fail, an `async fn` pause that does not wait), and the bodies
// are forced inline so every row runs the same instructions.
#![allow(clippy::unnecessary_wraps, clippy::unused_async, clippy::inline_always)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use backon::ConstantBuilder;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use reattempt::{retry, Budget};

/// The error of every variant; every error is retried.
#[derive(Debug, Clone, Copy)]
struct E;

const DELAY: Duration = Duration::from_millis(10);

/// The body of every variant: one multiplication the optimiser cannot see through.
#[inline(always)]
fn work(x: u64) -> u64 {
    black_box(x).wrapping_mul(31)
}

/// The body of the failing rows: `Err` on attempts 0 and 1, then `Ok`.
#[inline(always)]
fn flaky(x: u64, attempt: u32) -> Result<u64, E> {
    if black_box(attempt) < 2 {
        Err(E)
    } else {
        Ok(work(x))
    }
}

fn noop(_: Duration) {}

async fn noop_async(_: Duration) {}

// ---------------------------------------------------------------- sync ----

mod sync {
    use super::{
        flaky, noop, retry, work, AtomicU64, Budget, Duration, Instant, Ordering, DELAY, E,
    };

    /// The limit: the body called directly, no retry at all.
    #[inline(never)]
    pub(super) fn plain(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    /// What a careful user writes by hand: `n = 3`, constant pause.
    #[inline(never)]
    pub(super) fn hand_loop(x: u64) -> Result<u64, E> {
        let mut retries = 0;
        loop {
            match Ok::<u64, E>(work(x)) {
                Ok(v) => return Ok(v),
                Err(_) if retries < 3 => {
                    retries += 1;
                    std::thread::sleep(DELAY);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The hand loop with an overall deadline: reads the clock once per call,
    /// as `timeout` does.
    #[inline(never)]
    pub(super) fn hand_loop_deadline(x: u64) -> Result<u64, E> {
        let start = Instant::now();
        let mut retries = 0;
        let mut delay = DELAY;
        loop {
            match Ok::<u64, E>(work(x)) {
                Ok(v) => return Ok(v),
                Err(_) if retries < 3 && start.elapsed() + delay <= Duration::from_secs(1) => {
                    retries += 1;
                    std::thread::sleep(delay);
                    delay *= 2;
                }
                Err(e) => return Err(e),
            }
        }
    }

    #[retry(constant(n = 3, delay = "10ms"))]
    #[inline(never)]
    pub(super) fn retry_constant(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    #[retry(exponential(n = 3, initial = "10ms"), jitter = full)]
    #[inline(never)]
    pub(super) fn retry_exp_jitter(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    #[retry(exponential(n = 3, initial = "10ms"), jitter = full, timeout = "1s")]
    #[inline(never)]
    pub(super) fn retry_exp_jitter_timeout(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    #[inline(never)]
    pub(super) fn backon(x: u64) -> Result<u64, E> {
        use backon::BlockingRetryable as _;
        (|| Ok::<u64, E>(work(x)))
            .retry(
                super::ConstantBuilder::new()
                    .with_delay(DELAY)
                    .with_max_times(3),
            )
            .sleep(std::thread::sleep)
            .call()
    }

    #[inline(never)]
    pub(super) fn backoff(x: u64) -> Result<u64, E> {
        backoff::retry(backoff::backoff::Constant::new(DELAY), || {
            Ok::<u64, backoff::Error<E>>(work(x))
        })
        .map_err(|e| match e {
            backoff::Error::Permanent(e) | backoff::Error::Transient { err: e, .. } => e,
        })
    }

    // ---- two failures, then success, zero pauses ----

    /// The limit: three bare runs of the body (two errors), no retry logic.
    #[inline(never)]
    pub(super) fn plain3(x: u64) -> Result<u64, E> {
        let _ = flaky(x, 0);
        let _ = flaky(x, 1);
        flaky(x, 2)
    }

    #[inline(never)]
    pub(super) fn hand_loop_flaky(x: u64) -> Result<u64, E> {
        let mut attempt = 0;
        loop {
            match flaky(x, attempt) {
                Ok(v) => return Ok(v),
                Err(_) if attempt < 3 => {
                    attempt += 1;
                    noop(Duration::ZERO);
                }
                Err(e) => return Err(e),
            }
        }
    }

    #[retry(constant(n = 3, delay = "10ms"), sleep = noop, attempt = attempt)]
    #[inline(never)]
    pub(super) fn retry_constant_flaky(x: u64) -> Result<u64, E> {
        flaky(x, attempt)
    }

    #[retry(exponential(n = 3, initial = "10ms"), jitter = full, sleep = noop, attempt = attempt)]
    #[inline(never)]
    pub(super) fn retry_exp_jitter_flaky(x: u64) -> Result<u64, E> {
        flaky(x, attempt)
    }

    #[retry(exponential(n = 3, initial = "10ms"), jitter = full, timeout = "1s", sleep = noop, attempt = attempt)]
    #[inline(never)]
    pub(super) fn retry_exp_jitter_timeout_flaky(x: u64) -> Result<u64, E> {
        flaky(x, attempt)
    }

    #[inline(never)]
    pub(super) fn backon_flaky(x: u64) -> Result<u64, E> {
        use backon::BlockingRetryable as _;
        let mut attempt = 0;
        (|| {
            let r = flaky(x, attempt);
            attempt += 1;
            r
        })
        .retry(
            super::ConstantBuilder::new()
                .with_delay(Duration::ZERO)
                .with_max_times(3),
        )
        .sleep(noop)
        .call()
    }

    #[inline(never)]
    pub(super) fn backoff_flaky(x: u64) -> Result<u64, E> {
        let mut attempt = 0;
        // `Zero` yields zero-length pauses; std's `thread::sleep(0)` returns
        // at once without a system call.
        backoff::retry(backoff::backoff::Zero {}, || {
            let r = flaky(x, attempt).map_err(backoff::Error::transient);
            attempt += 1;
            r
        })
        .map_err(|e| match e {
            backoff::Error::Permanent(e) | backoff::Error::Transient { err: e, .. } => e,
        })
    }

    // ---- budget ----

    /// Room for every call: each call takes 2 tokens and gives 2 back.
    pub(super) static BUDGET: Budget = Budget::new(1000, 2.0);

    /// The same gRPC bucket written by hand (milli-tokens), for the hand loop.
    pub(super) static HAND_TOKENS: AtomicU64 = AtomicU64::new(1_000_000);

    #[inline(never)]
    pub(super) fn hand_loop_budget(x: u64) -> Result<u64, E> {
        const MAX: u64 = 1_000_000;
        let mut attempt = 0;
        loop {
            match flaky(x, attempt) {
                Ok(v) => {
                    if HAND_TOKENS.load(Ordering::Relaxed) < MAX {
                        let _ =
                            HAND_TOKENS.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                                (t < MAX).then(|| (t + 2000).min(MAX))
                            });
                    }
                    return Ok(v);
                }
                Err(e) if attempt < 3 => {
                    let before = HAND_TOKENS
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                            Some(t.saturating_sub(1000))
                        })
                        .unwrap_or_else(|t| t);
                    if before.saturating_sub(1000) <= MAX / 2 {
                        return Err(e);
                    }
                    attempt += 1;
                    noop(Duration::ZERO);
                }
                Err(e) => return Err(e),
            }
        }
    }

    #[retry(constant(n = 3, delay = "10ms"), budget = &BUDGET)]
    #[inline(never)]
    pub(super) fn retry_budget(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    #[retry(constant(n = 3, delay = "10ms"), budget = &BUDGET, sleep = noop, attempt = attempt)]
    #[inline(never)]
    pub(super) fn retry_budget_flaky(x: u64) -> Result<u64, E> {
        flaky(x, attempt)
    }
}

// --------------------------------------------------------------- async ----

mod asynch {
    use super::{flaky, noop_async, retry, work, Duration, Instant, DELAY, E};

    #[inline(never)]
    pub(super) async fn plain(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    #[inline(never)]
    pub(super) async fn hand_loop(x: u64) -> Result<u64, E> {
        let mut retries = 0;
        loop {
            match async { Ok::<u64, E>(work(x)) }.await {
                Ok(v) => return Ok(v),
                Err(_) if retries < 3 => {
                    retries += 1;
                    tokio::time::sleep(DELAY).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// With a deadline read from tokio's clock, as `timeout` does in an `async fn`.
    #[inline(never)]
    pub(super) async fn hand_loop_deadline(x: u64) -> Result<u64, E> {
        let start = tokio::time::Instant::now();
        let mut retries = 0;
        let mut delay = DELAY;
        loop {
            match async { Ok::<u64, E>(work(x)) }.await {
                Ok(v) => return Ok(v),
                Err(_) if retries < 3 && start.elapsed() + delay <= Duration::from_secs(1) => {
                    retries += 1;
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// With a deadline read from std's clock (what `timeout` reads with `sleep = …`).
    #[inline(never)]
    pub(super) async fn hand_loop_std_deadline(x: u64) -> Result<u64, E> {
        let start = Instant::now();
        let mut retries = 0;
        let mut delay = DELAY;
        loop {
            match async { Ok::<u64, E>(work(x)) }.await {
                Ok(v) => return Ok(v),
                Err(_) if retries < 3 && start.elapsed() + delay <= Duration::from_secs(1) => {
                    retries += 1;
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(e) => return Err(e),
            }
        }
    }

    #[retry(constant(n = 3, delay = "10ms"))]
    #[inline(never)]
    pub(super) async fn retry_constant(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    #[retry(exponential(n = 3, initial = "10ms"), jitter = full)]
    #[inline(never)]
    pub(super) async fn retry_exp_jitter(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    #[retry(exponential(n = 3, initial = "10ms"), jitter = full, timeout = "1s")]
    #[inline(never)]
    pub(super) async fn retry_exp_jitter_timeout(x: u64) -> Result<u64, E> {
        Ok(work(x))
    }

    #[inline(never)]
    pub(super) async fn backon(x: u64) -> Result<u64, E> {
        use backon::Retryable as _;
        (|| async move { Ok::<u64, E>(work(x)) })
            .retry(
                super::ConstantBuilder::new()
                    .with_delay(DELAY)
                    .with_max_times(3),
            )
            .sleep(tokio::time::sleep)
            .await
    }

    #[inline(never)]
    pub(super) async fn tokio_retry(x: u64) -> Result<u64, E> {
        let schedule = tokio_retry::strategy::FixedInterval::new(DELAY).take(3);
        tokio_retry::Retry::start(schedule, || async move { Ok::<u64, E>(work(x)) }).await
    }

    #[inline(never)]
    pub(super) async fn backoff(x: u64) -> Result<u64, E> {
        backoff::future::retry(backoff::backoff::Constant::new(DELAY), || async move {
            Ok::<u64, backoff::Error<E>>(work(x))
        })
        .await
    }

    // ---- two failures, then success, zero pauses ----

    #[inline(never)]
    pub(super) async fn plain3(x: u64) -> Result<u64, E> {
        let _ = async { flaky(x, 0) }.await;
        let _ = async { flaky(x, 1) }.await;
        async { flaky(x, 2) }.await
    }

    #[inline(never)]
    pub(super) async fn hand_loop_flaky(x: u64) -> Result<u64, E> {
        let mut attempt = 0;
        loop {
            match async { flaky(x, attempt) }.await {
                Ok(v) => return Ok(v),
                Err(_) if attempt < 3 => {
                    attempt += 1;
                    noop_async(Duration::ZERO).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    #[retry(constant(n = 3, delay = "10ms"), sleep = noop_async, attempt = attempt)]
    #[inline(never)]
    pub(super) async fn retry_constant_flaky(x: u64) -> Result<u64, E> {
        flaky(x, attempt)
    }

    #[retry(exponential(n = 3, initial = "10ms"), jitter = full, sleep = noop_async, attempt = attempt)]
    #[inline(never)]
    pub(super) async fn retry_exp_jitter_flaky(x: u64) -> Result<u64, E> {
        flaky(x, attempt)
    }

    #[retry(exponential(n = 3, initial = "10ms"), jitter = full, timeout = "1s", sleep = noop_async, attempt = attempt)]
    #[inline(never)]
    pub(super) async fn retry_exp_jitter_timeout_flaky(x: u64) -> Result<u64, E> {
        flaky(x, attempt)
    }

    /// The default pause (`tokio::time::sleep`) with a zero-length schedule:
    /// what tokio-retry, which cannot skip its sleep, pays too.
    #[retry(constant(n = 3, delay = "0s"), attempt = attempt)]
    #[inline(never)]
    pub(super) async fn retry_tokio_sleep_zero_flaky(x: u64) -> Result<u64, E> {
        flaky(x, attempt)
    }

    #[inline(never)]
    pub(super) async fn backon_flaky(x: u64) -> Result<u64, E> {
        use backon::Retryable as _;
        let attempt = std::cell::Cell::new(0);
        (|| async {
            let a = attempt.get();
            attempt.set(a + 1);
            flaky(x, a)
        })
        .retry(
            super::ConstantBuilder::new()
                .with_delay(Duration::ZERO)
                .with_max_times(3),
        )
        .sleep(noop_async)
        .await
    }

    #[inline(never)]
    pub(super) async fn tokio_retry_flaky(x: u64) -> Result<u64, E> {
        let attempt = std::cell::Cell::new(0);
        let schedule = tokio_retry::strategy::FixedInterval::new(Duration::ZERO).take(3);
        tokio_retry::Retry::start(schedule, || async {
            let a = attempt.get();
            attempt.set(a + 1);
            flaky(x, a)
        })
        .await
    }

    /// A sleeper for backoff's future API that never waits.
    struct NoSleep;

    impl backoff::future::Sleeper for NoSleep {
        type Sleep = std::future::Ready<()>;
        fn sleep(&self, _: Duration) -> Self::Sleep {
            std::future::ready(())
        }
    }

    #[inline(never)]
    pub(super) async fn backoff_flaky(x: u64) -> Result<u64, E> {
        let attempt = std::cell::Cell::new(0);
        let operation = || async {
            let a = attempt.get();
            attempt.set(a + 1);
            flaky(x, a).map_err(backoff::Error::transient)
        };
        backoff::future::Retry::new(
            NoSleep,
            backoff::backoff::Zero {},
            |_: E, _: Duration| {},
            operation,
        )
        .await
    }
}

// ----------------------------------------------------------- criterion ----

/// A named function under measurement.
type Row = (&'static str, fn(u64) -> Result<u64, E>);

fn sync_rows<M: criterion::measurement::Measurement>(
    group: &mut BenchmarkGroup<'_, M>,
    rows: &[Row],
) {
    for &(name, f) in rows {
        // Each call's result is checked once, outside the timing.
        assert!(f(3).is_ok(), "{name}");
        group.bench_function(name, |b| b.iter(|| f(black_box(3))));
    }
}

fn a_success_sync(c: &mut Criterion) {
    let mut g = c.benchmark_group("a_success_sync");
    sync_rows(
        &mut g,
        &[
            ("plain", sync::plain),
            ("hand_loop", sync::hand_loop),
            ("hand_loop_deadline", sync::hand_loop_deadline),
            ("retry_constant", sync::retry_constant),
            ("retry_exp_jitter", sync::retry_exp_jitter),
            ("retry_exp_jitter_timeout", sync::retry_exp_jitter_timeout),
            ("backon", sync::backon),
            ("backoff", sync::backoff),
        ],
    );
    g.finish();
}

fn b_retry_sync(c: &mut Criterion) {
    let mut g = c.benchmark_group("b_retry_sync");
    sync_rows(
        &mut g,
        &[
            ("plain3", sync::plain3),
            ("hand_loop", sync::hand_loop_flaky),
            ("retry_constant", sync::retry_constant_flaky),
            ("retry_exp_jitter", sync::retry_exp_jitter_flaky),
            (
                "retry_exp_jitter_timeout",
                sync::retry_exp_jitter_timeout_flaky,
            ),
            ("backon", sync::backon_flaky),
            ("backoff", sync::backoff_flaky),
        ],
    );
    g.finish();
}

const BUDGET_ROWS: &[Row] = &[
    ("success/plain", sync::plain),
    ("success/hand_loop", sync::hand_loop),
    ("success/retry", sync::retry_constant),
    ("success/retry_budget", sync::retry_budget),
    ("retry/plain3", sync::plain3),
    ("retry/hand_loop", sync::hand_loop_flaky),
    ("retry/hand_loop_budget", sync::hand_loop_budget),
    ("retry/retry", sync::retry_constant_flaky),
    ("retry/retry_budget", sync::retry_budget_flaky),
];

fn c_budget_1_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("c_budget_1_thread");
    sync_rows(&mut g, BUDGET_ROWS);
    g.finish();
}

/// Two threads call the same function (and so share the same `static`
/// budget) at once; the time reported is per call, as each thread sees it.
fn c_budget_2_threads(c: &mut Criterion) {
    const THREADS: u32 = 2;
    let mut g = c.benchmark_group("c_budget_2_threads");
    for &(name, f) in BUDGET_ROWS {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = Barrier::new(THREADS as usize);
                let total: Duration = std::thread::scope(|s| {
                    let workers: Vec<_> = (0..THREADS)
                        .map(|_| {
                            s.spawn(|| {
                                start.wait();
                                let t = Instant::now();
                                for _ in 0..iters {
                                    black_box(f(black_box(3))).ok();
                                }
                                t.elapsed()
                            })
                        })
                        .collect();
                    workers.into_iter().map(|w| w.join().expect("worker")).sum()
                });
                total / THREADS
            });
        });
    }
    g.finish();
    // The budget never ran dry: every retried call above really retried.
    assert!(sync::BUDGET.tokens() > 500.0);
    assert!(sync::HAND_TOKENS.load(Ordering::Relaxed) > 500_000);
}

macro_rules! async_rows {
    ($group:expr, $rt:expr, $($name:literal => $f:path),* $(,)?) => {$(
        assert!($rt.block_on($f(3)).is_ok(), $name);
        $group.bench_function($name, |b| b.to_async(&$rt).iter(|| $f(black_box(3))));
    )*};
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("tokio runtime")
}

fn a_success_async(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("a_success_async");
    async_rows!(g, rt,
        "plain" => asynch::plain,
        "hand_loop" => asynch::hand_loop,
        "hand_loop_deadline" => asynch::hand_loop_deadline,
        "hand_loop_std_deadline" => asynch::hand_loop_std_deadline,
        "retry_constant" => asynch::retry_constant,
        "retry_exp_jitter" => asynch::retry_exp_jitter,
        "retry_exp_jitter_timeout" => asynch::retry_exp_jitter_timeout,
        "backon" => asynch::backon,
        "tokio_retry" => asynch::tokio_retry,
        "backoff" => asynch::backoff,
    );
    g.finish();
}

fn b_retry_async(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("b_retry_async");
    async_rows!(g, rt,
        "plain3" => asynch::plain3,
        "hand_loop" => asynch::hand_loop_flaky,
        "retry_constant" => asynch::retry_constant_flaky,
        "retry_exp_jitter" => asynch::retry_exp_jitter_flaky,
        "retry_exp_jitter_timeout" => asynch::retry_exp_jitter_timeout_flaky,
        "retry_tokio_sleep_zero" => asynch::retry_tokio_sleep_zero_flaky,
        "backon" => asynch::backon_flaky,
        "tokio_retry" => asynch::tokio_retry_flaky,
        "backoff" => asynch::backoff_flaky,
    );
    g.finish();
}

criterion_group!(
    benches,
    a_success_sync,
    a_success_async,
    b_retry_sync,
    b_retry_async,
    c_budget_1_thread,
    c_budget_2_threads
);
criterion_main!(benches);
