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
pub async fn attempt_timeout<T, E, F, S>(timer: S, attempt: F) -> Result<T, E>
where
    E: FromElapsed,
    F: Future<Output = Result<T, E>>,
    S: Future<Output = ()>,
{
    let mut attempt = pin!(attempt);
    let mut timer = pin!(timer);
    poll_fn(|cx| {
        if let Poll::Ready(outcome) = attempt.as_mut().poll(cx) {
            return Poll::Ready(outcome);
        }
        timer.as_mut().poll(cx).map(|()| Err(E::from_elapsed()))
    })
    .await
}
