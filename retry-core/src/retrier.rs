//! The engine without the macro: a policy chosen at run time, for closures.

use std::future::Future;
use std::time::Duration;

use crate::backoff::Lazy;
use crate::deadline::{attempt_timeout, FromElapsed};
use crate::outcome::{ByClassifier, Hint, Hook, NoHook, Notify, OkCheck, Outcome, RetryIf};
use crate::{
    AsyncSleep, Backoff, Budget, Classifier, DefaultSleep, Jitter, Policy, RetryErrors, State,
    SyncSleep,
};

/// Retries a closure with back-off: the same engine as `#[retry]`, in Go's shape.
///
/// Every option of the attribute is a builder method of the same name.
/// Patterns (`blacklist`, `whitelist`) exist only in the attribute: at run time
/// use [`retry_if`](Self::retry_if) or a [`Classifier`].
///
/// ```
/// use std::time::Duration;
/// use reattempt::{Backoff, Retrier};
///
/// let retrier = Retrier::new(Backoff::exponential(3, Duration::from_millis(10))).sleep(|_| {});
/// let value = retrier.run(|attempt| if attempt < 2 { Err("busy") } else { Ok(attempt) });
/// assert_eq!(value, Ok(2));
/// ```
///
/// Async, with tokio's sleep by default:
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use std::time::Duration;
/// use reattempt::{Backoff, Retrier};
///
/// let retrier = Retrier::new(Backoff::constant(2, Duration::from_secs(1)));
/// let value: Result<u32, &str> = retrier.run_async(|_attempt| async move { Err("down") }).await;
/// assert_eq!(value, Err("down"));
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Retrier<
    C = RetryErrors,
    O = NoHook,
    A = NoHook,
    H = NoHook,
    Z = DefaultSleep,
    W = NoHook,
> {
    backoff: Backoff,
    policy: Policy,
    classify: C,
    retry_ok: O,
    retry_after: A,
    on_retry: H,
    sleep: Z,
    attempt_timeout: W,
}

/// The `attempt_timeout` of a [`Retrier`]. Not public API.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct AttemptTimeout(Duration);

impl Retrier {
    /// A retrier that follows `backoff`, retries every error, and sleeps with
    /// [`DefaultSleep`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// use reattempt::{Backoff, Retrier};
    /// let retrier = Retrier::new(Backoff::fibonacci(5, Duration::from_millis(100)));
    /// # let _ = retrier;
    /// ```
    pub fn new(backoff: Backoff) -> Self {
        let policy = Policy::new("Retrier").bounds(backoff.initial(), backoff.ceiling());
        Retrier {
            backoff,
            policy,
            classify: RetryErrors,
            retry_ok: NoHook,
            retry_after: NoHook,
            on_retry: NoHook,
            sleep: DefaultSleep,
            attempt_timeout: NoHook,
        }
    }
}

impl<C, O, A, H, Z, W> Retrier<C, O, A, H, Z, W> {
    /// Retries only the errors for which `predicate` returns true.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::{Backoff, Retrier};
    /// let retrier = Retrier::new(Backoff::constant(5, Duration::ZERO))
    ///     .sleep(|_| {})
    ///     .retry_if(|e: &std::io::Error| e.kind() == std::io::ErrorKind::Interrupted);
    /// let mut calls = 0;
    /// let _: Result<(), _> = retrier.run(|_| { calls += 1; Err(std::io::Error::other("fatal")) });
    /// assert_eq!(calls, 1);
    /// ```
    pub fn retry_if<F>(self, predicate: F) -> Retrier<RetryIf<F>, O, A, H, Z, W> {
        self.with_classifier(RetryIf::new(predicate))
    }

    /// Decides each outcome with a custom [`Classifier`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// use reattempt::{Action, Backoff, Retrier};
    /// let retrier = Retrier::new(Backoff::constant(5, Duration::ZERO))
    ///     .sleep(|_| {})
    ///     .classify(|r: &Result<u32, u32>| match r {
    ///         Ok(_) => Action::Succeed,
    ///         Err(code) if *code >= 500 => Action::Retry,
    ///         Err(_) => Action::Fail,
    ///     });
    /// assert_eq!(retrier.run(|a| if a == 0 { Err(503) } else { Err(404) }), Err(404));
    /// ```
    pub fn classify<K>(self, classifier: K) -> Retrier<K, O, A, H, Z, W> {
        self.with_classifier(classifier)
    }

