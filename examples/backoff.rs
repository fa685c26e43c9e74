//! The classic demo: retry a failing call three times, one second apart.
//!
//! Run it with:
//!
//! ```text
//! cargo run --example backoff
//! ```
//!
//! It prints one line per attempt, one second apart (the default pause is a
//! real `std::thread::sleep`), then gives up:
//!
//! ```text
//! Attempt:  0
//! Attempt:  1
//! Attempt:  2
//! Attempt:  3
//! Failed
//! ```
//!
//! `n = 3` is the number of *retries*: the body runs at most four times.
//! `attempt = attempt` binds the 0-based attempt number inside the body.

use reattempt::retry;

/// Always fails, so every retry is used up and the last error comes back.
#[retry(constant(n = 3, delay = "1s"), attempt = attempt)]
fn flaky() -> Result<(), &'static str> {
    println!("Attempt: {attempt:2}");
    Err("still broken")
}

fn main() {
    if flaky().is_err() {
        println!("Failed");
    }
}
