//! Values handed to user code about a retry.

use std::fmt;
use std::time::Duration;

/// What `on_retry` hooks learn about a retry that is about to happen.
///
/// ```
/// use std::time::Duration;
/// use reattempt::{Backoff, Retrier, RetryInfo};
///
/// let retrier = Retrier::new(Backoff::constant(1, Duration::ZERO))
///     .sleep(|_| {})
///     .on_retry(|err: &String, info: &RetryInfo| {
///         assert_eq!(info.attempt, 0);
///         assert_eq!(info.delay, Duration::ZERO);
///         eprintln!("attempt {} failed: {err}", info.attempt);
///     });
/// let _ = retrier.run(|attempt| if attempt == 0 { Err("boom".to_string()) } else { Ok(()) });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryInfo {
    /// The attempt that just failed, 0-based.
    pub attempt: u32,
    /// The pause about to start.
    pub delay: Duration,
    /// Time since the first attempt started.
    pub elapsed: Duration,
}

/// The error of an attempt that ran longer than its `attempt_timeout`.
///
/// A function with `attempt_timeout` needs `E: From<Elapsed>`, so the timed-out
/// attempt can be reported as an ordinary (retryable) error.
///
/// ```
/// use reattempt::Elapsed;
///
/// #[derive(Debug)]
/// enum MyError { TimedOut, Other }
///
/// impl From<Elapsed> for MyError {
///     fn from(_: Elapsed) -> Self { MyError::TimedOut }
/// }
/// assert!(matches!(MyError::from(Elapsed::new()), MyError::TimedOut));
/// # let _ = MyError::Other;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Elapsed(());

impl Elapsed {
    /// An `Elapsed` value (for tests and hand-written adapters).
    ///
    /// ```
    /// assert_eq!(reattempt::Elapsed::new().to_string(), "attempt timed out");
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("attempt timed out")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(e: Elapsed) -> Self {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}