    fn with_classifier<K>(self, classify: K) -> Retrier<K, O, A, H, Z, W> {
        Retrier {
            backoff: self.backoff,
            policy: self.policy,
            classify,
            retry_ok: self.retry_ok,
            retry_after: self.retry_after,
            on_retry: self.on_retry,
            sleep: self.sleep,
            attempt_timeout: self.attempt_timeout,
        }
    }

    /// Also retries `Ok` values for which `predicate` returns true (an HTTP 503
    /// returned as `Ok`); when the schedule is used up, the last `Ok` is returned.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::{Backoff, Retrier};
    /// let retrier = Retrier::new(Backoff::constant(3, Duration::ZERO))
    ///     .sleep(|_| {})
    ///     .retry_ok(|status: &u16| *status == 503);
    /// assert_eq!(retrier.run(|a| Ok::<u16, ()>(if a < 2 { 503 } else { 200 })), Ok(200));
    /// ```
    pub fn retry_ok<F>(self, predicate: F) -> Retrier<C, Hook<F>, A, H, Z, W> {
        Retrier {
            backoff: self.backoff,
            policy: self.policy,
            classify: self.classify,
            retry_ok: Hook::new(predicate),
            retry_after: self.retry_after,
            on_retry: self.on_retry,
            sleep: self.sleep,
            attempt_timeout: self.attempt_timeout,
        }
    }

    /// A server's hint (`Retry-After`): when `hint` returns `Some`, that pause
    /// replaces the scheduled one (still capped by `max` and `timeout`).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::{Backoff, Retrier};
    /// let pauses = std::cell::RefCell::new(Vec::new());
    /// let retrier = Retrier::new(Backoff::constant(1, Duration::from_secs(1)))
    ///     .sleep(|d| pauses.borrow_mut().push(d))
    ///     .retry_after(|wait: &u64| Some(Duration::from_millis(*wait)));
    /// let _ = retrier.run(|a| if a == 0 { Err(250) } else { Ok(()) });
    /// assert_eq!(*pauses.borrow(), [Duration::from_millis(250)]);
    /// ```
    pub fn retry_after<F>(self, hint: F) -> Retrier<C, O, Hook<F>, H, Z, W> {
        Retrier {
            backoff: self.backoff,
            policy: self.policy,
            classify: self.classify,
            retry_ok: self.retry_ok,
            retry_after: Hook::new(hint),
            on_retry: self.on_retry,
            sleep: self.sleep,
            attempt_timeout: self.attempt_timeout,
        }
    }

    /// Calls `hook(&err, &RetryInfo)` before each pause that follows an error.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use reattempt::{Backoff, Retrier, RetryInfo};
    /// let seen = std::cell::Cell::new(0);
    /// let retrier = Retrier::new(Backoff::constant(2, Duration::ZERO))
    ///     .sleep(|_| {})
    ///     .on_retry(|_: &&str, info: &RetryInfo| seen.set(info.attempt + 1));
    /// let _: Result<(), _> = retrier.run(|_| Err("no"));
    /// assert_eq!(seen.get(), 2);
    /// ```
    pub fn on_retry<F>(self, hook: F) -> Retrier<C, O, A, Hook<F>, Z, W> {
        Retrier {
            backoff: self.backoff,
            policy: self.policy.clock_from_start(),
            classify: self.classify,
            retry_ok: self.retry_ok,
            retry_after: self.retry_after,
            on_retry: Hook::new(hook),
            sleep: self.sleep,
            attempt_timeout: self.attempt_timeout,
        }
    }

    /// The pause function: any `Fn(Duration)` for [`run`](Self::run), any
    /// `Fn(Duration) -> impl Future<Output = ()>` for [`run_async`](Self::run_async).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::{Backoff, Retrier};
    /// let pauses = std::cell::RefCell::new(Vec::new());
    /// let retrier = Retrier::new(Backoff::exponential(2, Duration::from_secs(1)))
    ///     .sleep(|d| pauses.borrow_mut().push(d));
    /// let _: Result<(), ()> = retrier.run(|_| Err(()));
    /// assert_eq!(*pauses.borrow(), [Duration::from_secs(1), Duration::from_secs(2)]);
    /// ```
    pub fn sleep<S>(self, sleep: S) -> Retrier<C, O, A, H, S, W> {
        Retrier {
            backoff: self.backoff,
            policy: self.policy,
            classify: self.classify,
            retry_ok: self.retry_ok,
            retry_after: self.retry_after,
            on_retry: self.on_retry,
            sleep,
            attempt_timeout: self.attempt_timeout,
        }
    }

