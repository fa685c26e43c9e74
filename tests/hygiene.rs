//! Hygiene of the generated code: shadowed `core`/`std`/`reattempt`/`tokio`
//! modules, strict lints, user names that collide with the expansion's, local
//! items named like prelude items, and a renamed crate.

#![deny(warnings, unused_qualifications, unused_results, unused_extern_crates)]

// Modules that shadow the crates: generated code must name every path from
// the root (`::reattempt::__private::…`), never `core::`, `std::`, `tokio::`
// (`mod tokio {}` is below: at the root it would break `#[tokio::test]`).
#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
mod std {}
#[allow(dead_code)]
mod reattempt {}

extern crate reattempt as r2;

use ::reattempt as r;
use ::reattempt::retry;
use ::std::cell::{Cell, RefCell};
use ::std::time::Duration;

::std::thread_local! {
    static PAUSES: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

fn record(d: Duration) {
    PAUSES.with(|p| p.borrow_mut().push(d));
}

/// The pauses recorded so far (and forgets them).
fn pauses() -> Vec<Duration> {
    PAUSES.with(RefCell::take)
}

/// The number of body runs so far (and resets it).
fn calls() -> u32 {
    CALLS.with(Cell::take)
}

/// Counts one body run; returns the 0-based number of this run.
fn tick() -> u32 {
    CALLS.with(|c| {
        let n = c.get();
        c.set(n + 1);
        n
    })
}

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

#[derive(Debug, PartialEq, Eq)]
enum E {
    Busy(u32),
    Auth,
}

// ------------------------------------------- names the expansion also uses

#[retry(constant(n = 3, delay = "1ms"), blacklist(E::Auth), sleep = record)]
#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
fn colliding_params(
    result: u32,
    attempt: u32,
    f: u32,
    __retry_state: u32,
    state: u32,
    outcome: u32,
    __retry_outcome: u32,
    __retry_pause: u32,
    __retry_error: u32,
    __retry_fake: u32,
) -> Result<u32, E> {
    let run = tick();
    let sum = result
        + attempt
        + f
        + __retry_state
        + state
        + outcome
        + __retry_outcome
        + __retry_pause
        + __retry_error
        + __retry_fake;
    if run < 2 {
        Err(E::Busy(sum))
    } else {
        Ok(sum + run)
    }
}

#[test]
fn params_named_like_the_expansion() {
    assert_eq!(colliding_params(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Ok(57));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

#[retry(exponential(n = 2, initial = "1ms"), sleep = record, attempt = attempt)]
fn colliding_locals(fail_until: u32) -> Result<u32, E> {
    let __retry_state = 1;
    let __retry_outcome = 2;
    let __retry_pause = 3;
    let result = __retry_state + __retry_outcome + __retry_pause;
    let f = |x: u32| x * 10;
    let state = attempt;
    let outcome: Result<u32, E> = if state < fail_until {
        Err(E::Busy(state))
    } else {
        Ok(f(result) + state)
    };
    outcome
}

#[test]
fn locals_named_like_the_expansion_and_attempt_named_attempt() {
    assert_eq!(colliding_locals(2), Ok(62));
    assert_eq!(pauses(), [ms(1), ms(2)]);
    assert_eq!(colliding_locals(9), Err(E::Busy(2)));
    assert_eq!(pauses(), [ms(1), ms(2)]);
}

#[retry(constant(n = 1, delay = "1ms"), sleep = record, attempt = __retry_state)]
fn attempt_named_retry_state() -> Result<u32, u32> {
    if __retry_state == 0 {
        Err(__retry_state)
    } else {
        Ok(__retry_state)
    }
}

#[retry(constant(n = 2, delay = "1ms"), retry_if = |__retry_outcome| *__retry_outcome != E::Auth, sleep = record)]
fn closure_param_named_like_the_expansion(__retry_error: &[E]) -> Result<u32, E> {
    let run = tick();
    match __retry_error.get(run as usize) {
        Some(E::Busy(b)) => Err(E::Busy(*b)),
        Some(E::Auth) => Err(E::Auth),
        None => Ok(run),
    }
}

#[test]
fn binding_names_that_collide() {
    assert_eq!(attempt_named_retry_state(), Ok(1));
    assert_eq!(pauses(), [ms(1)]);
    assert_eq!(
        closure_param_named_like_the_expansion(&[E::Busy(0), E::Auth]),
        Err(E::Auth)
    );
    assert_eq!(calls(), 2);
    assert_eq!(pauses(), [ms(1)]);
}

// --------------------------------- local items named like prelude items

#[allow(dead_code, unused_macros, non_upper_case_globals)]
mod shadowed_prelude {
    use super::{record, tick};
    use ::reattempt::retry;

    // Every name the expansion might have written bare.
    struct Duration;
    struct Option;
    struct Some;
    const None: u8 = 0;
    struct Ok;
    struct Err;
    struct Result;
    struct Box;
    struct Vec;
    struct State;
    struct Outcome;
    struct Policy;
    struct Backoff;
    fn drop() {}
    macro_rules! matches {
        ($($t:tt)*) => {
            compile_error!("the expansion used the local `matches!`")
        };
    }

    #[derive(Debug, PartialEq, Eq)]
    pub(super) enum Error {
        Busy,
        Fatal,
    }

    #[retry(exponential(n = 3, initial = ::std::time::Duration::from_millis(1)), blacklist(Error::Fatal), sleep = record)]
    pub(super) fn get(ok_at: u32) -> ::std::result::Result<u32, Error> {
        let run = tick();
        if run < ok_at {
            return ::std::result::Result::Err(Error::Busy);
        }
        ::std::result::Result::Ok(run)
    }

    #[retry(constant(n = 3, delay = "1ms"), whitelist(Error::Busy), sleep = record, attempt = k)]
    pub(super) fn fatal_at(at: u32) -> ::std::result::Result<u32, Error> {
        if k == at {
            ::std::result::Result::Err(Error::Fatal)
        } else {
            ::std::result::Result::Err(Error::Busy)
        }
    }
}

#[test]
fn local_items_named_like_the_prelude() {
    assert_eq!(shadowed_prelude::get(2), Ok(2));
    assert_eq!(pauses(), [ms(1), ms(2)]);
    assert_eq!(
        shadowed_prelude::fatal_at(1),
        Err(shadowed_prelude::Error::Fatal)
    );
    assert_eq!(pauses(), [ms(1)]);
    assert_eq!(calls(), 3);
}

// A module without the prelude at all.
#[no_implicit_prelude]
mod no_prelude {
    #[::reattempt::retry(fibonacci(n = 3, initial = "1ms"), sleep = super::record, attempt = k)]
    pub(super) fn get(ok_at: u32) -> ::std::result::Result<u32, u32> {
        if k < ok_at {
            ::std::result::Result::Err(k)
        } else {
            ::std::result::Result::Ok(k)
        }
    }

    #[::reattempt::retry(constant(n = 1, delay = "1ms"), sleep = super::record, retry_if = |e: &u32| *e > 0)]
    pub(super) fn never_retried() -> ::std::result::Result<(), u32> {
        ::std::result::Result::Err(0)
    }
}

#[test]
fn no_implicit_prelude() {
    assert_eq!(no_prelude::get(3), Ok(3));
    assert_eq!(pauses(), [ms(1), ms(1), ms(2)]);
    assert_eq!(no_prelude::get(9), Err(3));
    assert_eq!(no_prelude::never_retried(), Err(0));
    assert_eq!(pauses(), [ms(1), ms(1), ms(2)]);
}

// ----------------------------------------------------------- crate = PATH

#[r::retry(constant(n = 2, delay = "1ms"), sleep = record, crate = r)]
fn renamed(ok_at: u32) -> Result<u32, E> {
    let run = tick();
    if run < ok_at {
        Err(E::Busy(run))
    } else {
        Ok(run)
    }
}

mod nested {
    #[r2::retry(constant(n = 2, delay = "1ms"), sleep = super::record, crate = ::r2)]
    pub(super) fn extern_crate_renamed(ok_at: u32) -> Result<u32, u32> {
        let run = super::tick();
        if run < ok_at {
            Err(run)
        } else {
            Ok(run)
        }
    }

    #[crate::r::retry(constant(n = 2, delay = "1ms"), sleep = super::record, crate = crate::r)]
    pub(super) fn use_renamed(ok_at: u32) -> Result<u32, u32> {
        let run = super::tick();
        if run < ok_at {
            Err(run)
        } else {
            Ok(run)
        }
    }
}

#[test]
fn crate_renamed() {
    assert_eq!(renamed(1), Ok(1));
    assert_eq!(calls(), 2);
    assert_eq!(nested::extern_crate_renamed(9), Err(2));
    assert_eq!(calls(), 3);
    assert_eq!(nested::use_renamed(2), Ok(2));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 5]);
}

// ------------------------------------- async, default sleep, shadowed tokio

mod shadowed_tokio {
    use super::{r, E};

    #[allow(dead_code)]
    mod tokio {}

    pub(super) struct Conn {
        pub(super) misses: u32,
    }

    impl Conn {
        // The default sleep of an `async fn` is tokio's: reached through
        // `__private`, not through the `tokio` in scope.
        #[r::retry(exponential(n = 3, initial = "1s"), crate = r, attempt = attempt)]
        pub(super) async fn query(&mut self, state: &str) -> Result<String, E> {
            let outcome = self.misses;
            if outcome > 0 {
                self.misses -= 1;
                return Err(E::Busy(attempt));
            }
            let __retry_outcome = ::std::format!("{state}{attempt}");
            Ok(__retry_outcome)
        }
    }
}

#[::tokio::test(start_paused = true)]
async fn async_with_shadowed_tokio_and_colliding_names() {
    let start = ::tokio::time::Instant::now();
    let mut c = shadowed_tokio::Conn { misses: 2 };
    assert_eq!(c.query("q").await.as_deref(), Ok("q2"));
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    let mut c = shadowed_tokio::Conn { misses: 9 };
    assert_eq!(c.query("q").await, Err(E::Busy(3)));
    assert_eq!(c.misses, 5);
    assert_eq!(start.elapsed(), Duration::from_secs(3 + 7));
}
