//! Property tests of the runtime: for any input, schedules yield exactly `n`
//! pauses, grow monotonically and saturate; jitter stays in its band and
//! under the ceiling; `timeout` is never overshot by a pause; a budget stays
//! within `[0, max_tokens]` and answers as gRPC's token bucket does.
//!
//! `PROPTEST_CASES` overrides the number of cases of every property.

use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::backoff::DEFAULT_CEILING;
use crate::outcome::Outcome;
use crate::{Backoff, Budget, Jitter, Policy, State};
#[cfg(feature = "tokio")]
use crate::{Retrier, RetryInfo};

fn config(cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config.failure_persistence = None;
    config
}

/// Any `Duration`, with the edges (zero, one day, `MAX`) often.
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        1 => Just(Duration::ZERO),
        1 => Just(Duration::from_nanos(1)),
        1 => Just(DEFAULT_CEILING),
        1 => Just(DEFAULT_CEILING + Duration::from_nanos(1)),
        1 => Just(Duration::MAX),
        1 => Just(Duration::from_secs(u64::MAX / 2)),
        4 => (0..10_000_000_000u64).prop_map(Duration::from_nanos),
        2 => (any::<u64>(), 0..1_000_000_000u32).prop_map(|(s, n)| Duration::new(s, n)),
    ]
}

/// Any factor, with NaN, the infinities, zero, negatives and huge values.
fn factor() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(
            &[
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                0.0,
                -0.0,
                -1.0,
                0.5,
                1.0,
                1.000_000_1,
                1.5,
                2.0,
                3.0,
                10.0,
                1e19,
                1e300,
                f64::MAX,
                f64::MIN_POSITIVE,
                f64::EPSILON,
                4_294_967_295.0,
                4_294_967_296.0,
            ][..]
        ),
        any::<f64>(),
        0.0..16.0f64,
    ]
}

#[derive(Clone, Copy, Debug)]
enum Form {
    Constant,
    Exponential,
    Fibonacci,
}

fn backoff(form: Form, n: u32, initial: Duration, max: Option<Duration>, factor: f64) -> Backoff {
    let b = match form {
        Form::Constant => Backoff::constant(n, initial),
        Form::Exponential => Backoff::exponential(n, initial).factor(factor),
        Form::Fibonacci => Backoff::fibonacci(n, initial),
    };
    match max {
        Some(max) => b.max(max),
        None => b,
    }
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        Just(Form::Constant),
        Just(Form::Exponential),
        Just(Form::Fibonacci)
    ]
}

/// The default outcome of a failed attempt: always retryable.
fn failed() -> Result<(), ()> {
    Err(())
}

/// Builds a paused current-thread tokio runtime (virtual time).
#[cfg(feature = "tokio")]
fn paused_runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("tokio runtime: {e}"),
    }
}

