//! The fixed knobs of a retried call (everything but the schedule and the
//! user's closures), shared by `#[retry]` and [`Retrier`](crate::Retrier).

use std::time::Duration;

use crate::clock::Clock;
use crate::{Budget, Jitter};

/// Limits and knobs of a retried call. Not public API: built by the code that
/// `#[retry]` generates and by `Retrier`; may change in any release.
//
// `repr(C)`, small fields first: the optimiser merges the stores of the
// one-byte fields into one wider store, and with `budget` right before them
// that store overlapped the pointer, so the first retry's read of `budget`
// waited for both stores (a failed store-to-load forward, about half the
// cost of a retry in benches/overhead.rs).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Policy {
    pub(crate) forever: bool,
    pub(crate) clock_from_start: bool,
    pub(crate) clock: Clock,
    pub(crate) budget: Option<&'static Budget>,
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) name: &'static str,
    pub(crate) jitter: Option<Jitter>,
    pub(crate) ceiling: Option<Duration>,
    pub(crate) initial: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
}

impl Policy {
    /// The policy of the function `name`: no limit beyond the schedule.
    #[must_use]
    #[inline]
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            jitter: None,
            ceiling: None,
            initial: None,
            forever: false,
            timeout: None,
            clock_from_start: false,
            budget: None,
            clock: Clock::Std,
        }
    }

    /// Randomise each pause.
    #[must_use]
    #[inline]
    pub const fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = Some(jitter);
        self
    }

    /// After the schedule is used up, keep retrying with its last pause.
    #[must_use]
    #[inline]
    pub const fn forever(mut self) -> Self {
        self.forever = true;
        self
    }

    /// Limit the whole call to `timeout`, measured from the first attempt.
    #[must_use]
    #[inline]
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self.clock_from_start = true;
        self
    }

    /// Read the clock when the call starts, so `RetryInfo::elapsed` counts the
    /// first attempt (set when an `on_retry` hook is present).
    #[must_use]
    #[inline]
    pub const fn clock_from_start(mut self) -> Self {
        self.clock_from_start = true;
        self
    }

    /// Take tokens from (and give them back to) a shared budget.
    #[must_use]
    #[inline]
    pub const fn budget(mut self, budget: &'static Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Read tokio's clock (virtual time in paused tests) instead of std's.
    #[cfg(feature = "tokio")]
    #[must_use]
    #[inline]
    pub const fn tokio_clock(mut self) -> Self {
        self.clock = Clock::Tokio;
        self
    }

    /// Read `clock`.
    pub(crate) const fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The schedule's ceiling and first pause (jitter, hints, `forever`).
    #[must_use]
    #[inline]
    pub const fn bounds(mut self, initial: Duration, ceiling: Option<Duration>) -> Self {
        self.initial = Some(initial);
        self.ceiling = ceiling;
        self
    }
}
