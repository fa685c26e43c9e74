//! Randomised pauses, so that many clients that failed together do not retry
//! together.

use std::time::Duration;

use crate::backoff::from_nanos;

/// How a scheduled pause is randomised.
///
/// Whatever the kind, the result never exceeds the schedule's `max` (a hard
/// ceiling), or one day when no `max` is set.
///
/// ```
/// use std::time::Duration;
/// use reattempt::{Backoff, Jitter, Retrier};
///
/// let retrier = Retrier::new(Backoff::exponential(3, Duration::from_millis(100)))
///     .jitter(Jitter::Full);
/// # let _ = retrier;
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Jitter {
    /// Each pause becomes a uniform value in `[(1 - f) × d, (1 + f) × d]`, as
    /// go-resiliency's retrier does; `f` is clamped to `[0, 1]`.
    Factor(f64),
    /// AWS "full jitter": uniform in `[0, d]`. Spreads load the most.
    Full,
    /// AWS "equal jitter": `d / 2` plus uniform in `[0, d / 2]`.
    Equal,
    /// AWS "decorrelated jitter": `min(max, uniform[initial, 3 × previous pause])`,
    /// independent of the scheduled pause.
    Decorrelated,
}

impl Jitter {
    /// The randomised pause for the scheduled pause `scheduled`.
    ///
    /// `initial` and `previous` feed [`Jitter::Decorrelated`]; `ceiling` is the
    /// hard upper bound.
    #[inline]
    pub(crate) fn apply(
        self,
        rng: &mut fastrand::Rng,
        scheduled: Duration,
        initial: Duration,
        previous: Duration,
        ceiling: Duration,
    ) -> Duration {
        let d = scheduled.as_nanos();
        let (low, high) = match self {
            Jitter::Factor(f) => {
                let f = if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) };
                // `as` from f64 saturates: no overflow for huge pauses.
                #[allow(
                    clippy::cast_precision_loss,
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss
                )]
                let band = (
                    (d as f64 * (1.0 - f)) as u128,
                    (d as f64 * (1.0 + f)) as u128,
                );
                band
            }
            Jitter::Full => (0, d),
            Jitter::Equal => (d / 2, d),
            Jitter::Decorrelated => {
                let low = initial.as_nanos();
                (low, previous.as_nanos().max(low).saturating_mul(3))
            }
        };
        // The band is cut at the ceiling rather than its draws clamped to it:
        // clamping would put every draw above `max` on exactly `max`, and
        // clients in step again.
        let high = high.min(ceiling.as_nanos());
        from_nanos(uniform(rng, low.min(high), high))
    }
}

/// Uniform in `[low, high]`, for values that may exceed `u64`.
#[inline]
fn uniform(rng: &mut fastrand::Rng, low: u128, high: u128) -> u128 {
    // Pauses below 584 years (all but absurd ones): 64-bit arithmetic.
    match (u64::try_from(low), u64::try_from(high)) {
        (Ok(low), Ok(high)) => u128::from(rng.u64(low..=high)),
        _ => rng.u128(low..=high),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CEIL: Duration = Duration::from_secs(3600);

    fn draws(j: Jitter, d: Duration) -> impl Iterator<Item = Duration> {
        let mut rng = fastrand::Rng::with_seed(7);
        (0..10_000).map(move |_| j.apply(&mut rng, d, Duration::from_secs(1), d, CEIL))
    }

    #[test]
    fn every_kind_stays_in_its_band() {
        let d = Duration::from_secs(10);
        assert!(draws(Jitter::Factor(0.2), d)
            .all(|p| p >= Duration::from_secs(8) && p <= Duration::from_secs(12)));
        assert!(draws(Jitter::Full, d).all(|p| p <= d));
        assert!(draws(Jitter::Equal, d).all(|p| p >= d / 2 && p <= d));
        assert!(draws(Jitter::Decorrelated, d).all(|p| p >= Duration::from_secs(1) && p <= d * 3));
    }

    #[test]
    fn draws_spread_over_the_band() {
        let d = Duration::from_secs(10);
        let low = draws(Jitter::Full, d).filter(|p| *p < d / 10).count();
        let high = draws(Jitter::Full, d).filter(|p| *p > d * 9 / 10).count();
        assert!(low > 500 && high > 500, "{low} {high}");
    }

    #[test]
    fn a_band_cut_by_the_ceiling_does_not_pile_up_on_it() {
        let mut rng = fastrand::Rng::with_seed(3);
        let d = Duration::from_secs(40);
        let at_max = (0..1000)
            .map(|_| Jitter::Factor(0.5).apply(&mut rng, d, d, d, d))
            .filter(|p| *p == d)
            .count();
        assert!(at_max < 10, "{at_max} draws on the ceiling");
    }

    #[test]
    fn ceiling_is_hard() {
        let d = Duration::from_secs(10);
        let mut rng = fastrand::Rng::with_seed(1);
        for j in [
            Jitter::Factor(1.0),
            Jitter::Full,
            Jitter::Equal,
            Jitter::Decorrelated,
        ] {
            for _ in 0..1000 {
                let p = j.apply(&mut rng, d, d, d, Duration::from_secs(9));
                assert!(p <= Duration::from_secs(9), "{j:?} {p:?}");
            }
        }
    }

    #[test]
    fn out_of_range_factors_are_clamped() {
        let d = Duration::from_secs(1);
        assert!(draws(Jitter::Factor(f64::NAN), d).all(|p| p == d));
        assert!(draws(Jitter::Factor(-3.0), d).all(|p| p == d));
        assert!(draws(Jitter::Factor(7.0), d).all(|p| p <= d * 2));
    }
}
