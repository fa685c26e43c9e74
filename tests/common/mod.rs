//! Helpers shared by the behaviour tests: a recording sleeper (no time
//! passes) and a counter of body runs, both per thread.
// Each test file uses its own subset.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::time::Duration;

thread_local! {
    static PAUSES: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

/// The recording sleeper: no time passes.
pub(crate) fn record(d: Duration) {
    PAUSES.with(|p| p.borrow_mut().push(d));
}

/// The pauses recorded so far (and forgets them).
pub(crate) fn pauses() -> Vec<Duration> {
    PAUSES.with(RefCell::take)
}

/// The number of body runs so far (and resets it).
pub(crate) fn calls() -> u32 {
    CALLS.with(Cell::take)
}

/// Counts one body run; returns the 0-based number of this run.
pub(crate) fn tick() -> u32 {
    CALLS.with(|c| {
        let n = c.get();
        c.set(n + 1);
        n
    })
}

pub(crate) fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

pub(crate) fn secs(v: u64) -> Duration {
    Duration::from_secs(v)
}
