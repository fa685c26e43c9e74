//! A retry budget shared by many calls: the gRPC retry-throttling token bucket.

use std::sync::atomic::{AtomicU64, Ordering};

/// Fixed point: one token is this many units (three decimals, as gRPC).
const UNIT: u64 = 1000;

/// A token bucket that stops retries when too many calls fail: no retry storms.
///
/// The bucket starts full at `max_tokens`. Each retryable failure takes one
/// token; each success gives back `token_ratio` (never above `max_tokens`). A
/// retry is allowed only while the tokens are above `max_tokens / 2`;
/// otherwise the call returns its error at once, without pausing. This is the
/// retry throttling of gRPC. It is lock-free and shared by any number of
/// threads and tasks.
///
/// ```
/// use std::time::Duration;
/// use reattempt::{Backoff, Budget, Retrier};
///
/// static BUDGET: Budget = Budget::new(4, 0.5);
///
/// let retrier = Retrier::new(Backoff::constant(10, Duration::ZERO)).budget(&BUDGET).sleep(|_| {});
/// let mut calls = 0;
/// let result: Result<(), &str> = retrier.run(|_| { calls += 1; Err("down") });
/// assert!(result.is_err());
/// // 4 tokens: failures take them to 3 (retry), 2 (at the threshold: stop).
/// assert_eq!(calls, 2);
/// ```
#[derive(Debug)]
pub struct Budget {
    tokens: AtomicU64,
    max: u64,
    refill: u64,
}

impl Budget {
    /// A full bucket of `max_tokens`, refilled by `token_ratio` per success.
    ///
    /// `token_ratio` is kept to three decimals (as gRPC does) and clamped to
    /// `[0, max_tokens]`; NaN counts as 0.
    ///
    /// ```
    /// static BUDGET: reattempt::Budget = reattempt::Budget::new(10, 0.1);
    /// assert_eq!(BUDGET.tokens(), 10.0);
    /// ```
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    pub const fn new(max_tokens: u32, token_ratio: f64) -> Self {
        let max = max_tokens as u64 * UNIT;
        // `as` saturates and maps NaN to 0.
        let refill = (token_ratio * UNIT as f64) as u64;
        Self {
            tokens: AtomicU64::new(max),
            max,
            refill: if refill > max { max } else { refill },
        }
    }

    /// Tokens left now (a snapshot).
    ///
    /// ```
    /// let b = reattempt::Budget::new(2, 1.0);
    /// assert_eq!(b.tokens(), 2.0);
    /// ```
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn tokens(&self) -> f64 {
        self.tokens.load(Ordering::Relaxed) as f64 / UNIT as f64
    }

    /// Records a success: gives back `token_ratio`, up to `max_tokens`.
    #[inline]
    pub(crate) fn succeeded(&self) {
        // A full bucket (the common case) costs one load and no write.
        if self.refill == 0 || self.tokens.load(Ordering::Relaxed) >= self.max {
            return;
        }
        let _ = self
            .tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                (t < self.max).then(|| t.saturating_add(self.refill).min(self.max))
            });
    }

    /// Records a retryable failure: takes one token, and answers whether a
    /// retry is still allowed (tokens above half of `max_tokens`).
    #[inline]
    pub(crate) fn failed(&self) -> bool {
        let before = self
            .tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                Some(t.saturating_sub(UNIT))
            })
            .unwrap_or_else(|t| t);
        before.saturating_sub(UNIT) > self.max / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_semantics() {
        let b = Budget::new(10, 0.5);
        // 10 -> 9, 8, 7, 6 allowed; 5 is not above 5.
        let allowed: Vec<bool> = (0..6).map(|_| b.failed()).collect();
        assert_eq!(allowed, [true, true, true, true, false, false]);
        assert!((b.tokens() - 4.0).abs() < 1e-9);
        for _ in 0..100 {
            b.succeeded();
        }
        assert!((b.tokens() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn never_below_zero_and_ratio_clamped() {
        let b = Budget::new(1, 99.0);
        for _ in 0..5 {
            assert!(!b.failed());
        }
        assert!(b.tokens().abs() < 1e-9);
        b.succeeded();
        assert!((b.tokens() - 1.0).abs() < 1e-9);
        let nan = Budget::new(3, f64::NAN);
        nan.failed();
        nan.succeeded();
        assert!((nan.tokens() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn eight_threads_never_over_withdraw() {
        static B: Budget = Budget::new(100, 0.0);
        let allowed: usize = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8)
                .map(|_| s.spawn(|| (0..1000).filter(|_| B.failed()).count()))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).sum()
        });
        // Tokens 100 -> 51 allow a retry: exactly 49 in all, whatever the interleaving.
        assert_eq!(allowed, 49);
        assert!(B.tokens().abs() < 1e-9);
    }
}
