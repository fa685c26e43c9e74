//! `#[retry]` never allocates: zero heap allocations per call when the first
//! attempt succeeds, and zero per retry (with a no-op pause), sync and async,
//! with every option set.
//!
//! A counting global allocator (this test binary's own) counts the
//! allocations of the current thread only, so the test harness and the other
//! tests running in parallel do not disturb the count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use reattempt::{retry, Budget, Elapsed, RetryInfo};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the allocator also runs while thread-locals are torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap allocations made by this thread while `f` runs.
fn allocations(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// Runs a future that never waits (no-op pauses) to completion on this
/// thread, with a no-op waker: no runtime, no allocation of its own.
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a future with no-op pauses must finish in one poll"),
    }
}

#[derive(Debug, PartialEq)]
enum E {
    Busy,
    Fatal,
    TimedOut,
}

impl From<Elapsed> for E {
    fn from(_: Elapsed) -> Self {
        E::TimedOut
    }
}

/// Large enough that no test here ever runs it dry; refilled by successes.
static BUDGET: Budget = Budget::new(1_000_000, 1.0);

// Failures before the first success, per call (each test sets its thread's own).
thread_local! {
    static FAILS: Cell<u32> = const { Cell::new(0) };
}

static RETRIES: AtomicU32 = AtomicU32::new(0);

fn on_retry(_: &E, info: &RetryInfo) {
    assert!(info.delay <= Duration::from_secs(1));
    RETRIES.fetch_add(1, Ordering::Relaxed);
}

fn no_pause(_: Duration) {}

#[allow(clippy::unused_async)] // an async pause that does not wait
async fn no_pause_async(_: Duration) {}

/// Every option a sync fn takes, at once.
#[retry(
    exponential(n = 3, initial = "10ms", max = "1s"),
    jitter = full,
    timeout = "1h",
    on_retry = on_retry,
    retry_ok = |v: &u32| *v == u32::MAX,
    retry_after = |e: &E| (*e == E::Busy).then_some(Duration::ZERO),
    budget = &BUDGET,
    forever,
    attempt = attempt,
    blacklist(E::Fatal),
)]
fn everything(x: u32) -> Result<u32, E> {
    if attempt < FAILS.with(Cell::get) {
        return Err(E::Busy);
    }
    Ok(x + attempt)
}

/// The same, with a no-op pause, for the retry path.
#[retry(
    exponential(n = 3, initial = "10ms", max = "1s"),
    jitter = full,
    timeout = "1h",
    on_retry = on_retry,
    retry_ok = |v: &u32| *v == u32::MAX,
    retry_after = |e: &E| (*e == E::Busy).then_some(Duration::ZERO),
    budget = &BUDGET,
    forever,
    attempt = attempt,
    blacklist(E::Fatal),
    sleep = no_pause,
)]
fn everything_no_pause(x: u32) -> Result<u32, E> {
    if x == FATAL {
        return Err(E::Fatal);
    }
    if attempt < FAILS.with(Cell::get) {
        return Err(E::Busy);
    }
    Ok(x + attempt)
}

/// Every option of an `async fn` with the default (tokio) pause and clock.
#[retry(
    fibonacci(n = 3, initial = "10ms", max = "1s"),
    jitter = 0.3,
    timeout = "1h",
    on_retry = on_retry,
    retry_ok = |v: &u32| *v == u32::MAX,
    retry_after = |e: &E| (*e == E::Busy).then_some(Duration::ZERO),
    budget = &BUDGET,
    forever,
    attempt = attempt,
    whitelist(E::Busy, E::TimedOut),
)]
async fn everything_async(x: u32) -> Result<u32, E> {
    if attempt < FAILS.with(Cell::get) {
        return Err(E::Busy);
    }
    Ok(x + attempt)
}

/// The same with a no-op pause, for the retry path.
#[retry(
    fibonacci(n = 3, initial = "10ms", max = "1s"),
    jitter = decorrelated,
    timeout = "1h",
    on_retry = on_retry,
    retry_ok = |v: &u32| *v == u32::MAX,
    retry_after = |e: &E| (*e == E::Busy).then_some(Duration::ZERO),
    budget = &BUDGET,
    forever,
    attempt = attempt,
    whitelist(E::Busy, E::TimedOut),
    sleep = no_pause_async,
)]
async fn everything_async_no_pause(x: u32) -> Result<u32, E> {
    if attempt < FAILS.with(Cell::get) {
        return Err(E::Busy);
    }
    Ok(x + attempt)
}

