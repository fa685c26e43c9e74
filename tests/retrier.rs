//! The runtime without the macro: `Backoff` schedules and the `Retrier`
//! builder with `run`, `run_async`, `retry_if`, `classify` and `sleep`.

use reattempt::{Action, Backoff, Classifier, Retrier};
use std::cell::{Cell, RefCell};
use std::time::Duration;
use tokio::time::Instant;

mod common;
use common::{ms, pauses, record, secs};

async fn record_async(d: Duration) {
    record(d);
}

#[derive(Debug, PartialEq, Eq)]
enum E {
    Busy(u32),
    Fatal(u32),
}

// ------------------------------------------------------------ schedules

#[test]
fn backoff_yields_exactly_its_pauses() {
    let all = |b: Backoff| b.into_iter().collect::<Vec<_>>();
    assert_eq!(all(Backoff::constant(3, secs(1))), [secs(1); 3]);
    assert_eq!(
        all(Backoff::exponential(3, secs(1))),
        [secs(1), secs(2), secs(4)]
    );
    assert_eq!(
        all(Backoff::exponential(8, ms(100)).max(secs(2))),
        [100, 200, 400, 800, 1600, 2000, 2000, 2000].map(ms)
    );
    assert_eq!(
        all(Backoff::exponential(4, secs(1)).factor(3)),
        [1, 3, 9, 27].map(secs)
    );
    assert_eq!(
        all(Backoff::exponential(3, secs(2)).factor(0.5)),
        [secs(2); 3]
    );
    assert_eq!(
        all(Backoff::fibonacci(5, secs(1))),
        [1, 1, 2, 3, 5].map(secs)
    );
    assert_eq!(
        all(Backoff::fibonacci(6, secs(1)).max(secs(4))),
        [1, 1, 2, 3, 4, 4].map(secs)
    );
    assert_eq!(
        all(Backoff::list([ms(3), ms(1), ms(2)])),
        [ms(3), ms(1), ms(2)]
    );
    assert_eq!(all(Backoff::constant(0, secs(1))), []);
    assert_eq!(all(Backoff::list([])), []);
}

#[test]
fn backoff_is_clone_and_reiterable() {
    let b = Backoff::fibonacci(4, ms(10));
    let copy = b.clone();
    assert_eq!(b.retries(), 4);
    assert_eq!(
        b.iter().collect::<Vec<_>>(),
        copy.into_iter().collect::<Vec<_>>()
    );
    assert_eq!((&b).into_iter().len(), 4);
    assert_eq!(b.iter().last(), Some(ms(30)));
    assert_eq!(Backoff::list([ms(1), ms(2)]).retries(), 2);
}

#[test]
fn backoff_saturates_at_one_day() {
    let day = secs(24 * 60 * 60);
    let last = Backoff::exponential(u32::MAX, secs(1))
        .factor(1e300)
        .iter()
        .take(50)
        .last();
    assert_eq!(last, Some(day));
    assert_eq!(Backoff::fibonacci(300, secs(1)).iter().last(), Some(day));
    assert_eq!(Backoff::constant(1, Duration::MAX).iter().next(), Some(day));
}

// ----------------------------------------------------------------- run

#[test]
fn run_retries_until_the_schedule_is_used_up() {
    let retrier = Retrier::new(Backoff::exponential(3, ms(10))).sleep(record);
    let mut seen = Vec::new();
    let out: Result<u32, E> = retrier.run(|attempt| {
        seen.push(attempt);
        Err(E::Busy(attempt))
    });
    assert_eq!(out, Err(E::Busy(3)));
    assert_eq!(seen, [0, 1, 2, 3]);
    assert_eq!(pauses(), [ms(10), ms(20), ms(40)]);
}

#[test]
fn run_stops_at_success_and_returns_it() {
    let retrier = Retrier::new(Backoff::fibonacci(5, ms(10))).sleep(record);
    let mut calls = 0;
    let out = retrier.run(|attempt| {
        calls += 1;
        if attempt < 3 {
            Err(E::Busy(attempt))
        } else {
            Ok(format!("done at {attempt}"))
        }
    });
    assert_eq!(out.as_deref(), Ok("done at 3"));
    assert_eq!(calls, 4);
    assert_eq!(pauses(), [ms(10), ms(10), ms(20)]);
}

