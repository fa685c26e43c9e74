//! How a retried call pauses.

use std::future::Future;
use std::time::Duration;

use crate::clock::Clock;

/// A pause for synchronous code. Every `Fn(Duration)` is one.
///
/// ```
/// use std::time::Duration;
/// use reattempt::SyncSleep;
///
/// fn no_wait(_: Duration) {}
/// no_wait.sleep(Duration::from_secs(1)); // returns at once
/// ```
#[diagnostic::on_unimplemented(
    message = "`sleep` of a sync fn must be a `fn(Duration)`; `{Self}` is not",
    label = "not a `fn(Duration)`",
    note = "an async sleep (such as `tokio::time::sleep`) goes with an `async fn`"
)]
pub trait SyncSleep {
    /// Pauses the current thread for `pause`.
    fn sleep(&self, pause: Duration);
}

impl<F: Fn(Duration)> SyncSleep for F {
    fn sleep(&self, pause: Duration) {
        self(pause);
    }
}

/// A pause for asynchronous code. Every `Fn(Duration) -> impl Future<Output = ()>` is one.
///
/// ```
/// use std::time::Duration;
/// use reattempt::{AsyncSleep, Backoff, Retrier};
///
/// async fn no_wait(_: Duration) {}
/// let _pause = no_wait.sleep(Duration::from_secs(1)); // a future
/// let retrier = Retrier::new(Backoff::constant(2, Duration::from_secs(1))).sleep(no_wait);
/// # let _ = retrier;
/// ```
#[diagnostic::on_unimplemented(
    message = "`sleep` of an `async fn` must be a `fn(Duration) -> impl Future<Output = ()>`; `{Self}` is not",
    label = "not an async sleep",
    note = "a blocking sleep (such as `std::thread::sleep`) would block the executor: use your runtime's async sleep"
)]
pub trait AsyncSleep {
    /// The future of one pause.
    type Sleep: Future<Output = ()>;
    /// Starts a pause of `pause`.
    fn sleep(&self, pause: Duration) -> Self::Sleep;
    /// The clock that goes with this sleep. Not public API.
    #[doc(hidden)]
    fn clock(&self) -> Clock {
        Clock::Std
    }
}

impl<F: Fn(Duration) -> Fut, Fut: Future<Output = ()>> AsyncSleep for F {
    type Sleep = Fut;
    fn sleep(&self, pause: Duration) -> Fut {
        self(pause)
    }
}

/// The default pause: `std::thread::sleep` for sync code, `tokio::time::sleep`
/// (feature `tokio`, on by default) for async code.
///
/// ```
/// use std::time::Duration;
/// use reattempt::{DefaultSleep, SyncSleep};
/// DefaultSleep.sleep(Duration::from_millis(1));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultSleep;

impl SyncSleep for DefaultSleep {
    fn sleep(&self, pause: Duration) {
        std::thread::sleep(pause);
    }
}

#[cfg(feature = "tokio")]
impl AsyncSleep for DefaultSleep {
    type Sleep = tokio::time::Sleep;
    fn sleep(&self, pause: Duration) -> tokio::time::Sleep {
        tokio::time::sleep(pause)
    }
    fn clock(&self) -> Clock {
        Clock::Tokio
    }
}
