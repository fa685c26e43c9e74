//! `tracing` events (feature `tracing`): one per retry, one per give-up.

use std::fmt::Debug;
use std::time::Duration;

pub(crate) fn retrying(function: &str, attempt: u32, pause: Duration, error: Option<&dyn Debug>) {
    if let Some(error) = error {
        tracing::info!(target: "reattempt", function, attempt, ?pause, ?error, "attempt failed; retrying");
    } else {
        tracing::info!(target: "reattempt", function, attempt, ?pause, "attempt to be retried");
    }
}

pub(crate) fn giving_up(
    function: &str,
    attempts: u32,
    error: Option<&dyn Debug>,
    reason: Option<&str>,
) {
    let reason = reason.unwrap_or("not retryable");
    let attempts = attempts.saturating_add(1);
    if let Some(error) = error {
        tracing::warn!(target: "reattempt", function, attempts, reason, ?error, "giving up");
    } else {
        tracing::warn!(target: "reattempt", function, attempts, reason, "giving up");
    }
}
