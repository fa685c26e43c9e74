//! The runtime behind [`reattempt`](https://docs.rs/reattempt)'s `#[retry]`:
//! back-off schedules, jitter, classifiers, retry budgets, and the [`Retrier`]
//! that runs closures with them.
//!
//! Use it through the `reattempt` crate, which re-exports everything here and
//! the attribute.
//!
//! ```
//! use std::time::Duration;
//! use retry_core::{Backoff, Retrier};
//!
//! let retrier = Retrier::new(Backoff::exponential(3, Duration::from_millis(1)));
//! assert_eq!(retrier.run(|attempt| if attempt < 2 { Err(()) } else { Ok(attempt) }), Ok(2));
//! ```
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod backoff;
mod budget;
#[cfg(test)]
mod budget_model;
mod classify;
mod clock;
mod deadline;
mod info;
mod jitter;
mod outcome;
mod policy;
#[cfg(test)]
mod props;
mod retrier;
mod sleep;
mod state;
#[cfg(feature = "tracing")]
mod trace;

pub use crate::backoff::{Backoff, Pauses};
pub use crate::budget::Budget;
pub use crate::classify::{Action, Classifier, RetryErrors};
pub use crate::info::{Elapsed, RetryInfo};
pub use crate::jitter::Jitter;
pub use crate::retrier::Retrier;
pub use crate::sleep::{AsyncSleep, DefaultSleep, SyncSleep};

#[doc(hidden)]
pub use crate::policy::Policy;
#[doc(hidden)]
pub use crate::state::State;

#[doc(hidden)]
pub mod __private;
