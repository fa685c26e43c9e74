//! The options beyond the schedule, in virtual time (async) or with a
//! recording sleeper (sync): `jitter`, `forever`, `timeout`, `attempt_timeout`,
//! `on_retry`, `retry_after`, `retry_ok`, and cancellation.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reattempt::{retry, Elapsed, RetryInfo};
use tokio::time::Instant;

thread_local!(static PAUSES: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) });

fn record(pause: Duration) {
    PAUSES.with(|p| p.borrow_mut().push(pause));
}

fn take_pauses() -> Vec<Duration> {
    PAUSES.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

const MS: fn(u64) -> Duration = Duration::from_millis;
const S: fn(u64) -> Duration = Duration::from_secs;

#[derive(Debug, PartialEq)]
enum Error {
    Down,
    TimedOut,
    Busy { retry_after_ms: Option<u64> },
}

impl From<Elapsed> for Error {
    fn from(_: Elapsed) -> Self {
        Error::TimedOut
    }
}

// ---- jitter ----------------------------------------------------------------

#[retry(constant(n = 200, delay = "100ms"), jitter = 0.5, sleep = record)]
fn factor_jitter() -> Result<(), Error> {
    Err(Error::Down)
}

#[test]
fn factor_jitter_stays_in_its_band_and_spreads() {
    assert_eq!(factor_jitter(), Err(Error::Down));
    let pauses = take_pauses();
    assert_eq!(pauses.len(), 200);
    assert!(
        pauses.iter().all(|p| *p >= MS(50) && *p <= MS(150)),
        "{pauses:?}"
    );
    assert!(pauses.iter().any(|p| *p < MS(75)) && pauses.iter().any(|p| *p > MS(125)));
}

#[retry(exponential(n = 100, initial = "100ms", max = "150ms"), jitter = 1.0, sleep = record)]
fn jitter_under_max() -> Result<(), Error> {
    Err(Error::Down)
}

#[retry(exponential(n = 100, initial = "10ms", max = "1s"), jitter = full, sleep = record)]
fn full_jitter() -> Result<(), Error> {
    Err(Error::Down)
}

#[retry(exponential(n = 100, initial = "10ms", max = "1s"), jitter = equal, sleep = record)]
fn equal_jitter() -> Result<(), Error> {
    Err(Error::Down)
}

#[retry(exponential(n = 100, initial = "10ms", max = "1s"), jitter = decorrelated, sleep = record)]
fn decorrelated_jitter() -> Result<(), Error> {
    Err(Error::Down)
}

#[test]
fn max_is_a_hard_ceiling_after_jitter() {
    let _ = jitter_under_max();
    let pauses = take_pauses();
    assert_eq!(pauses.len(), 100);
    assert!(pauses.iter().all(|p| *p <= MS(150)), "{pauses:?}");
}

#[test]
fn aws_jitter_kinds_stay_in_their_bands() {
    let scheduled: Vec<Duration> = reattempt::Backoff::exponential(100, MS(10))
        .max(S(1))
        .into_iter()
        .collect();

    let _ = full_jitter();
    let full = take_pauses();
    assert_eq!(full.len(), 100);
    assert!(full.iter().zip(&scheduled).all(|(p, d)| p <= d));

    let _ = equal_jitter();
    let equal = take_pauses();
    assert!(equal
        .iter()
        .zip(&scheduled)
        .all(|(p, d)| *p >= *d / 2 && p <= d));

    let _ = decorrelated_jitter();
    let decorrelated = take_pauses();
    assert_eq!(decorrelated.len(), 100);
    let mut previous = MS(10);
    for p in &decorrelated {
        assert!(
            *p >= MS(10) && *p <= (previous * 3).min(S(1)),
            "{p:?} after {previous:?}"
        );
        previous = *p;
    }
}

// ---- forever, timeout -------------------------------------------------------

static FOREVER_CALLS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(n = 1, delay = "1s"), forever, timeout = "10s")]
async fn forever_until_timeout() -> Result<(), Error> {
    FOREVER_CALLS.fetch_add(1, Ordering::SeqCst);
    Err(Error::Down)
}

#[tokio::test(start_paused = true)]
async fn forever_stops_at_the_timeout_exactly() {
    let start = Instant::now();
    assert_eq!(forever_until_timeout().await, Err(Error::Down));
    // Attempts at 0s, 1s, …, 10s; a pause ending at 11s would pass the deadline.
    assert_eq!(FOREVER_CALLS.load(Ordering::SeqCst), 11);
    assert_eq!(start.elapsed(), S(10));
}

#[retry(exponential(n = 2, initial = "1ms"), forever, sleep = record, attempt = attempt)]
fn forever_repeats_the_last_pause() -> Result<u32, Error> {
    if attempt < 6 {
        Err(Error::Down)
    } else {
        Ok(attempt)
    }
}

#[test]
fn forever_keeps_the_last_scheduled_pause() {
    assert_eq!(forever_repeats_the_last_pause(), Ok(6));
    assert_eq!(take_pauses(), [MS(1), MS(2), MS(2), MS(2), MS(2), MS(2)]);
}

