//! Back-off schedules: the pauses between attempts.

use std::sync::Arc;
use std::time::Duration;

/// The ceiling of every computed pause when no `max` is set: one day.
///
/// Huge `n` or `factor` values saturate here instead of overflowing.
pub(crate) const DEFAULT_CEILING: Duration = Duration::from_secs(24 * 60 * 60);

/// A back-off schedule: the pauses before retry 1, 2, 3, …
///
/// `n` is the number of **retries**, so a `Backoff` yields exactly `n` pauses
/// and the operation runs at most `n + 1` times. Arithmetic saturates: no `n`,
/// `initial` or `factor` panics or wraps; pauses stop growing at [`max`](Self::max),
/// or at one day when no `max` is set.
///
/// ```
/// use std::time::Duration;
/// use reattempt::Backoff;
///
/// let pauses: Vec<Duration> = Backoff::exponential(4, Duration::from_secs(1))
///     .max(Duration::from_secs(5))
///     .into_iter()
///     .collect();
/// let secs: Vec<u64> = pauses.iter().map(Duration::as_secs).collect();
/// assert_eq!(secs, [1, 2, 4, 5]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    kind: Kind,
    n: u32,
    initial: Duration,
    max: Option<Duration>,
    factor: f64,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Constant,
    Exponential,
    Fibonacci,
    // Shared, so cloning a list schedule (once per failing call) never allocates.
    List(Arc<[Duration]>),
}

impl Backoff {
    /// `n` retries, each after the same pause `delay`.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::constant(3, Duration::from_millis(10));
    /// assert_eq!(b.into_iter().collect::<Vec<_>>(), [Duration::from_millis(10); 3]);
    /// ```
    #[must_use]
    #[inline]
    pub const fn constant(n: u32, delay: Duration) -> Self {
        Self::new(Kind::Constant, n, delay)
    }

    /// `n` retries; the first pause is `initial`, each next one is
    /// [`factor`](Self::factor) (default 2) times the previous.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::exponential(3, Duration::from_secs(1));
    /// let secs: Vec<u64> = b.into_iter().map(|d| d.as_secs()).collect();
    /// assert_eq!(secs, [1, 2, 4]);
    /// ```
    #[must_use]
    #[inline]
    pub const fn exponential(n: u32, initial: Duration) -> Self {
        Self::new(Kind::Exponential, n, initial)
    }

    /// `n` retries following the Fibonacci sequence scaled by `initial`:
    /// 1, 1, 2, 3, 5, … × `initial`. Grows more gently than doubling.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::fibonacci(5, Duration::from_secs(1));
    /// let secs: Vec<u64> = b.into_iter().map(|d| d.as_secs()).collect();
    /// assert_eq!(secs, [1, 1, 2, 3, 5]);
    /// ```
    #[must_use]
    #[inline]
    pub const fn fibonacci(n: u32, initial: Duration) -> Self {
        Self::new(Kind::Fibonacci, n, initial)
    }

    /// Exactly the given pauses, in order; `n` is their count.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::list([Duration::from_millis(5), Duration::from_millis(50)]);
    /// assert_eq!(b.retries(), 2);
    /// ```
    #[must_use]
    pub fn list(pauses: impl IntoIterator<Item = Duration>) -> Self {
        let pauses: Arc<[Duration]> = pauses.into_iter().collect();
        let n = u32::try_from(pauses.len()).unwrap_or(u32::MAX);
        let initial = pauses.first().copied().unwrap_or(Duration::ZERO);
        Self {
            n,
            ..Self::new(Kind::List(pauses), 0, initial)
        }
    }

    #[inline]
    const fn new(kind: Kind, n: u32, initial: Duration) -> Self {
        Self {
            kind,
            n,
            initial,
            max: None,
            factor: 2.0,
        }
    }

