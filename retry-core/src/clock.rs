//! Which clock measures `timeout` and `RetryInfo::elapsed`.

use std::time::Duration;

/// The clock a call reads. With tokio's default sleep the call reads tokio's
/// clock, so `#[tokio::test(start_paused = true)]` sees virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// `std::time::Instant`.
    Std,
    /// `tokio::time::Instant` (virtual under a paused test clock).
    #[cfg(feature = "tokio")]
    Tokio,
}

/// A point in time read from a [`Clock`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Instant {
    Std(std::time::Instant),
    #[cfg(feature = "tokio")]
    Tokio(tokio::time::Instant),
}

impl Clock {
    #[inline]
    pub(crate) fn now(self) -> Instant {
        match self {
            Clock::Std => Instant::Std(std::time::Instant::now()),
            #[cfg(feature = "tokio")]
            Clock::Tokio => Instant::Tokio(tokio::time::Instant::now()),
        }
    }
}

impl Instant {
    #[inline]
    pub(crate) fn elapsed(self) -> Duration {
        match self {
            Instant::Std(t) => t.elapsed(),
            #[cfg(feature = "tokio")]
            Instant::Tokio(t) => t.elapsed(),
        }
    }
}
