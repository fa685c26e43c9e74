//! Hardening: retried futures are `Send` (and `Sync`) exactly when their
//! bodies are; cancelling at any `.await` (mid-attempt, mid-pause, mid-race
//! with `attempt_timeout`) leaves nothing alive and nothing running; a panic in
//! the body propagates unchanged, at once, and is never retried.

use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::time::Duration;

use reattempt::{retry, Backoff, Budget, Elapsed, Retrier};

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

#[derive(Debug, PartialEq, Eq)]
enum E {
    Busy,
    Slow,
}

impl From<Elapsed> for E {
    fn from(_: Elapsed) -> Self {
        E::Slow
    }
}

// ------------------------------------------------------------ Send / Sync

/// Autoref specialisation: `(&&probe(&x)).send()` is `true` when `x: Send`,
/// `false` otherwise, for a concrete (even unnameable) type.
struct Probe<'a, T>(PhantomData<&'a T>);

fn probe<T>(_: &T) -> Probe<'_, T> {
    Probe(PhantomData)
}

trait SendYes {
    fn send(&self) -> bool {
        true
    }
}
impl<T: Send> SendYes for &Probe<'_, T> {}
trait SendNo {
    fn send(&self) -> bool {
        false
    }
}
impl<T> SendNo for Probe<'_, T> {}

trait SyncYes {
    fn sync(&self) -> bool {
        true
    }
}
impl<T: Sync> SyncYes for &Probe<'_, T> {}
trait SyncNo {
    fn sync(&self) -> bool {
        false
    }
}
impl<T> SyncNo for Probe<'_, T> {}

fn assert_send_sync<T: Send + Sync>(_: &T) {}

static BUDGET: Budget = Budget::new(100, 1.0);

#[retry(
    exponential(n = 3, initial = "1ms", max = "4ms", factor = 3),
    jitter = full,
    timeout = "10s",
    attempt_timeout = "1s",
    whitelist(E::Busy | E::Slow),
    on_retry = |_, _| {},
    retry_after = |_| None,
    retry_ok = |v: &u32| *v == 0,
    budget = &BUDGET,
    attempt = k
)]
async fn every_option(label: &str) -> Result<u32, E> {
    tokio::task::yield_now().await;
    if k == 0 {
        Err(E::Busy)
    } else {
        Ok(u32::try_from(label.len()).unwrap_or(0))
    }
}

#[retry(constant(n = 2, delay = "1ms"))]
async fn holds_a_string(s: String) -> Result<usize, E> {
    let copy = s.clone();
    tokio::task::yield_now().await;
    Ok(copy.len())
}

#[retry(constant(n = 2, delay = "1ms"))]
async fn holds_an_rc_across_await() -> Result<usize, E> {
    let rc = Rc::new(3);
    tokio::task::yield_now().await;
    Ok(*rc)
}

#[retry(constant(n = 2, delay = "1ms"))]
async fn holds_a_cell_across_await() -> Result<u8, E> {
    let cell = std::cell::Cell::new(1u8);
    tokio::task::yield_now().await;
    Ok(cell.get())
}

/// Each attempt's `async` block borrows the by-value arguments from the
/// call's future (it runs more than once, so it cannot take them), and holds
/// that `&T` across its `.await`s.
#[retry(constant(n = 2, delay = "1ms"))]
async fn generic_by_value<T: Clone + Send>(value: T) -> Result<T, E> {
    tokio::task::yield_now().await;
    Ok(value.clone())
}

struct Service {
    calls: u32,
}

impl Service {
    #[retry(fibonacci(n = 3, initial = "1ms"), attempt_timeout = "1s")]
    async fn call(&mut self, key: &str) -> Result<String, E> {
        self.calls += 1;
        tokio::task::yield_now().await;
        Ok(key.to_owned())
    }
}