    /// Caps every pause at `max` (also after jitter and server hints).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::exponential(8, Duration::from_millis(100)).max(Duration::from_secs(2));
    /// assert!(b.into_iter().all(|d| d <= Duration::from_secs(2)));
    /// ```
    #[must_use]
    #[inline]
    pub const fn max(mut self, max: Duration) -> Self {
        self.max = Some(max);
        self
    }

    /// The growth factor of an exponential schedule (default 2). Values below 1,
    /// and NaN, are treated as 1; other schedules ignore it.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::exponential(4, Duration::from_secs(1)).factor(3);
    /// let secs: Vec<u64> = b.into_iter().map(|d| d.as_secs()).collect();
    /// assert_eq!(secs, [1, 3, 9, 27]);
    /// ```
    #[must_use]
    #[inline]
    pub fn factor(mut self, factor: impl Into<f64>) -> Self {
        let factor = factor.into();
        // `max` also maps NaN to 1.
        self.factor = factor.max(1.0);
        self
    }

    /// The number of retries (pauses) this schedule yields.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// assert_eq!(Backoff::constant(7, Duration::ZERO).retries(), 7);
    /// ```
    #[must_use]
    pub const fn retries(&self) -> u32 {
        self.n
    }

    /// The first pause of the schedule.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::fibonacci(3, Duration::from_millis(40));
    /// assert_eq!(b.initial(), Duration::from_millis(40));
    /// ```
    #[must_use]
    pub const fn initial(&self) -> Duration {
        self.initial
    }

    /// The ceiling set with [`max`](Self::max), if any.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::constant(1, Duration::ZERO).max(Duration::from_secs(1));
    /// assert_eq!(b.ceiling(), Some(Duration::from_secs(1)));
    /// ```
    #[must_use]
    pub const fn ceiling(&self) -> Option<Duration> {
        self.max
    }

    /// The pauses, without consuming the schedule.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::Backoff;
    /// let b = Backoff::exponential(2, Duration::from_secs(1));
    /// assert_eq!(b.iter().count(), 2);
    /// assert_eq!(b.iter().count(), 2);
    /// ```
    #[must_use]
    pub fn iter(&self) -> Pauses {
        self.clone().into_iter()
    }

    #[inline]
    fn cap(&self) -> u128 {
        self.max.unwrap_or(DEFAULT_CEILING).as_nanos()
    }
}

/// The iterator over a [`Backoff`]'s pauses.
///
/// ```
/// # use std::time::Duration;
/// # use reattempt::Backoff;
/// let mut pauses = Backoff::constant(1, Duration::from_secs(1)).into_iter();
/// assert_eq!(pauses.next(), Some(Duration::from_secs(1)));
/// assert_eq!(pauses.next(), None);
/// ```
#[derive(Clone, Debug)]
pub struct Pauses {
    backoff: Backoff,
    /// Pauses already yielded.
    done: u32,
    /// The current and the previous term, in nanoseconds (capped).
    current: u128,
    previous: u128,
}

impl Iterator for Pauses {
    type Item = Duration;