    /// Async only: an attempt that runs longer than `limit` is dropped and
    /// counts as a retryable failure with error `E::from(Elapsed)`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// # use std::time::Duration;
    /// use reattempt::{Backoff, Elapsed, Retrier};
    /// let retrier = Retrier::new(Backoff::constant(1, Duration::ZERO)).attempt_timeout(Duration::from_secs(1));
    /// let r: Result<(), Elapsed> = retrier
    ///     .run_async(|_| async { tokio::time::sleep(Duration::from_secs(5)).await; Ok(()) })
    ///     .await;
    /// assert_eq!(r, Err(Elapsed::new()));
    /// # }
    /// ```
    pub fn attempt_timeout(self, limit: Duration) -> Retrier<C, O, A, H, Z, AttemptTimeout> {
        Retrier {
            backoff: self.backoff,
            policy: self.policy,
            classify: self.classify,
            retry_ok: self.retry_ok,
            retry_after: self.retry_after,
            on_retry: self.on_retry,
            sleep: self.sleep,
            attempt_timeout: AttemptTimeout(limit),
        }
    }

    /// Randomises each pause (see [`Jitter`]); `max` stays a hard ceiling.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use reattempt::{Backoff, Jitter, Retrier};
    /// let pauses = std::cell::RefCell::new(Vec::new());
    /// let retrier = Retrier::new(Backoff::constant(50, Duration::from_secs(1)))
    ///     .jitter(Jitter::Factor(0.2))
    ///     .sleep(|d| pauses.borrow_mut().push(d));
    /// let _: Result<(), ()> = retrier.run(|_| Err(()));
    /// assert!(pauses.borrow().iter().all(|d| d.as_millis() >= 800 && d.as_millis() <= 1200));
    /// ```
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.policy = self.policy.jitter(jitter);
        self
    }

    /// After the schedule is used up, keeps retrying with its last pause. Pair
    /// it with [`timeout`](Self::timeout) or a [`budget`](Self::budget).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::{Backoff, Retrier};
    /// let retrier = Retrier::new(Backoff::constant(1, Duration::ZERO)).forever().sleep(|_| {});
    /// assert_eq!(retrier.run(|a| if a < 100 { Err(a) } else { Ok(a) }), Ok(100));
    /// ```
    pub fn forever(mut self) -> Self {
        self.policy = self.policy.forever();
        self
    }

    /// Limits the whole call, measured from the start of the first attempt: no
    /// pause starts that would end past it; the last error is returned.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::{Backoff, Retrier};
    /// let retrier = Retrier::new(Backoff::constant(10, Duration::from_secs(1)))
    ///     .timeout(Duration::from_millis(1500))
    ///     .sleep(|_| {}); // a fake sleep: no time passes, so all 10 retries fit
    /// let mut calls = 0;
    /// let _: Result<(), ()> = retrier.run(|_| { calls += 1; Err(()) });
    /// assert_eq!(calls, 11);
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.policy = self.policy.timeout(timeout);
        self
    }

    /// Takes tokens from a shared [`Budget`]; when it runs low, calls stop
    /// retrying at once.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use reattempt::{Backoff, Budget, Retrier};
    /// static BUDGET: Budget = Budget::new(10, 0.1);
    /// let retrier = Retrier::new(Backoff::constant(3, Duration::ZERO)).budget(&BUDGET);
    /// # let _ = retrier;
    /// ```
    pub fn budget(mut self, budget: &'static Budget) -> Self {
        self.policy = self.policy.budget(budget);
        self
    }

    fn outcome<'r, T, E>(
        &self,
        result: &'r Result<T, E>,
    ) -> Outcome<'r, Result<T, E>, ByClassifier<'_, C>, &O, &A, &H>
    where
        C: Classifier<T, E>,
    {
        Outcome::of(result).classify(&self.classify).with_hooks(
            &self.retry_ok,
            &self.retry_after,
            &self.on_retry,
        )
    }

    /// Runs `op` (given the 0-based attempt number) until it succeeds, fails
    /// for good, or a limit stops it; returns the last result.
    ///
    /// # Errors
    ///
    /// The last attempt's error, when no attempt succeeded.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reattempt::{Backoff, Retrier};
    /// let retrier = Retrier::new(Backoff::constant(2, Duration::ZERO));
    /// let r: Result<(), u32> = retrier.run(Err);
    /// assert_eq!(r, Err(2)); // the last attempt's error
    /// ```
    pub fn run<T, E, F>(&self, mut op: F) -> Result<T, E>
    where
        F: FnMut(u32) -> Result<T, E>,
        C: Classifier<T, E>,
        O: OkCheck<T>,
        A: Hint<E>,
        H: Notify<E>,
        Z: SyncSleep,
    {
        let mut state = State::new(Lazy::new(&self.backoff), self.policy);
        loop {
            let outcome = op(state.attempt());
            let Some(pause) = state.next_pause(self.outcome(&outcome)) else {
                return outcome;
            };
            self.sleep.sleep(pause);
        }
    }

    /// The async form of [`run`](Self::run): `op` returns a future per attempt.
    /// Dropping the returned future cancels the call, mid-attempt or mid-pause.
    ///
    /// # Errors
    ///
    /// The last attempt's error, when no attempt succeeded.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// # use std::time::Duration;
    /// # use reattempt::{Backoff, Retrier};
    /// let retrier = Retrier::new(Backoff::exponential(3, Duration::from_secs(1)));
    /// let start = tokio::time::Instant::now();
    /// let r = retrier.run_async(|a| async move { if a < 3 { Err(a) } else { Ok(a) } }).await;
    /// assert_eq!(r, Ok(3));
    /// assert_eq!(start.elapsed(), Duration::from_secs(7)); // 1 + 2 + 4, virtual time
    /// # }
    /// ```
    pub async fn run_async<T, E, F, Fut>(&self, mut op: F) -> Result<T, E>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        C: Classifier<T, E>,
        O: OkCheck<T>,
        A: Hint<E>,
        H: Notify<E>,
        Z: AsyncSleep,
        W: LimitAttempt<E>,
    {
        let policy = self.policy.with_clock(self.sleep.clock());
        let mut state = State::new(Lazy::new(&self.backoff), policy);
        loop {
            let outcome = self
                .attempt_timeout
                .limit(&self.sleep, op(state.attempt()))
                .await;
            let Some(pause) = state.next_pause(self.outcome(&outcome)) else {
                return outcome;
            };
            self.sleep.sleep(pause).await;
        }
    }
}