/// A pause that never ends for the hour-long `attempt_timeout` (so the
/// attempt always wins the race) and ends at once for a retry's pause.
struct Pause {
    forever: bool,
}

impl Future for Pause {
    type Output = ();
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.forever {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

fn pause(d: Duration) -> Pause {
    Pause {
        forever: d >= Duration::from_secs(3600),
    }
}

/// `attempt_timeout` too: the race of each attempt against its timer.
#[retry(
    constant(n = 3, delay = "0s"),
    attempt_timeout = "1h",
    jitter = equal,
    timeout = "2h",
    on_retry = on_retry,
    budget = &BUDGET,
    attempt = attempt,
    retry_if = |e: &E| *e != E::Fatal,
    sleep = pause,
)]
async fn with_attempt_timeout(x: u32) -> Result<u32, E> {
    if attempt < FAILS.with(Cell::get) {
        return Err(E::Busy);
    }
    Ok(x + attempt)
}

const CALLS: u32 = 100;

/// The input for which `everything_no_pause` fails for good.
const FATAL: u32 = 999;

#[test]
fn the_counter_sees_allocations() {
    assert_eq!(allocations(|| drop(std::hint::black_box(Box::new(1)))), 1);
}

#[test]
fn success_sync_allocates_nothing() {
    FAILS.with(|f| f.set(0));
    let n = allocations(|| {
        for x in 0..CALLS {
            assert_eq!(everything(x), Ok(x));
        }
    });
    assert_eq!(n, 0, "{n} allocations in {CALLS} successful calls");
}

#[test]
fn success_async_allocates_nothing() {
    FAILS.with(|f| f.set(0));
    let n = allocations(|| {
        for x in 0..CALLS {
            assert_eq!(run(everything_async(x)), Ok(x));
            assert_eq!(run(with_attempt_timeout(x)), Ok(x));
        }
    });
    assert_eq!(n, 0, "{n} allocations in {} successful calls", 2 * CALLS);
}

#[test]
fn success_async_on_a_runtime_allocates_nothing() {
    FAILS.with(|f| f.set(0));
    // The runtime's own allocations happen here, before counting.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {});
    let n = allocations(|| {
        rt.block_on(async {
            for x in 0..CALLS {
                assert_eq!(everything_async(x).await, Ok(x));
            }
        });
    });
    assert_eq!(n, 0, "{n} allocations in {CALLS} successful calls on tokio");
}

#[test]
fn retries_sync_allocate_nothing() {
    FAILS.with(|f| f.set(3));
    // The first retry of the thread seeds its random generator (for jitter):
    // a one-time cost per thread, not per call. It allocates nothing either,
    // so no warm-up is needed: every call is counted.
    let retries = RETRIES.load(Ordering::Relaxed);
    let n = allocations(|| {
        for x in 0..CALLS {
            assert_eq!(everything_no_pause(x), Ok(x + 3));
        }
    });
    assert_eq!(n, 0, "{n} allocations in {} retries", 3 * CALLS);
    assert!(
        RETRIES.load(Ordering::Relaxed) - retries >= 3 * CALLS,
        "on_retry ran for every retry"
    );
    // A blacklisted error after retries: returned at once, still nothing.
    let n = allocations(|| assert_eq!(everything_no_pause(FATAL), Err(E::Fatal)));
    assert_eq!(n, 0);
}

#[test]
fn retries_async_allocate_nothing() {
    FAILS.with(|f| f.set(3));
    let n = allocations(|| {
        for x in 0..CALLS {
            assert_eq!(run(everything_async_no_pause(x)), Ok(x + 3));
            assert_eq!(run(with_attempt_timeout(x)), Ok(x + 3));
        }
    });
    assert_eq!(n, 0, "{n} allocations in {} retries", 6 * CALLS);
}