    #[inline]
    fn next(&mut self) -> Option<Duration> {
        if self.done >= self.backoff.n {
            return None;
        }
        let index = self.done;
        self.done += 1;
        let cap = self.backoff.cap();
        let nanos = match &self.backoff.kind {
            Kind::List(pauses) => pauses[index as usize].as_nanos(),
            Kind::Constant => self.current,
            Kind::Exponential | Kind::Fibonacci if index == 0 => self.current,
            Kind::Exponential => {
                // `as` from f64 saturates, so a huge factor lands on the cap.
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let next = (self.current as f64 * self.backoff.factor) as u128;
                // Integer factors are exact even where f64 would round.
                self.current = exact_product(self.current, self.backoff.factor).unwrap_or(next);
                self.current
            }
            Kind::Fibonacci => {
                let next = self.current.saturating_add(self.previous);
                self.previous = self.current;
                self.current = next;
                self.current
            }
        };
        self.current = self.current.min(cap);
        Some(from_nanos(nanos.min(cap)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.backoff.n - self.done) as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Pauses {}

/// `value * factor` in integers when `factor` is a whole number.
#[allow(clippy::float_cmp, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn exact_product(value: u128, factor: f64) -> Option<u128> {
    (factor.fract() == 0.0 && factor <= f64::from(u32::MAX)).then(|| value.saturating_mul(factor as u128))
}

/// A `Duration` from nanoseconds, saturating at `Duration::MAX`.
#[inline]
pub(crate) fn from_nanos(nanos: u128) -> Duration {
    const PER_SEC: u128 = 1_000_000_000;
    // Every pause below 584 years: a 64-bit division by a constant (a
    // multiplication), not a call to the 128-bit division routine.
    if let Ok(nanos) = u64::try_from(nanos) {
        return Duration::from_nanos(nanos);
    }
    match u64::try_from(nanos / PER_SEC) {
        #[allow(clippy::cast_possible_truncation)]
        Ok(secs) => Duration::new(secs, (nanos % PER_SEC) as u32),
        Err(_) => Duration::MAX,
    }
}

impl IntoIterator for Backoff {
    type Item = Duration;
    type IntoIter = Pauses;

#[inline]
    fn into_iter(self) -> Pauses {
        let first = self.initial.as_nanos().min(self.cap());
        Pauses {
            backoff: self,
            done: 0,
            current: first,
            previous: 0,
        }
    }
}

impl IntoIterator for &Backoff {
    type Item = Duration;
    type IntoIter = Pauses;

    fn into_iter(self) -> Pauses {
        self.clone().into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(b: Backoff) -> Vec<u128> {
        b.into_iter().map(|d| d.as_millis()).collect()
    }

    #[test]
    fn schedules_yield_their_documented_pauses() {
        let s = Duration::from_secs(1);
        assert_eq!(millis(Backoff::constant(3, s)), [1000, 1000, 1000]);
        assert_eq!(millis(Backoff::exponential(3, s)), [1000, 2000, 4000]);
        assert_eq!(millis(Backoff::exponential(4, s).factor(3)), [1000, 3000, 9000, 27000]);
        assert_eq!(millis(Backoff::fibonacci(6, s)), [1000, 1000, 2000, 3000, 5000, 8000]);
        assert_eq!(
            millis(Backoff::exponential(8, Duration::from_millis(100)).max(Duration::from_secs(2))),
            [100, 200, 400, 800, 1600, 2000, 2000, 2000]
        );
        assert_eq!(millis(Backoff::exponential(3, s).factor(1.5)), [1000, 1500, 2250]);
        assert_eq!(millis(Backoff::constant(0, s)), Vec::<u128>::new());
    }

    #[test]
    fn huge_values_saturate_at_one_day_or_max() {
        let last = Backoff::exponential(u32::MAX, Duration::MAX).factor(f64::MAX).into_iter().take(100).last();
        assert_eq!(last, Some(DEFAULT_CEILING));
        let fib = Backoff::fibonacci(500, Duration::from_secs(u64::MAX)).into_iter().last();
        assert_eq!(fib, Some(DEFAULT_CEILING));
        let capped = Backoff::exponential(200, Duration::from_nanos(1)).max(Duration::MAX).into_iter().last();
        assert!(capped.is_some_and(|d| d > DEFAULT_CEILING));
    }

    #[test]
    fn factor_below_one_or_nan_is_one() {
        let s = Duration::from_secs(1);
        assert_eq!(millis(Backoff::exponential(2, s).factor(0.5)), [1000, 1000]);
        assert_eq!(millis(Backoff::exponential(2, s).factor(f64::NAN)), [1000, 1000]);
    }

    #[test]
    fn list_and_reference_iteration() {
        let b = Backoff::list([Duration::from_millis(3), Duration::from_millis(1)]);
        assert_eq!(millis(b.clone()), [3, 1]);
        assert_eq!((&b).into_iter().len(), 2);
    }
}