static TIMEOUT_CALLS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(n = 10, delay = "1s"), timeout = "3500ms")]
async fn limited() -> Result<(), Error> {
    TIMEOUT_CALLS.fetch_add(1, Ordering::SeqCst);
    Err(Error::Down)
}

#[tokio::test(start_paused = true)]
async fn timeout_never_starts_a_pause_that_ends_past_it() {
    let start = Instant::now();
    assert_eq!(limited().await, Err(Error::Down));
    assert_eq!(TIMEOUT_CALLS.load(Ordering::SeqCst), 4);
    assert_eq!(start.elapsed(), S(3));
}

static SHORT_CALLS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(n = 10, delay = "1s"), timeout = "500ms")]
async fn timeout_shorter_than_first_pause() -> Result<(), Error> {
    SHORT_CALLS.fetch_add(1, Ordering::SeqCst);
    Err(Error::Down)
}

#[tokio::test(start_paused = true)]
async fn a_timeout_shorter_than_the_first_pause_means_one_attempt() {
    let start = Instant::now();
    assert_eq!(timeout_shorter_than_first_pause().await, Err(Error::Down));
    assert_eq!(SHORT_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

static SLOW_FIRST_CALLS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(n = 10, delay = "1s"), timeout = "5s")]
async fn slow_first_attempt() -> Result<(), Error> {
    if SLOW_FIRST_CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        tokio::time::sleep(S(3)).await;
    }
    Err(Error::Down)
}

#[tokio::test(start_paused = true)]
async fn the_timeout_counts_the_first_attempt() {
    let start = Instant::now();
    assert_eq!(slow_first_attempt().await, Err(Error::Down));
    // 3s first attempt, then pauses end at 4s and 5s; one ending at 6s would not fit.
    assert_eq!(SLOW_FIRST_CALLS.load(Ordering::SeqCst), 3);
    assert_eq!(start.elapsed(), S(5));
}

// ---- attempt_timeout -------------------------------------------------------

#[retry(constant(n = 3, delay = "100ms"), attempt_timeout = "1s", attempt = attempt)]
async fn hangs_twice() -> Result<u32, Error> {
    if attempt < 2 {
        tokio::time::sleep(S(3600)).await;
    }
    Ok(attempt)
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_cuts_a_hanging_attempt_and_retries() {
    let start = Instant::now();
    assert_eq!(hangs_twice().await, Ok(2));
    assert_eq!(start.elapsed(), S(2) + MS(200));
}

#[retry(constant(n = 1, delay = "100ms"), attempt_timeout = "1s")]
async fn always_hangs() -> Result<u32, Error> {
    tokio::time::sleep(S(3600)).await;
    Ok(0)
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_error_is_returned_when_retries_run_out() {
    assert_eq!(always_hangs().await, Err(Error::TimedOut));
}

// ---- on_retry ---------------------------------------------------------------

static SEEN: Mutex<Vec<(u32, Duration, Duration)>> = Mutex::new(Vec::new());

fn remember(_: &Error, info: &RetryInfo) {
    SEEN.lock()
        .unwrap()
        .push((info.attempt, info.delay, info.elapsed));
}

#[retry(exponential(n = 3, initial = "1s"), on_retry = remember)]
async fn observed() -> Result<(), Error> {
    tokio::time::sleep(MS(10)).await;
    Err(Error::Down)
}

#[tokio::test(start_paused = true)]
async fn on_retry_sees_attempt_delay_and_elapsed() {
    assert_eq!(observed().await, Err(Error::Down));
    let seen = SEEN.lock().unwrap().clone();
    assert_eq!(
        seen,
        [(0, S(1), MS(10)), (1, S(2), MS(1020)), (2, S(4), MS(3030)),]
    );
}

// ---- retry_after -----------------------------------------------------------

fn hint(e: &Error) -> Option<Duration> {
    match e {
        Error::Busy { retry_after_ms } => retry_after_ms.map(Duration::from_millis),
        _ => None,
    }
}

#[retry(exponential(n = 4, initial = "100ms", max = "5s"), retry_after = hint, sleep = record, attempt = attempt)]
fn hinted() -> Result<(), Error> {
    Err(match attempt {
        0 => Error::Busy {
            retry_after_ms: Some(3000),
        },
        1 => Error::Busy {
            retry_after_ms: None,
        },
        2 => Error::Busy {
            retry_after_ms: Some(60_000),
        },
        _ => Error::Busy {
            retry_after_ms: Some(0),
        },
    })
}

#[test]
fn retry_after_replaces_the_pause_capped_by_max() {
    let _ = hinted();
    // 3s hint; no hint: the schedule (200ms); 60s capped at 5s; a zero hint is zero.
    assert_eq!(take_pauses(), [S(3), MS(200), S(5), Duration::ZERO]);
}

static HUGE_HINT_CALLS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(n = 5, delay = "1s"), retry_after = |_: &Error| Some(Duration::MAX), timeout = "10s")]
async fn huge_hint() -> Result<(), Error> {
    HUGE_HINT_CALLS.fetch_add(1, Ordering::SeqCst);
    Err(Error::Down)
}