proptest! {
    #![proptest_config(config(500))]

    /// Exactly `n` pauses; non-decreasing; none above the ceiling; the first
    /// is `initial` (capped); the iterator's length is exact throughout.
    #[test]
    fn schedules_yield_exactly_n_monotone_capped_pauses(
        form in form(),
        n in prop_oneof![0..8u32, 0..3_000u32],
        initial in duration(),
        max in prop::option::of(duration()),
        factor in factor(),
    ) {
        let b = backoff(form, n, initial, max, factor);
        let ceiling = max.unwrap_or(DEFAULT_CEILING);
        prop_assert_eq!(b.retries(), n);
        let mut pauses = b.iter();
        let mut seen = 0u32;
        let mut previous = Duration::ZERO;
        while let Some(p) = pauses.next() {
            seen += 1;
            prop_assert!(p <= ceiling, "pause {p:?} above the ceiling {ceiling:?}");
            prop_assert!(p >= previous, "pause {seen}: {p:?} after {previous:?}");
            if seen == 1 {
                prop_assert_eq!(p, initial.min(ceiling));
            }
            if matches!(form, Form::Constant) {
                prop_assert_eq!(p, initial.min(ceiling));
            }
            prop_assert_eq!(pauses.len(), (n - seen) as usize);
            previous = p;
        }
        prop_assert_eq!(seen, n);
        prop_assert_eq!(pauses.next(), None);
        prop_assert_eq!(pauses.next(), None);
        // A clone starts over, and iterating by reference does not consume.
        prop_assert_eq!(b.iter().count(), n as usize);
        prop_assert_eq!((&b).into_iter().count(), n as usize);
    }

    /// Any `n` (up to `u32::MAX`): the first pauses come without panic or
    /// wrap, and growth stops at the ceiling.
    #[test]
    fn huge_schedules_saturate(
        form in form(),
        n in prop_oneof![Just(u32::MAX), any::<u32>()],
        initial in duration(),
        max in prop::option::of(duration()),
        factor in factor(),
    ) {
        let b = backoff(form, n, initial, max, factor);
        let ceiling = max.unwrap_or(DEFAULT_CEILING);
        let pauses: Vec<Duration> = b.iter().take(400).collect();
        prop_assert_eq!(pauses.len(), n.min(400) as usize);
        prop_assert!(pauses.windows(2).all(|w| w[0] <= w[1]));
        prop_assert!(pauses.iter().all(|p| *p <= ceiling));
        // Doubling (or Fibonacci) from at least 1ns reaches any ceiling within
        // 200 steps (2^200 ns is far past Duration::MAX).
        let grows = match form {
            Form::Constant => false,
            Form::Exponential => factor >= 2.0,
            Form::Fibonacci => true,
        };
        if grows && !initial.is_zero() && n >= 400 {
            prop_assert_eq!(pauses[399], ceiling);
        }
    }

    /// A list schedule yields exactly its pauses (each under the one-day
    /// ceiling, as every pause of a `Backoff` without `max`).
    #[test]
    fn list_schedules_yield_their_pauses(list in prop::collection::vec(duration(), 0..50)) {
        let b = Backoff::list(list.clone());
        prop_assert_eq!(b.retries() as usize, list.len());
        let capped: Vec<Duration> = list.iter().map(|d| (*d).min(DEFAULT_CEILING)).collect();
        prop_assert_eq!(b.iter().collect::<Vec<_>>(), capped);
    }

    /// Every jitter kind stays in its band and never above the ceiling, for
    /// any pause, factor (NaN, negative, > 1) and ceiling.
    #[test]
    fn jitter_stays_in_its_band_and_under_the_ceiling(
        seed in any::<u64>(),
        kind in 0..4u8,
        f in factor(),
        scheduled in duration(),
        initial in duration(),
        previous in duration(),
        ceiling in duration(),
    ) {
        let jitter = match kind {
            0 => Jitter::Factor(f),
            1 => Jitter::Full,
            2 => Jitter::Equal,
            _ => Jitter::Decorrelated,
        };
        let mut rng = fastrand::Rng::with_seed(seed);
        let cap = |d: Duration| d.min(ceiling);
        for _ in 0..20 {
            let p = jitter.apply(&mut rng, scheduled, initial, previous, ceiling);
            prop_assert!(p <= ceiling, "{jitter:?}: {p:?} above the ceiling {ceiling:?}");
            let (low, high) = match jitter {
                Jitter::Factor(f) => {
                    let f = if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) };
                    (scale(scheduled, 1.0 - f), scale(scheduled, 1.0 + f))
                }
                Jitter::Full => (Duration::ZERO, scheduled),
                Jitter::Equal => (scheduled / 2, scheduled),
                Jitter::Decorrelated => {
                    let high = previous.max(initial).checked_mul(3).unwrap_or(Duration::MAX);
                    (initial, high)
                }
            };
            // f64 arithmetic on huge pauses rounds: allow a relative 1e-12.
            let slack = |d: Duration| Duration::from_secs_f64(d.as_secs_f64() * 1e-12) + Duration::from_nanos(1);
            prop_assert!(
                p.saturating_add(slack(low)) >= cap(low) && p <= cap(high).saturating_add(slack(high)),
                "{jitter:?}: {p:?} outside [{low:?}, {high:?}] (ceiling {ceiling:?})"
            );
        }
    }

    /// The whole pipeline (schedule, jitter, hints, ceiling): each call of
    /// `next_pause` answers `n` times, then stops; no pause exceeds `max`.
    #[test]
    fn state_pauses_n_times_under_max_with_jitter_and_hints(
        form in form(),
        n in 0..300u32,
        initial in duration(),
        max in prop::option::of(duration()),
        factor in factor(),
        jitter in prop::option::of(prop_oneof![
            factor().prop_map(Jitter::Factor),
            Just(Jitter::Full),
            Just(Jitter::Equal),
            Just(Jitter::Decorrelated),
        ]),
        hints in prop::collection::vec(prop::option::of(duration()), 1..8),
    ) {
        let b = backoff(form, n, initial, max, factor);
        let ceiling = max.unwrap_or(DEFAULT_CEILING);
        let mut policy = Policy::new("prop");
        if let Some(j) = jitter {
            policy = policy.jitter(j);
        }
        let mut state = State::backoff(b.clone(), policy);
        let mut count = 0u32;
        let result = failed();
        while let Some(p) = state.next_pause(
            Outcome::of(&result).retry_after(|()| hints[count as usize % hints.len()]),
        ) {
            let hint = hints[count as usize % hints.len()];
            prop_assert!(p <= ceiling);
            if let Some(h) = hint {
                prop_assert_eq!(p, h.min(ceiling));
            }
            count += 1;
            prop_assert_eq!(state.attempt(), count);
            prop_assert!(count <= n);
        }
        prop_assert_eq!(count, n);
    }

    /// `timeout`: no pause ends past it (a fake clock: tokio's paused time,
    /// advanced by each attempt's duration and each pause), and the call does
    /// not stop early while the next scheduled pause still fits.
    #[cfg(feature = "tokio")]
    #[test]
    fn timeout_is_never_exceeded_by_a_pause(
        form in form(),
        n in 0..60u32,
        initial in (0..5_000u64).prop_map(Duration::from_millis),
        max in prop::option::of((0..20_000u64).prop_map(Duration::from_millis)),
        factor in factor(),
        timeout in (0..60_000u64).prop_map(Duration::from_millis),
        attempts in prop::collection::vec((0..3_000u64).prop_map(Duration::from_millis), 1..10),
        jitter in prop::option::of(prop_oneof![Just(Jitter::Factor(0.5)), Just(Jitter::Full), Just(Jitter::Decorrelated)]),
    ) {
        let b = backoff(form, n, initial, max, factor);
        let ceiling = max.unwrap_or(DEFAULT_CEILING);
        let schedule: Vec<Duration> = b.iter().map(|d| d.min(ceiling)).collect();
        paused_runtime().block_on(async {
            let mut policy = Policy::new("prop").tokio_clock().timeout(timeout);
            if let Some(j) = jitter {
                policy = policy.jitter(j);
            }
            let start = tokio::time::Instant::now();
            let mut state = State::backoff(b, policy);
            let result = failed();
            let mut count = 0usize;
            loop {
                tokio::time::advance(attempts[count % attempts.len()]).await;
                let Some(p) = state.next_pause(Outcome::of(&result)) else { break };
                let elapsed = start.elapsed();
                prop_assert!(elapsed + p <= timeout, "pause {p:?} at {elapsed:?} ends past {timeout:?}");
                tokio::time::advance(p).await;
                count += 1;
            }
            if jitter.is_none() && count < schedule.len() {
                // Stopped early: the next pause would have ended past the timeout.
                prop_assert!(start.elapsed() + schedule[count] > timeout);
            }
            Ok(())
        })?;
    }

    /// The same through `Retrier::run_async` with tokio's sleep: every pause
    /// (seen by `on_retry` and measured on the virtual clock) ends in time.
    #[cfg(feature = "tokio")]
    #[test]
    fn retrier_timeout_holds_end_to_end(
        n in 0..30u32,
        initial in (0..5_000u64).prop_map(Duration::from_millis),
        timeout in (0..30_000u64).prop_map(Duration::from_millis),
        attempts in prop::collection::vec((0..3_000u64).prop_map(Duration::from_millis), 1..6),
        hint in prop::option::of((0..10_000u64).prop_map(Duration::from_millis)),
    ) {
        let infos = std::cell::RefCell::new(Vec::<RetryInfo>::new());
        let starts = std::cell::RefCell::new(Vec::new());
        paused_runtime().block_on(async {
            let start = tokio::time::Instant::now();
            let retrier = Retrier::new(Backoff::exponential(n, initial))
                .timeout(timeout)
                .retry_after(|(): &()| hint)
                .on_retry(|(): &(), info: &RetryInfo| infos.borrow_mut().push(*info));
            let out: Result<(), ()> = retrier
                .run_async(|attempt| {
                    starts.borrow_mut().push(start.elapsed());
                    let length = attempts[attempt as usize % attempts.len()];
                    async move {
                        tokio::time::sleep(length).await;
                        Err(())
                    }
                })
                .await;
            prop_assert_eq!(out, Err(()));
            Ok(())
        })?;
        let infos = infos.into_inner();
        let starts = starts.into_inner();
        prop_assert_eq!(starts.len(), infos.len() + 1);
        prop_assert!(infos.len() <= n as usize);
        for info in &infos {
            prop_assert!(info.elapsed + info.delay <= timeout, "{info:?} past {timeout:?}");
        }
        // Attempt k + 1 starts when pause k ends: within the timeout.
        for s in starts.iter().skip(1) {
            prop_assert!(*s <= timeout, "an attempt started at {s:?}, past {timeout:?}");
        }
    }

    /// A budget never goes below zero or above `max_tokens`, and answers as
    /// the gRPC token bucket (in thousandths of a token), for any sequence.
    #[test]
    fn budget_stays_within_bounds(
        max_tokens in prop_oneof![0..6u32, any::<u32>(), Just(u32::MAX)],
        ratio in prop_oneof![factor(), 0.0..3.0f64],
        ops in prop::collection::vec(any::<bool>(), 0..200),
    ) {
        let budget = Budget::new(max_tokens, ratio);
        let max = u64::from(max_tokens) * 1000;
        let refill = refill(ratio).min(max);
        let mut model = max;
        prop_assert_eq!(milli(&budget), max);
        for failed in ops {
            if failed {
                model = model.saturating_sub(1000);
                prop_assert_eq!(budget.failed(), model > max / 2);
            } else {
                if model < max {
                    model = (model + refill).min(max);
                }
                budget.succeeded();
            }
            let now = milli(&budget);
            prop_assert!(now <= max, "{now} above {max}");
            prop_assert_eq!(now, model);
        }
    }
}

/// `d × k`, saturating.
fn scale(d: Duration, k: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * k).unwrap_or(Duration::MAX)
}

/// `token_ratio` in thousandths, as `Budget::new` documents it (`as` saturates, NaN is 0).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn refill(ratio: f64) -> u64 {
    (ratio * 1000.0) as u64
}

/// The tokens of `budget` in thousandths (exact: below 2^53).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn milli(budget: &Budget) -> u64 {
    (budget.tokens() * 1000.0).round() as u64
}

#[cfg(feature = "tokio")]
#[test]
fn forever_with_timeout_stops() {
    paused_runtime().block_on(async {
        let policy = Policy::new("prop")
            .tokio_clock()
            .forever()
            .timeout(Duration::from_secs(10));
        let mut state = State::backoff(Backoff::constant(1, Duration::from_secs(1)), policy);
        let result = failed();
        let mut count = 0;
        while let Some(p) = state.next_pause(Outcome::of(&result)) {
            tokio::time::advance(p).await;
            count += 1;
        }
        assert_eq!(count, 10);
    });
}
