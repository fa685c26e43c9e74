//! Retry with back-off as one attribute.
//!
//! ```
//! use reattempt::retry;
//!
//! #[derive(Debug)]
//! enum FetchError { Auth, Unavailable }
//!
//! #[retry(exponential(n = 3, initial = "100ms"), blacklist(FetchError::Auth))]
//! fn fetch(id: u32) -> Result<String, FetchError> {
//!     // … talk to a flaky service …
//! #   if id == 0 { return Err(FetchError::Auth) }
//! #   let _ = FetchError::Unavailable;
//!     Ok(format!("item {id}"))
//! }
//!
//! assert_eq!(fetch(7).unwrap(), "item 7");
//! assert!(matches!(fetch(0), Err(FetchError::Auth))); // not retried: one attempt
//! ```
//!
//! `#[retry]` turns a `fn` or `async fn` that returns `Result<T, E>` (or any
//! alias of it) into a loop: run the body; on an error the policy calls
//! retryable, pause for the next delay of the schedule and run it again; stop
//! when the body succeeds, the error is not retryable, the schedule is used up,
//! or a limit (`timeout`, `budget`) says so; return the **last** result. The
//! signature, generics, attributes and docs of the function stay as written;
//! `?` and `return` inside the body end one attempt, not the loop.
//!
//! The policy is checked at compile time (durations, ranges, unknown or
//! repeated options, all reported at once, each at the token that is wrong),
//! and costs nothing when the first attempt succeeds: no allocation, no clock
//! read, no atomic operation (unless `timeout`, `on_retry` or `budget` need
//! one, see [Cost](#cost)).
//!
//! # The attribute
//!
//! ```text
//! #[retry(SCHEDULE, OPTION, OPTION, …)]
//! ```
//!
//! Exactly one schedule; `n` is the number of **retries** (the body runs at
//! most `n + 1` times):
//!
//! | schedule | pauses before retry 1, 2, 3, … |
//! |---|---|
//! | `constant(n = 3, delay = "1s")` | 1s, 1s, 1s |
//! | `exponential(n = 3, initial = "1s")` | 1s, 2s, 4s |
//! | `exponential(n = 8, initial = "100ms", max = "2s")` | doubling, never above 2s |
//! | `exponential(n = 4, initial = "1s", factor = 3)` | 1s, 3s, 9s, 27s |
//! | `fibonacci(n = 5, initial = "1s")` (`max` allowed) | 1s, 1s, 2s, 3s, 5s |
//! | `schedule = EXPR` | any `IntoIterator<Item = Duration>`, built afresh at each call |
//!
//! Durations are string literals (`"250ms"`, `"1.5s"`, `"2m30s"`, `"1h"`,
//! checked at compile time by [humantime]'s parser) or any expression of type
//! [`Duration`](std::time::Duration). `n` is an integer literal or any integer
//! expression (saturating into `u32`; negative counts as 0). Pauses saturate:
//! they stop growing at `max`, or at one day when no `max` is given.
//!
//! [humantime]: https://docs.rs/humantime
//!
//! | option | meaning |
//! |---|---|
//! | `blacklist(PAT, …)` | errors matching a pattern are never retried |
//! | `whitelist(PAT, …)` | only errors matching a pattern are retried |
//! | `retry_if = EXPR` | `Fn(&E) -> bool`: retry when true |
//! | `jitter = 0.2` | each pause uniform in [0.8×, 1.2×] (factor in [0, 1]) |
//! | `jitter = full` / `equal` / `decorrelated` | AWS strategies (see [`Jitter`]) |
//! | `retry_ok = EXPR` | `Fn(&T) -> bool`: also retry such `Ok` values; the last one is returned |
//! | `forever` | after the schedule, keep retrying at its last pause |
//! | `timeout = DUR` | limit on the whole call: no pause that would end past it |
//! | `attempt_timeout = DUR` | `async fn` only: an attempt running longer fails with `E::from(Elapsed)` |
//! | `attempt = IDENT` | binds the 0-based attempt number (`u32`) in the body |
//! | `on_retry = EXPR` | `Fn(&E, &RetryInfo)`, called before each pause |
//! | `retry_after = EXPR` | `Fn(&E) -> Option<Duration>`: a server's hint replaces the pause |
//! | `budget = EXPR` | a `&'static Budget` shared by many calls: no retry storms |
//! | `sleep = EXPR` | the pause: `fn(Duration)` (sync) or `fn(Duration) -> impl Future` (async) |
//! | `crate = PATH` | where `reattempt` is, if renamed |
//!
//! At most one of `blacklist`, `whitelist`, `retry_if`; every option at most
//! once. Each is described, with an example, in the documentation of
//! [`retry`](macro@retry).
//!
//! # Without the macro
//!
//! The same engine runs closures, with a policy chosen at run time:
//!
//! ```
//! use std::time::Duration;
//! use reattempt::{Backoff, Jitter, Retrier};
//!
//! let retrier = Retrier::new(Backoff::exponential(3, Duration::from_millis(1)))
//!     .jitter(Jitter::Full)
//!     .retry_if(|e: &&str| *e != "fatal");
//! assert_eq!(retrier.run(|attempt| if attempt < 2 { Err("busy") } else { Ok(attempt) }), Ok(2));
//! ```
//!
//! # Cost
//!
//! A call whose first attempt succeeds costs what the plain function costs:
//! the expansion builds a small state on the stack, runs the body once, and
//! returns. The schedule is turned into an iterator, the random generator of
//! jitter created, and the clock read only when an attempt fails. Three
//! options are the exceptions, each by necessity: `timeout` and `on_retry`
//! read the clock once when the call starts (a deadline measured from the
//! first attempt needs its start), and `budget` does one relaxed atomic load on
//! success (a write only when the bucket is not full) to give tokens back.
//!
//! # Features
//!
//! - `tokio` (default): `tokio::time::sleep` is the default pause of an
//!   `async fn`, and `timeout`/`RetryInfo::elapsed` read tokio's clock, so
//!   `#[tokio::test(start_paused = true)]` runs retries in virtual time.
//!   Without it, an `async fn` needs `sleep = …`.
//! - `tracing`: one event per retry (`INFO`, target `reattempt`: function,
//!   attempt, pause, and the error when its type is `Debug`) and one per give-up
//!   (`WARN`: attempts, reason).
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub use retry_core::{
    Action, AsyncSleep, Backoff, Budget, Classifier, DefaultSleep, Elapsed, Jitter, Pauses,
    Retrier, RetryErrors, RetryInfo, SyncSleep,
};

#[doc = include_str!("retry.md")]
pub use retry_macros::retry;

/// Not public API: the items named by the code `#[retry]` generates. May
/// change in any release.
#[doc(hidden)]
pub mod __private {
    pub use retry_core::__private::*;
}