#[tokio::test(start_paused = true)]
async fn a_huge_hint_is_capped_by_the_timeout() {
    let start = Instant::now();
    assert_eq!(huge_hint().await, Err(Error::Down));
    // Capped at one day (no max), which does not fit in 10s: give up at once.
    assert_eq!(HUGE_HINT_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

// ---- retry_ok ----------------------------------------------------------------

#[retry(constant(n = 3, delay = "1ms"), retry_ok = |status: &u16| *status == 503, sleep = record, attempt = attempt)]
fn status(codes: &[u16]) -> Result<u16, Error> {
    Ok(codes[attempt as usize])
}

#[test]
fn retry_ok_retries_matching_values_and_returns_the_last() {
    assert_eq!(status(&[503, 503, 200, 200]), Ok(200));
    assert_eq!(take_pauses().len(), 2);
    assert_eq!(status(&[503, 503, 503, 503]), Ok(503));
    assert_eq!(take_pauses().len(), 3);
}

// ---- cancellation ------------------------------------------------------------

static CANCELLED_CALLS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(n = 10, delay = "1s"))]
async fn long_retry() -> Result<(), Error> {
    CANCELLED_CALLS.fetch_add(1, Ordering::SeqCst);
    Err(Error::Down)
}

#[tokio::test(start_paused = true)]
async fn dropping_the_future_mid_pause_stops_everything() {
    let cut = tokio::time::timeout(MS(2500), long_retry()).await;
    assert!(cut.is_err());
    assert_eq!(CANCELLED_CALLS.load(Ordering::SeqCst), 3);
    tokio::time::sleep(S(60)).await;
    assert_eq!(CANCELLED_CALLS.load(Ordering::SeqCst), 3);
}

// ---- forever with an empty custom schedule -----------------------------------

static EMPTY_CALLS: AtomicU32 = AtomicU32::new(0);

#[retry(schedule = std::iter::empty::<Duration>(), forever, sleep = record)]
fn empty_forever() -> Result<(), Error> {
    EMPTY_CALLS.fetch_add(1, Ordering::SeqCst);
    Err(Error::Down)
}

#[test]
fn forever_with_an_empty_custom_schedule_does_not_spin() {
    assert_eq!(empty_forever(), Err(Error::Down));
    assert_eq!(EMPTY_CALLS.load(Ordering::SeqCst), 1);
    assert!(take_pauses().is_empty());
}

#[retry(constant(n = 0, delay = "7ms"), forever, sleep = record, attempt = attempt)]
fn zero_retries_forever() -> Result<u32, Error> {
    if attempt < 3 {
        Err(Error::Down)
    } else {
        Ok(attempt)
    }
}

#[test]
fn forever_with_n_0_repeats_the_first_pause() {
    assert_eq!(zero_retries_forever(), Ok(3));
    assert_eq!(take_pauses(), [MS(7); 3]);
}

// ---- values through macro_rules, jitter as an expression ---------------------

macro_rules! retried {
    ($name:ident, $n:literal, $delay:literal) => {
        #[retry(constant(n = $n, delay = $delay), sleep = record)]
        fn $name() -> Result<(), Error> {
            Err(Error::Down)
        }
    };
}

retried!(via_macro_rules, 2, "3ms");

#[test]
fn literals_passed_through_macro_rules_are_accepted() {
    assert_eq!(via_macro_rules(), Err(Error::Down));
    assert_eq!(take_pauses(), [MS(3); 2]);
}

const NO_JITTER: reattempt::Jitter = reattempt::Jitter::Factor(0.0);

#[retry(constant(n = 2, delay = "4ms"), jitter = NO_JITTER, sleep = record)]
fn jitter_from_a_const() -> Result<(), Error> {
    Err(Error::Down)
}

#[test]
fn jitter_takes_an_expression_of_type_jitter() {
    assert_eq!(jitter_from_a_const(), Err(Error::Down));
    assert_eq!(take_pauses(), [MS(4); 2]);
}

// ---- an async fn builds its schedule only when an attempt fails ---------------

static SCHEDULES_BUILT: AtomicU32 = AtomicU32::new(0);

fn counted_retries() -> u32 {
    SCHEDULES_BUILT.fetch_add(1, Ordering::SeqCst);
    2
}

#[retry(constant(n = counted_retries(), delay = "1ms"))]
async fn lazily_scheduled(fail_first: bool, attempt_log: &Mutex<u32>) -> Result<(), Error> {
    let mut runs = attempt_log.lock().unwrap();
    *runs += 1;
    if fail_first && *runs == 1 {
        Err(Error::Down)
    } else {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn async_success_never_builds_the_schedule() {
    let runs = Mutex::new(0);
    assert_eq!(lazily_scheduled(false, &runs).await, Ok(()));
    assert_eq!(SCHEDULES_BUILT.load(Ordering::SeqCst), 0);
    let runs = Mutex::new(0);
    assert_eq!(lazily_scheduled(true, &runs).await, Ok(()));
    assert_eq!(*runs.lock().unwrap(), 2);
    assert_eq!(SCHEDULES_BUILT.load(Ordering::SeqCst), 1);
}
