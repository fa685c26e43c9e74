//! Retry with back-off as one attribute.
//!
//! (Crate documentation: see README.md; written in full below.)
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub use retry_core::{
    Action, AsyncSleep, Backoff, Budget, Classifier, DefaultSleep, Elapsed, Jitter, Pauses, Retrier, RetryErrors,
    RetryInfo, SyncSleep,
};

/// Turns a function returning `Result` into a retry loop with back-off.
pub use retry_macros::retry;

/// Not public API: the items named by the code `#[retry]` generates. May
/// change in any release.
#[doc(hidden)]
pub mod __private {
    pub use retry_core::__private::*;
}
