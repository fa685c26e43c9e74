//! Feature `tracing`: one event per retry and one per give-up, with the error
//! when its type is `Debug`; error types without `Debug` still compile.
#![cfg(feature = "tracing")]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reattempt::retry;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Keeps every event as "LEVEL message key=value …".
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0.insert_str(0, &format!("{value:?}"));
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = Line(String::new());
        event.record(&mut line);
        let level = event.metadata().level();
        self.0.lock().unwrap().push(format!("{level} {}", line.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn no_pause(_: Duration) {}

#[derive(Debug)]
enum Shown {
    Refused,
}

#[retry(constant(n = 2, delay = "5ms"), sleep = no_pause)]
fn fails_with_debug() -> Result<(), Shown> {
    Err(Shown::Refused)
}

/// No `Debug`: the events must still be emitted, without the error.
struct Hidden;

#[retry(constant(n = 1, delay = "5ms"), sleep = no_pause)]
fn fails_without_debug() -> Result<(), Hidden> {
    Err(Hidden)
}

fn captured(f: impl FnOnce()) -> Vec<String> {
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), f);
    let lines = capture.0.lock().unwrap().clone();
    lines
}

#[test]
fn each_retry_and_the_give_up_emit_one_event() {
    let lines = captured(|| assert!(fails_with_debug().is_err()));
    assert_eq!(
        lines,
        [
            "INFO attempt failed; retrying function=\"fails_with_debug\" attempt=0 pause=5ms error=Refused",
            "INFO attempt failed; retrying function=\"fails_with_debug\" attempt=1 pause=5ms error=Refused",
            "WARN giving up function=\"fails_with_debug\" attempts=3 reason=\"schedule used up\" error=Refused",
        ]
    );
}

#[test]
fn errors_without_debug_are_left_out() {
    let lines = captured(|| assert!(fails_without_debug().is_err()));
    assert_eq!(
        lines,
        [
            "INFO attempt to be retried function=\"fails_without_debug\" attempt=0 pause=5ms",
            "WARN giving up function=\"fails_without_debug\" attempts=2 reason=\"schedule used up\"",
        ]
    );
}

#[retry(constant(n = 2, delay = "5ms"), sleep = no_pause)]
fn succeeds() -> Result<u8, Shown> {
    Ok(1)
}

#[test]
fn success_emits_nothing() {
    assert!(captured(|| assert_eq!(succeeds().unwrap(), 1)).is_empty());
}