#[test]
// `&&probe(..)` is the autoref specialisation itself, not a needless borrow:
// with one `&` fewer every probe answers `false`.
#[allow(clippy::needless_borrow)]
fn futures_are_send_and_sync_when_their_bodies_are() {
    let f = every_option("x");
    assert_send_sync(&f);
    assert!((&&probe(&f)).send() && (&&probe(&f)).sync());

    let f = holds_a_string(String::new());
    assert_send_sync(&f);

    let mut service = Service { calls: 0 };
    let f = service.call("k");
    assert_send_sync(&f);
    drop(f);
    assert_eq!(service.calls, 0);

    // A body that holds an `Rc` across an `.await` is neither: the retry
    // machinery adds no bound of its own, in either direction.
    let f = holds_an_rc_across_await();
    assert!(!(&&probe(&f)).send() && !(&&probe(&f)).sync());
    // `Cell` is `Send` but not `Sync`: so is the future.
    let f = holds_a_cell_across_await();
    assert!((&&probe(&f)).send() && !(&&probe(&f)).sync());

    // Known limit: a by-value argument is borrowed by every attempt across its
    // `.await`s, so the future is `Send` when the argument is `Sync` (as most
    // `Send` types are), not merely `Send`. A `Cell` argument:
    let f = generic_by_value(std::cell::Cell::new(1u8));
    assert!(!(&&probe(&f)).send());
    let f = generic_by_value(String::new());
    assert!((&&probe(&f)).send() && (&&probe(&f)).sync());

    // The probe itself tells the two apart.
    assert!((&&probe(&1u8)).send() && !(&&probe(&Rc::new(1))).send());

    // The runtime without the macro, too.
    let retrier = Retrier::new(Backoff::constant(2, ms(1))).attempt_timeout(ms(5));
    let f = retrier.run_async(|_| async { Ok::<u8, E>(1) });
    assert_send_sync(&f);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_option_future_spawns() {
    let out = tokio::spawn(every_option("four")).await.ok();
    assert_eq!(out, Some(Ok(4)));
}

// -------------------------------------------------------------- cancellation

/// Counts itself alive in `counter` while it exists.
struct Live(&'static AtomicI32);

impl Live {
    fn new(counter: &'static AtomicI32) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Live(counter)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

static ATTEMPTS: AtomicI32 = AtomicI32::new(0);
static PAUSES: AtomicI32 = AtomicI32::new(0);
static STARTED: AtomicU32 = AtomicU32::new(0);

/// A pause (and the `attempt_timeout` timer) that counts itself alive.
async fn counted_sleep(d: Duration) {
    let _live = Live::new(&PAUSES);
    tokio::time::sleep(d).await;
}

/// Attempts 50ms long, pauses 100ms: attempts at [0, 50), [150, 200),
/// [300, 350), [450, 500), pauses between.
#[retry(constant(n = 3, delay = "100ms"), sleep = counted_sleep)]
async fn flaky() -> Result<(), E> {
    let _live = Live::new(&ATTEMPTS);
    STARTED.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(ms(50)).await;
    Err(E::Busy)
}

/// Attempts cut by `attempt_timeout` at 30ms, racing a counted timer; pauses
/// 100ms: races at [0, 30), [130, 160), [260, 290).
#[retry(constant(n = 2, delay = "100ms"), attempt_timeout = "30ms", sleep = counted_sleep)]
async fn slow() -> Result<(), E> {
    let _live = Live::new(&ATTEMPTS);
    STARTED.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(ms(1000)).await;
    Ok(())
}

/// What was alive when the call was cut.
#[derive(Debug, Default)]
struct Seen {
    in_attempt: u32,
    in_pause: u32,
    in_race: u32,
    finished: u32,
}

/// Runs `call()` and drops it at `cut` ms, for every `cut` from 0 to `end`
/// ms in steps of 5ms; after each drop nothing is alive and, however long we
/// wait, nothing starts again.
async fn cut_everywhere<F: std::future::Future<Output = Result<(), E>>>(
    end: u64,
    call: impl Fn() -> F,
) -> Seen {
    let mut seen = Seen::default();
    for cut in (0..=end).step_by(5) {
        STARTED.store(0, Ordering::SeqCst);
        let mut fut = Box::pin(call());
        tokio::select! {
            biased;
            out = &mut fut => {
                assert!(out.is_err(), "{out:?}");
                seen.finished += 1;
            }
            () = tokio::time::sleep(ms(cut)) => {
                match (ATTEMPTS.load(Ordering::SeqCst), PAUSES.load(Ordering::SeqCst)) {
                    (1, 0) => seen.in_attempt += 1,
                    (0, 1) => seen.in_pause += 1,
                    (1, 1) => seen.in_race += 1,
                    // Before the first poll: nothing started yet.
                    (0, 0) => assert_eq!(cut, 0),
                    other => panic!("at {cut}ms: {other:?} alive"),
                }
            }
        }
        drop(fut);
        assert_eq!(
            ATTEMPTS.load(Ordering::SeqCst),
            0,
            "an attempt outlived the drop at {cut}ms"
        );
        assert_eq!(
            PAUSES.load(Ordering::SeqCst),
            0,
            "a pause outlived the drop at {cut}ms"
        );
        let started = STARTED.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(
            STARTED.load(Ordering::SeqCst),
            started,
            "an attempt started after the drop at {cut}ms"
        );
    }
    seen
}

// One test for all three, so the shared counters are never used concurrently.
#[tokio::test(start_paused = true)]
async fn cancelling_at_every_await_leaves_nothing_running() {
    let seen = cut_everywhere(520, flaky).await;
    assert!(
        seen.in_attempt > 20 && seen.in_pause > 40 && seen.finished > 0,
        "{seen:?}"
    );
    assert_eq!(seen.in_race, 0);

    let seen = cut_everywhere(300, slow).await;
    assert!(
        seen.in_race > 10 && seen.in_pause > 30 && seen.finished > 0,
        "{seen:?}"
    );

    // The runtime without the macro: the same promises.
    let retrier = Retrier::new(Backoff::constant(2, ms(100)))
        .attempt_timeout(ms(30))
        .sleep(counted_sleep);
    let seen = cut_everywhere(300, || {
        retrier.run_async(|_| async {
            let _live = Live::new(&ATTEMPTS);
            STARTED.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(ms(1000)).await;
            Ok::<(), E>(())
        })
    })
    .await;
    assert!(
        seen.in_race > 10 && seen.in_pause > 30 && seen.finished > 0,
        "{seen:?}"
    );
}

// ------------------------------------------------------------------- panics

#[derive(Debug, PartialEq, Eq)]
struct Payload(u32);

#[derive(Clone, Copy)]
enum Mode {
    /// Panics with `Payload(7)` on attempt `at`, fails before it.
    PanicAt(u32),
    /// Fails until attempt `ok_at`, then succeeds.
    OkAt(u32),
}

static SYNC_RUNS: AtomicU32 = AtomicU32::new(0);
static PANIC_BUDGET: Budget = Budget::new(100, 0.5);

fn no_pause(_: Duration) {}

#[retry(constant(n = 5, delay = "1s"), sleep = no_pause, budget = &PANIC_BUDGET, attempt = k)]
fn may_panic(mode: Mode) -> Result<u32, E> {
    SYNC_RUNS.fetch_add(1, Ordering::SeqCst);
    match mode {
        Mode::PanicAt(at) if k == at => std::panic::panic_any(Payload(7)),
        Mode::OkAt(at) if k >= at => Ok(k),
        _ => Err(E::Busy),
    }
}

#[retry(constant(n = 5, delay = "1ms"), sleep = no_pause)]
fn panics_with_a_message(code: u32) -> Result<(), E> {
    SYNC_RUNS.fetch_add(1, Ordering::SeqCst);
    panic!("boom {code}")
}

static ASYNC_RUNS: AtomicU32 = AtomicU32::new(0);

#[retry(exponential(n = 5, initial = "1s"), attempt_timeout = "10s", attempt = k)]
async fn may_panic_async(mode: Mode) -> Result<u32, E> {
    ASYNC_RUNS.fetch_add(1, Ordering::SeqCst);
    tokio::task::yield_now().await;
    match mode {
        Mode::PanicAt(at) if k == at => std::panic::panic_any(Payload(7)),
        Mode::OkAt(at) if k >= at => Ok(k),
        _ => Err(E::Busy),
    }
}

fn payload<T: 'static>(r: std::thread::Result<T>) -> Box<dyn std::any::Any + Send> {
    match r {
        Ok(_) => panic!("did not panic"),
        Err(p) => p,
    }
}

// The sync cases share `SYNC_RUNS`: one test.
#[test]
fn a_panic_in_the_body_propagates_at_once_and_is_never_retried() {
    // On the first attempt: one run, the payload unchanged, no token taken.
    let tokens = PANIC_BUDGET.tokens();
    let p = payload(catch_unwind(|| may_panic(Mode::PanicAt(0))));
    assert_eq!(p.downcast_ref::<Payload>(), Some(&Payload(7)));
    assert_eq!(SYNC_RUNS.swap(0, Ordering::SeqCst), 1);
    assert!((PANIC_BUDGET.tokens() - tokens).abs() < f64::EPSILON);

    // After two failures: three runs, then the panic, unchanged.
    let p = payload(catch_unwind(|| may_panic(Mode::PanicAt(2))));
    assert_eq!(p.downcast_ref::<Payload>(), Some(&Payload(7)));
    assert_eq!(SYNC_RUNS.swap(0, Ordering::SeqCst), 3);

    // A formatted message stays the same `String`.
    let p = payload(catch_unwind(|| panics_with_a_message(42)));
    assert_eq!(
        p.downcast_ref::<String>().map(String::as_str),
        Some("boom 42")
    );
    assert_eq!(SYNC_RUNS.swap(0, Ordering::SeqCst), 1);

    // And the function works normally afterwards.
    assert_eq!(may_panic(Mode::OkAt(3)), Ok(3));
    assert_eq!(SYNC_RUNS.swap(0, Ordering::SeqCst), 4);
    assert_eq!(may_panic(Mode::OkAt(9)), Err(E::Busy));
    assert_eq!(SYNC_RUNS.swap(0, Ordering::SeqCst), 6);
}

#[test]
fn a_panic_in_an_async_body_propagates_at_once_and_is_never_retried() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build();
    let Ok(runtime) = runtime else {
        panic!("no runtime")
    };
    for (at, runs) in [(0, 1), (1, 2), (3, 4)] {
        let p = payload(catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(may_panic_async(Mode::PanicAt(at)))
        })));
        assert_eq!(p.downcast_ref::<Payload>(), Some(&Payload(7)));
        assert_eq!(ASYNC_RUNS.swap(0, Ordering::SeqCst), runs);
    }
    // Spawned: the task's panic carries the same payload.
    let join = runtime.block_on(async { tokio::spawn(may_panic_async(Mode::PanicAt(0))).await });
    let Err(err) = join else {
        panic!("did not panic")
    };
    assert_eq!(
        err.into_panic().downcast_ref::<Payload>(),
        Some(&Payload(7))
    );
    assert_eq!(ASYNC_RUNS.swap(0, Ordering::SeqCst), 1);
    // And afterwards the function works normally.
    assert_eq!(runtime.block_on(may_panic_async(Mode::OkAt(2))), Ok(2));
    assert_eq!(ASYNC_RUNS.swap(0, Ordering::SeqCst), 3);
}