#[test]
fn run_first_success_and_zero_retries() {
    let retrier = Retrier::new(Backoff::constant(5, secs(1))).sleep(record);
    assert_eq!(retrier.run(Ok::<u32, E>), Ok(0));
    let none = Retrier::new(Backoff::constant(0, secs(1))).sleep(record);
    let mut calls = 0;
    let out: Result<(), E> = none.run(|a| {
        calls += 1;
        Err(E::Busy(a))
    });
    assert_eq!(out, Err(E::Busy(0)));
    assert_eq!(calls, 1);
    assert_eq!(pauses(), []);
}

#[test]
fn a_retrier_is_reusable_and_each_run_starts_afresh() {
    let retrier = Retrier::new(Backoff::list([ms(5), ms(7)])).sleep(record);
    for _ in 0..2 {
        let out: Result<(), E> = retrier.run(|a| Err(E::Busy(a)));
        assert_eq!(out, Err(E::Busy(2)));
        assert_eq!(pauses(), [ms(5), ms(7)]);
    }
    let clone = retrier.clone();
    assert_eq!(
        clone.run(|a| if a == 0 { Err(E::Busy(0)) } else { Ok(a) }),
        Ok(1)
    );
    assert_eq!(pauses(), [ms(5)]);
}

#[test]
fn sleep_closure_capturing_local_state() {
    let local = RefCell::new(Vec::new());
    let retrier = Retrier::new(Backoff::exponential(3, secs(1)).factor(1.5))
        .sleep(|d| local.borrow_mut().push(d));
    let out: Result<(), E> = retrier.run(|a| Err(E::Busy(a)));
    assert_eq!(out, Err(E::Busy(3)));
    assert_eq!(*local.borrow(), [ms(1000), ms(1500), ms(2250)]);
}

// ------------------------------------------------------------ retry_if

#[test]
fn retry_if_stops_on_other_errors() {
    let retrier = Retrier::new(Backoff::constant(5, ms(1)))
        .sleep(record)
        .retry_if(|e: &E| matches!(e, E::Busy(_)));
    let out: Result<(), E> = retrier.run(|a| {
        if a < 2 {
            Err(E::Busy(a))
        } else {
            Err(E::Fatal(a))
        }
    });
    assert_eq!(out, Err(E::Fatal(2)));
    assert_eq!(pauses(), [ms(1); 2]);

    let out: Result<(), E> = retrier.run(|a| Err(E::Busy(a)));
    assert_eq!(out, Err(E::Busy(5)));
    assert_eq!(pauses(), [ms(1); 5]);

    let out: Result<(), E> = retrier.run(|a| Err(E::Fatal(a)));
    assert_eq!(out, Err(E::Fatal(0)));
    assert_eq!(pauses(), []);
}

// ------------------------------------------------------------ classify

#[test]
fn classify_closure_with_every_action() {
    // Ok(0) means "not ready": retried. Busy: retried. Fatal(7) is treated
    // as a success (nothing to do). Other Fatal: fail at once.
    let retrier = Retrier::new(Backoff::constant(4, ms(2)))
        .sleep(record)
        .classify(|r: &Result<u32, E>| match r {
            Ok(0) | Err(E::Busy(_)) => Action::Retry,
            Ok(_) | Err(E::Fatal(7)) => Action::Succeed,
            Err(E::Fatal(_)) => Action::Fail,
        });

    assert_eq!(retrier.run(|a| if a < 3 { Ok(0) } else { Ok(a) }), Ok(3));
    assert_eq!(pauses(), [ms(2); 3]);

    // Retried `Ok` values: when the schedule is used up, the last one returns.
    assert_eq!(retrier.run(|_| Ok(0)), Ok(0));
    assert_eq!(pauses(), [ms(2); 4]);

    let mut calls = 0;
    let out = retrier.run(|a| {
        calls += 1;
        if a == 0 {
            Err(E::Busy(0))
        } else {
            Err(E::Fatal(7))
        }
    });
    assert_eq!(out, Err(E::Fatal(7)));
    assert_eq!(calls, 2);
    assert_eq!(pauses(), [ms(2)]);

    let out = retrier.run(|a| {
        if a < 2 {
            Err(E::Busy(a))
        } else {
            Err(E::Fatal(a))
        }
    });
    assert_eq!(out, Err(E::Fatal(2)));
    assert_eq!(pauses(), [ms(2); 2]);
}

