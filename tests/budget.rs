//! The retry budget under contention: retries stay within the bucket's
//! allowance whatever the interleaving (no retry storm), refused retries do not
//! pause, and one budget serves sync and async callers alike.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use reattempt::{retry, Budget};

fn no_pause(_: Duration) {}

static STORM: Budget = Budget::new(100, 0.1);
static STORM_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(n = 5, delay = "1s"), budget = &STORM, sleep = no_pause)]
fn always_down() -> Result<(), &'static str> {
    STORM_ATTEMPTS.fetch_add(1, Ordering::Relaxed);
    Err("down")
}

#[test]
fn eight_threads_hammering_one_budget_retry_exactly_its_allowance() {
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..100 {
                    assert_eq!(always_down(), Err("down"));
                }
            });
        }
    });
    // 800 calls. Every failure takes a token (also a last one, whose schedule
    // is used up, as in gRPC); a retry is allowed only while the bucket stays
    // above 50: at most 49 retries in all (100 → 51), instead of 800 × 5 = 4000
    // without a budget. A call that uses up its 5 retries spends a sixth token
    // on its last failure, so at least 49 × 5 / 6 > 40 of them are retries.
    let retries = STORM_ATTEMPTS.load(Ordering::Relaxed) - 800;
    assert!((40..=49).contains(&retries), "{retries} retries");
    assert!(STORM.tokens().abs() < 1e-9);
}

static REFILL: Budget = Budget::new(10, 0.5);
static PAUSED: AtomicU32 = AtomicU32::new(0);

fn count_pause(_: Duration) {
    PAUSED.fetch_add(1, Ordering::Relaxed);
}

#[retry(constant(n = 3, delay = "1s"), budget = &REFILL, sleep = count_pause)]
fn maybe(fail: bool) -> Result<(), ()> {
    if fail {
        Err(())
    } else {
        Ok(())
    }
}

#[test]
fn refused_retries_return_at_once_and_successes_refill() {
    // 10 tokens: failures leave 9, 8, 7, 6 (retry), 5 (refused: no pause).
    assert_eq!(maybe(true), Err(())); // 9, 8, 7 → 3 pauses, then 6: exhausted
    assert_eq!(PAUSED.load(Ordering::Relaxed), 3);
    assert!((REFILL.tokens() - 6.0).abs() < 1e-9);
    assert_eq!(maybe(true), Err(())); // 5: refused at once
    assert_eq!(PAUSED.load(Ordering::Relaxed), 3);
    for _ in 0..4 {
        assert_eq!(maybe(false), Ok(())); // +0.5 each
    }
    assert!((REFILL.tokens() - 7.0).abs() < 1e-9);
    assert_eq!(maybe(true), Err(())); // 7 → 6: one retry; 6 → 5: refused
    assert_eq!(PAUSED.load(Ordering::Relaxed), 4);
    assert!((REFILL.tokens() - 5.0).abs() < 1e-9);
}

static SHARED: Budget = Budget::new(40, 0.0);
static SHARED_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

#[retry(constant(n = 10, delay = "1ms"), budget = &SHARED, sleep = no_pause)]
fn shared_sync() -> Result<(), ()> {
    SHARED_ATTEMPTS.fetch_add(1, Ordering::Relaxed);
    Err(())
}

#[retry(constant(n = 10, delay = "1ms"), budget = &SHARED)]
async fn shared_async() -> Result<(), ()> {
    SHARED_ATTEMPTS.fetch_add(1, Ordering::Relaxed);
    tokio::task::yield_now().await;
    Err(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_budget_shared_by_sync_and_async_callers() {
    let sync_side = std::thread::spawn(|| {
        for _ in 0..50 {
            let _ = shared_sync();
        }
    });
    let tasks: Vec<_> = (0..50).map(|_| tokio::spawn(shared_async())).collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), Err(()));
    }
    sync_side.join().unwrap();
    // 100 calls; at most 19 retries in all (40 → 21), whoever asked (18 when
    // one call happened to use up its 10 retries and spent a token on its last failure).
    let retries = SHARED_ATTEMPTS.load(Ordering::Relaxed) - 100;
    assert!((17..=19).contains(&retries), "{retries} retries");
}
