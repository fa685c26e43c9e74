//! Which errors `#[retry]` retries: the default, `blacklist`, `whitelist` and
//! `retry_if`, with counts, pauses and the last result checked.

use reattempt::retry;
use std::cell::RefCell;
use std::time::Duration;

thread_local! {
    static PAUSES: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

fn record(d: Duration) {
    PAUSES.with(|p| p.borrow_mut().push(d));
}

/// The number of pauses recorded so far (and forgets them).
fn pauses() -> usize {
    PAUSES.with(RefCell::take).len()
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum E {
    Auth,
    NotFound,
    Busy,
    Timeout(u32),
    Http { status: u16, body: &'static str },
}

impl E {
    fn is_transient(&self) -> bool {
        matches!(self, E::Busy | E::Timeout(_))
    }
}

/// The predicate of `retry_if = path`.
fn transient(e: &E) -> bool {
    e.is_transient()
}

/// Runs the script: attempt `k` fails with `errors[k]`, or succeeds with `k`
/// once the script is over. So `Ok(k)` says how many attempts ran, and an
/// `Err` says which attempt was the last.
fn step(errors: &[E], k: u32) -> Result<u32, E> {
    match errors.get(k as usize) {
        Some(e) => Err(e.clone()),
        None => Ok(k),
    }
}

/// Nine times the same error: more than any schedule here allows.
fn many(e: E) -> Vec<E> {
    vec![e; 9]
}

/// Checks one call: its result and the number of pauses.
#[track_caller]
#[allow(clippy::needless_pass_by_value)] // by value reads better at the call sites
fn check(result: Result<u32, E>, expected: Result<u32, E>, expected_pauses: usize) {
    assert_eq!(result, expected);
    assert_eq!(pauses(), expected_pauses, "pauses");
}

// ---------------------------------------------------------------- default

#[retry(constant(n = 5, delay = "1ms"), sleep = record, attempt = k)]
fn default(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[test]
fn default_retries_every_error() {
    use E::{Auth, Busy, NotFound};
    check(default(&[Auth, NotFound, Busy]), Ok(3), 3);
    check(default(&many(Auth)), Err(Auth), 5);
    check(default(&[]), Ok(0), 0);
}

// -------------------------------------------------------------- blacklist

#[retry(constant(n = 5, delay = "1ms"), blacklist(E::Auth, E::NotFound), sleep = record, attempt = k)]
fn black(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[test]
fn blacklist_several_patterns() {
    use E::{Auth, Busy, NotFound, Timeout};
    check(black(&[Auth]), Err(Auth), 0);
    check(black(&[NotFound]), Err(NotFound), 0);
    check(black(&[Busy, Timeout(1), Auth, Busy]), Err(Auth), 2);
    check(black(&[Busy, Timeout(1)]), Ok(2), 2);
    check(black(&many(Busy)), Err(Busy), 5);
}

#[retry(constant(n = 5, delay = "1ms"), blacklist(E::Auth | E::NotFound, E::Timeout(0 | 1)), sleep = record, attempt = k)]
fn black_or(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[test]
fn blacklist_or_patterns() {
    use E::{Auth, Busy, NotFound, Timeout};
    check(black_or(&[Busy, Auth]), Err(Auth), 1);
    check(black_or(&[Busy, Busy, NotFound]), Err(NotFound), 2);
    check(black_or(&[Timeout(1)]), Err(Timeout(1)), 0);
    check(black_or(&[Timeout(0)]), Err(Timeout(0)), 0);
    check(black_or(&[Timeout(2), Timeout(3)]), Ok(2), 2);
}

#[retry(
    exponential(n = 4, initial = "1ms"),
    blacklist(E::Auth, E::Http { status: 400..=499, .. }),
    sleep = record,
    attempt = k
)]
fn black_struct(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

fn http(status: u16) -> E {
    E::Http { status, body: "" }
}

#[test]
fn blacklist_struct_pattern_with_range() {
    check(black_struct(&[http(404)]), Err(http(404)), 0);
    check(black_struct(&[http(400)]), Err(http(400)), 0);
    check(black_struct(&[http(499)]), Err(http(499)), 0);
    check(black_struct(&[http(503), http(429)]), Err(http(429)), 1);
    check(black_struct(&[http(399), http(500), http(503)]), Ok(3), 3);
    check(black_struct(&many(http(500))), Err(http(500)), 4);
}

// -------------------------------------------------------------- whitelist

#[retry(constant(n = 3, delay = "1ms"), whitelist(E::Busy, E::Timeout(_)), sleep = record, attempt = k)]
fn white(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[test]
fn whitelist_several_patterns() {
    use E::{Auth, Busy, NotFound, Timeout};
    check(white(&[Busy, Timeout(7)]), Ok(2), 2);
    check(white(&[Auth]), Err(Auth), 0);
    check(white(&[Busy, NotFound, Busy]), Err(NotFound), 1);
    check(white(&many(Timeout(1))), Err(Timeout(1)), 3);
}

#[retry(
    constant(n = 3, delay = "1ms"),
    whitelist(E::Busy | E::Timeout(100..), E::Http { status: 500..=599 | 429, body: "retry" }),
    sleep = record,
    attempt = k
)]
fn white_struct(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[test]
fn whitelist_or_and_struct_patterns() {
    let h = |status, body| E::Http { status, body };
    check(white_struct(&[E::Timeout(99)]), Err(E::Timeout(99)), 0);
    check(white_struct(&[E::Timeout(100), E::Busy]), Ok(2), 2);
    check(white_struct(&[h(503, "retry"), h(429, "retry")]), Ok(2), 2);
    check(
        white_struct(&[h(503, "retry"), h(503, "no")]),
        Err(h(503, "no")),
        1,
    );
    check(white_struct(&[h(404, "retry")]), Err(h(404, "retry")), 0);
}

// A pattern may bind names (unused by the generated `matches!`): no warning.
#[retry(
    constant(n = 3, delay = "1ms"),
    whitelist(E::Timeout(ms @ 1..=10), E::Http { status, .. }),
    sleep = record,
    attempt = k
)]
fn white_binding(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[retry(constant(n = 3, delay = "1ms"), blacklist(E::Http { status: code @ 400..=499, body }), sleep = record, attempt = k)]
fn black_binding(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[test]
fn patterns_that_bind_names() {
    check(white_binding(&[E::Timeout(5), http(1)]), Ok(2), 2);
    check(white_binding(&[E::Timeout(11)]), Err(E::Timeout(11)), 0);
    check(white_binding(&[E::Busy]), Err(E::Busy), 0);
    check(black_binding(&[http(500), http(401)]), Err(http(401)), 1);
    check(black_binding(&[E::Auth, http(500)]), Ok(2), 2);
}

// --------------------------------------------------------------- retry_if

#[retry(fibonacci(n = 4, initial = "1ms"), retry_if = transient, sleep = record, attempt = k)]
fn if_path(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[retry(fibonacci(n = 4, initial = "1ms"), retry_if = E::is_transient, sleep = record, attempt = k)]
fn if_method_path(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[test]
fn retry_if_path() {
    use E::{Auth, Busy, Timeout};
    for f in [if_path, if_method_path] {
        check(f(&[Busy, Timeout(1), Busy]), Ok(3), 3);
        check(f(&[Busy, Auth, Busy]), Err(Auth), 1);
        check(f(&many(Busy)), Err(Busy), 4);
    }
}

#[retry(constant(n = 4, delay = "1ms"), retry_if = |e: &E| matches!(e, E::Http { status: 500.., .. }), sleep = record, attempt = k)]
fn if_typed_closure(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

#[retry(constant(n = 4, delay = "1ms"), retry_if = |e| e.is_transient() && *e != E::Timeout(0), sleep = record, attempt = k)]
fn if_untyped_closure(errors: &[E]) -> Result<u32, E> {
    step(errors, k)
}

// The closure may capture the function's arguments.
#[retry(constant(n = 4, delay = "1ms"), retry_if = |e| e != stop, sleep = record, attempt = k)]
fn if_capturing_closure(errors: &[E], stop: &E) -> Result<u32, E> {
    step(errors, k)
}

#[test]
fn retry_if_closure() {
    use E::{Auth, Busy, NotFound, Timeout};
    check(if_typed_closure(&[http(500), http(503)]), Ok(2), 2);
    check(if_typed_closure(&[http(500), http(404)]), Err(http(404)), 1);
    check(if_typed_closure(&[Busy]), Err(Busy), 0);

    check(if_untyped_closure(&[Timeout(3), Busy]), Ok(2), 2);
    check(
        if_untyped_closure(&[Timeout(3), NotFound]),
        Err(NotFound),
        1,
    );
    check(if_untyped_closure(&[Busy, Timeout(0)]), Err(Timeout(0)), 1);

    check(
        if_capturing_closure(&[Auth, Busy, NotFound, Auth], &NotFound),
        Err(NotFound),
        2,
    );
    check(if_capturing_closure(&[Auth, Busy], &NotFound), Ok(2), 2);
    check(if_capturing_closure(&[Busy], &Busy), Err(Busy), 0);
}

#[retry(constant(n = 3, delay = "1ms"), retry_if = |e: &std::io::Error| e.kind() == std::io::ErrorKind::Interrupted, sleep = record, attempt = k)]
fn io(kinds: &[std::io::ErrorKind]) -> std::io::Result<u32> {
    match kinds.get(k as usize) {
        Some(kind) => Err(std::io::Error::from(*kind)),
        None => Ok(k),
    }
}

#[test]
fn retry_if_on_a_foreign_error() {
    use std::io::ErrorKind::{Interrupted, NotFound};
    assert_eq!(io(&[Interrupted, Interrupted]).ok(), Some(2));
    assert_eq!(pauses(), 2);
    assert_eq!(
        io(&[Interrupted, NotFound, Interrupted]).map_err(|e| e.kind()),
        Err(NotFound)
    );
    assert_eq!(pauses(), 1);
    assert_eq!(
        io(&[Interrupted; 9]).map_err(|e| e.kind()),
        Err(Interrupted)
    );
    assert_eq!(pauses(), 3);
}
