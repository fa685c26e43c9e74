//! `attempt_timeout`: racing one attempt against a timer.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

use crate::Elapsed;

/// Error types that can report a timed-out attempt. Implemented for every
/// `E: From<Elapsed>`. Not public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`attempt_timeout` needs an error type that implements `From<reattempt::Elapsed>`",
    label = "`{Self}` does not implement `From<reattempt::Elapsed>`",
    note = "add `impl From<reattempt::Elapsed> for {Self}`, so a timed-out attempt becomes a retryable error"
)]
pub trait FromElapsed {
    fn from_elapsed() -> Self;
}

impl<E: From<Elapsed>> FromElapsed for E {
    fn from_elapsed() -> Self {
        E::from(Elapsed::new())
    }
}

/// Runs `attempt` until it finishes or `timer` fires, whichever comes first.
/// Dropping the returned future drops both. Not public API.
#[doc(hidden)]
pub fn attempt_timeout<T, E, F, S>(timer: S, attempt: F) -> impl Future<Output = Result<T, E>>
where
    E: FromElapsed,
    F: Future<Output = Result<T, E>>,
    S: Future<Output = ()>,
{
    race(timer, attempt, E::from_elapsed)
}

/// `E::from_elapsed` as a function, for [`race`]. Not public API: the
/// expansion passes it spanned on the `attempt_timeout` value, so an `E`
/// without `From<Elapsed>` is one error, there.
#[doc(hidden)]
#[must_use]
pub fn elapsed<E: FromElapsed>() -> E {
    E::from_elapsed()
}

/// [`attempt_timeout`] with the timed-out error made by `elapsed`: the
/// future's type has no bound on `E`, so awaiting it adds no second error.
/// Not public API.
#[doc(hidden)]
pub async fn race<T, E, F, S>(timer: S, attempt: F, elapsed: fn() -> E) -> Result<T, E>
where
    F: Future<Output = Result<T, E>>,
    S: Future<Output = ()>,
{
    let mut attempt = pin!(attempt);
    let mut timer = pin!(timer);
    poll_fn(|cx| {
        if let Poll::Ready(outcome) = attempt.as_mut().poll(cx) {
            return Poll::Ready(outcome);
        }
        timer.as_mut().poll(cx).map(|()| Err(elapsed()))
    })
    .await
}
