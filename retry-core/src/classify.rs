//! Deciding what an attempt's outcome means: done, failed for good, or worth
//! another try.

/// What to do with the outcome of one attempt, as in Go's retrier.
///
/// ```
/// use reattempt::Action;
/// assert_ne!(Action::Retry, Action::Fail);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// The call succeeded: return the outcome (refills a [`Budget`](crate::Budget)).
    Succeed,
    /// The call failed and retrying cannot help: return the outcome at once.
    Fail,
    /// The call failed and may succeed later: pause, then try again.
    Retry,
}

/// Decides the [`Action`] for an attempt's outcome.
///
/// Closures `Fn(&Result<T, E>) -> Action` are classifiers too. Without one, a
/// [`Retrier`](crate::Retrier) uses [`RetryErrors`]: `Ok` succeeds, every `Err`
/// is retried.
///
/// ```
/// use std::time::Duration;
/// use reattempt::{Action, Backoff, Classifier, Retrier};
///
/// #[derive(Debug)]
/// enum HttpError { Status(u16) }
///
/// struct ServerErrors;
///
/// impl<T> Classifier<T, HttpError> for ServerErrors {
///     fn classify(&self, outcome: &Result<T, HttpError>) -> Action {
///         match outcome {
///             Ok(_) => Action::Succeed,
///             Err(HttpError::Status(500..=599)) => Action::Retry,
///             Err(_) => Action::Fail,
///         }
///     }
/// }
///
/// let retrier = Retrier::new(Backoff::constant(3, Duration::ZERO)).classify(ServerErrors);
/// let mut calls = 0;
/// let result: Result<(), _> = retrier.run(|_| { calls += 1; Err(HttpError::Status(404)) });
/// assert!(result.is_err());
/// assert_eq!(calls, 1); // a 404 is not retried
/// ```
pub trait Classifier<T, E> {
    /// The action for `outcome`.
    fn classify(&self, outcome: &Result<T, E>) -> Action;
}

impl<T, E, F> Classifier<T, E> for F
where
    F: Fn(&Result<T, E>) -> Action + ?Sized,
{
    fn classify(&self, outcome: &Result<T, E>) -> Action {
        self(outcome)
    }
}

/// The default classifier: `Ok` succeeds, every `Err` is retried.
///
/// ```
/// use reattempt::{Action, Classifier, RetryErrors};
/// assert_eq!(Classifier::<(), ()>::classify(&RetryErrors, &Err(())), Action::Retry);
/// assert_eq!(Classifier::<(), ()>::classify(&RetryErrors, &Ok(())), Action::Succeed);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RetryErrors;

impl<T, E> Classifier<T, E> for RetryErrors {
    fn classify(&self, outcome: &Result<T, E>) -> Action {
        match outcome {
            Ok(_) => Action::Succeed,
            Err(_) => Action::Retry,
        }
    }
}