/// A classifier type, as in Go: server errors (5xx) are retried.
struct ServerErrors;

impl<T> Classifier<T, u16> for ServerErrors {
    fn classify(&self, outcome: &Result<T, u16>) -> Action {
        match outcome {
            Ok(_) => Action::Succeed,
            Err(500..=599) => Action::Retry,
            Err(_) => Action::Fail,
        }
    }
}

#[test]
fn classify_with_a_classifier_type() {
    let retrier = Retrier::new(Backoff::exponential(4, ms(1)))
        .sleep(record)
        .classify(ServerErrors);
    let codes = [503, 500, 404, 200];
    let mut calls = 0;
    let out: Result<(), u16> = retrier.run(|a| {
        calls += 1;
        Err(codes[a as usize])
    });
    assert_eq!(out, Err(404));
    assert_eq!(calls, 3);
    assert_eq!(pauses(), [ms(1), ms(2)]);
    assert_eq!(
        retrier.run(|a| if a < 4 { Err(502) } else { Ok("up") }),
        Ok("up")
    );
    assert_eq!(pauses(), [ms(1), ms(2), ms(4), ms(8)]);
}

// ----------------------------------------------------------- run_async

#[tokio::test(start_paused = true)]
async fn run_async_default_sleep_uses_virtual_time() {
    let retrier = Retrier::new(Backoff::exponential(3, secs(1)));
    let start = Instant::now();
    let calls = Cell::new(0);
    let out: Result<u32, E> = retrier
        .run_async(|a| {
            calls.set(calls.get() + 1);
            async move { Err(E::Busy(a)) }
        })
        .await;
    assert_eq!(out, Err(E::Busy(3)));
    assert_eq!(calls.get(), 4);
    assert_eq!(start.elapsed(), secs(1 + 2 + 4));

    let start = Instant::now();
    let out = retrier
        .run_async(|a| async move {
            tokio::time::sleep(ms(10)).await;
            if a < 1 {
                Err(E::Busy(a))
            } else {
                Ok(a)
            }
        })
        .await;
    assert_eq!(out, Ok(1));
    assert_eq!(start.elapsed(), ms(10 + 1000 + 10));
}

#[tokio::test(start_paused = true)]
async fn run_async_custom_sleep_and_retry_if() {
    let retrier = Retrier::new(Backoff::fibonacci(5, ms(100)))
        .sleep(record_async)
        .retry_if(|e: &E| matches!(e, E::Busy(_)));
    let start = Instant::now();
    let out: Result<(), E> = retrier
        .run_async(|a| async move {
            if a < 3 {
                Err(E::Busy(a))
            } else {
                Err(E::Fatal(a))
            }
        })
        .await;
    assert_eq!(out, Err(E::Fatal(3)));
    assert_eq!(pauses(), [ms(100), ms(100), ms(200)]);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn run_async_classify() {
    let retrier = Retrier::new(Backoff::constant(3, secs(1))).classify(ServerErrors);
    let start = Instant::now();
    let out = retrier
        .run_async(|a| async move {
            if a < 2 {
                Err(503)
            } else {
                Ok(a)
            }
        })
        .await;
    assert_eq!(out, Ok(2));
    assert_eq!(start.elapsed(), secs(2));
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test(start_paused = true)]
async fn run_async_is_send_and_cancels_on_drop() {
    let retrier = Retrier::new(Backoff::constant(5, secs(1)));
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let op = |a: u32| {
        let calls = calls.clone();
        async move {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err::<(), E>(E::Busy(a))
        }
    };
    let fut = retrier.run_async(op);
    assert_send(&fut);
    // Attempts at 0s and 1s; cut at 1.5s, mid-pause.
    assert!(tokio::time::timeout(ms(1500), fut).await.is_err());
    tokio::time::sleep(secs(60)).await;
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}