/// An optional limit on one async attempt. Not public API.
#[doc(hidden)]
pub trait LimitAttempt<E> {
    fn limit<T, F, Z>(&self, sleep: &Z, attempt: F) -> impl Future<Output = Result<T, E>>
    where
        F: Future<Output = Result<T, E>>,
        Z: AsyncSleep;
}

impl<E> LimitAttempt<E> for NoHook {
    fn limit<T, F, Z>(&self, _: &Z, attempt: F) -> impl Future<Output = Result<T, E>>
    where
        F: Future<Output = Result<T, E>>,
        Z: AsyncSleep,
    {
        attempt
    }
}

impl<E: FromElapsed> LimitAttempt<E> for AttemptTimeout {
    fn limit<T, F, Z>(&self, sleep: &Z, attempt: F) -> impl Future<Output = Result<T, E>>
    where
        F: Future<Output = Result<T, E>>,
        Z: AsyncSleep,
    {
        attempt_timeout(sleep.sleep(self.0), attempt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn run_returns_the_last_error_after_n_retries() {
        let pauses = RefCell::new(Vec::new());
        let r = Retrier::new(Backoff::exponential(3, Duration::from_millis(10)))
            .sleep(|d| pauses.borrow_mut().push(d));
        let mut calls = 0;
        let out: Result<(), u32> = r.run(|a| {
            calls += 1;
            Err(a)
        });
        assert_eq!(out, Err(3));
        assert_eq!(calls, 4);
        assert_eq!(*pauses.borrow(), [10, 20, 40].map(Duration::from_millis));
    }

    #[test]
    fn a_retrier_is_reusable_across_types() {
        let r = Retrier::new(Backoff::constant(1, Duration::ZERO)).sleep(|_| {});
        assert_eq!(r.run(|a| if a == 0 { Err(()) } else { Ok("x") }), Ok("x"));
        assert_eq!(r.run(|_| Err::<u8, i64>(-1)), Err(-1));
    }
}
