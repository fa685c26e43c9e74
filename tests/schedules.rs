//! Every schedule form of `#[retry]`: attempt counts, exact pauses, and the
//! last result returned.

use reattempt::{retry, Backoff};
use std::time::Duration;

mod common;
use common::{calls, ms, pauses, record, tick};

fn secs(v: u64) -> Duration {
    Duration::from_secs(v)
}

/// The error carries the number of the run that made it, so tests can see
/// that the **last** error is the one returned.
#[derive(Debug, PartialEq, Eq)]
struct Fail(u32);

/// Fails until run number `ok_at` (0-based), which returns its number.
fn script(ok_at: u32) -> Result<u32, Fail> {
    let run = tick();
    if run >= ok_at {
        Ok(run)
    } else {
        Err(Fail(run))
    }
}

// ---------------------------------------------------------------- constant

#[retry(constant(n = 3, delay = "1s"), sleep = record)]
fn constant_3(ok_at: u32) -> Result<u32, Fail> {
    script(ok_at)
}

#[test]
fn constant_exhausted_returns_last_error() {
    assert_eq!(constant_3(u32::MAX), Err(Fail(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [secs(1); 3]);
}

#[test]
fn constant_success_after_two_failures() {
    assert_eq!(constant_3(2), Ok(2));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [secs(1); 2]);
}

#[test]
fn first_try_success_never_pauses() {
    assert_eq!(constant_3(0), Ok(0));
    assert_eq!(calls(), 1);
    assert_eq!(pauses(), []);
}

#[test]
fn each_call_starts_a_fresh_schedule() {
    assert_eq!(constant_3(u32::MAX), Err(Fail(3)));
    assert_eq!(constant_3(u32::MAX), Err(Fail(7)));
    assert_eq!(calls(), 8);
    assert_eq!(pauses(), [secs(1); 6]);
}

// ------------------------------------------------------------- exponential

#[retry(exponential(n = 3, initial = "1s"), sleep = record)]
fn exponential_3() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn exponential_doubles() {
    assert_eq!(exponential_3(), Err(Fail(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [secs(1), secs(2), secs(4)]);
}

#[retry(exponential(n = 8, initial = "100ms", max = "2s"), sleep = record)]
fn exponential_max() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn exponential_never_above_max() {
    assert_eq!(exponential_max(), Err(Fail(8)));
    assert_eq!(calls(), 9);
    assert_eq!(
        pauses(),
        [
            ms(100),
            ms(200),
            ms(400),
            ms(800),
            ms(1600),
            ms(2000),
            ms(2000),
            ms(2000)
        ]
    );
}

#[retry(exponential(n = 4, initial = "1s", factor = 3), sleep = record)]
fn exponential_factor_3() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn exponential_integer_factor() {
    assert_eq!(exponential_factor_3(), Err(Fail(4)));
    assert_eq!(calls(), 5);
    assert_eq!(pauses(), [secs(1), secs(3), secs(9), secs(27)]);
}

#[retry(exponential(n = 3, initial = "1s", factor = 1.5), sleep = record)]
fn exponential_factor_1_5() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn exponential_float_factor() {
    assert_eq!(exponential_factor_1_5(), Err(Fail(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(1000), ms(1500), ms(2250)]);
}

const GROWTH: f64 = 4.0;

#[retry(exponential(n = 3, initial = "10ms", factor = GROWTH, max = "100ms"), sleep = record)]
fn exponential_factor_const() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn exponential_factor_as_expression_and_max() {
    assert_eq!(exponential_factor_const(), Err(Fail(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(10), ms(40), ms(100)]);
}

#[retry(exponential(n = 8, initial = "1h"), sleep = record)]
fn exponential_unbounded() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn exponential_saturates_at_one_day_without_max() {
    let h = |n: u64| secs(n * 3600);
    assert_eq!(exponential_unbounded(), Err(Fail(8)));
    assert_eq!(calls(), 9);
    assert_eq!(
        pauses(),
        [h(1), h(2), h(4), h(8), h(16), h(24), h(24), h(24)]
    );
}

// --------------------------------------------------------------- fibonacci

#[retry(fibonacci(n = 5, initial = "1s"), sleep = record)]
fn fibonacci_5() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn fibonacci_sequence() {
    assert_eq!(fibonacci_5(), Err(Fail(5)));
    assert_eq!(calls(), 6);
    assert_eq!(pauses(), [secs(1), secs(1), secs(2), secs(3), secs(5)]);
}

#[retry(fibonacci(n = 7, initial = "1s", max = "4s"), sleep = record)]
fn fibonacci_max() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn fibonacci_never_above_max() {
    assert_eq!(fibonacci_max(), Err(Fail(7)));
    assert_eq!(calls(), 8);
    assert_eq!(
        pauses(),
        [
            secs(1),
            secs(1),
            secs(2),
            secs(3),
            secs(4),
            secs(4),
            secs(4)
        ]
    );
}

#[retry(fibonacci(n = 4, initial = "10ms"), sleep = record)]
fn fibonacci_ok_at(ok_at: u32) -> Result<u32, Fail> {
    script(ok_at)
}

#[test]
fn fibonacci_stops_at_success() {
    assert_eq!(fibonacci_ok_at(3), Ok(3));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(10), ms(10), ms(20)]);
}

// ---------------------------------------------------------- schedule = EXPR

#[retry(schedule = vec![ms(5), ms(50), ms(7)], sleep = record)]
fn custom_vec() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn schedule_vec_is_the_exact_pauses_and_its_length_is_n() {
    assert_eq!(custom_vec(), Err(Fail(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(5), ms(50), ms(7)]);
    // Built afresh at each call: the second call gets the whole list again.
    assert_eq!(custom_vec(), Err(Fail(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(5), ms(50), ms(7)]);
}

#[retry(schedule = Backoff::list([secs(3), secs(1)]), sleep = record)]
fn custom_list(ok_at: u32) -> Result<u32, Fail> {
    script(ok_at)
}

#[test]
fn schedule_backoff_list() {
    assert_eq!(custom_list(u32::MAX), Err(Fail(2)));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [secs(3), secs(1)]);
    assert_eq!(custom_list(1), Ok(1));
    assert_eq!(calls(), 2);
    assert_eq!(pauses(), [secs(3)]);
}

#[retry(schedule = Backoff::exponential(3, ms(10)).max(ms(25)), sleep = record)]
fn custom_backoff() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn schedule_backoff_builder() {
    assert_eq!(custom_backoff(), Err(Fail(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(10), ms(20), ms(25)]);
}

#[retry(schedule = pauses_from(plan), sleep = record)]
fn custom_from_args(plan: &[u64]) -> Result<u32, Fail> {
    script(u32::MAX)
}

fn pauses_from(plan: &[u64]) -> impl Iterator<Item = Duration> + '_ {
    plan.iter().copied().map(Duration::from_millis)
}

#[test]
fn schedule_built_from_the_arguments_at_each_call() {
    assert_eq!(custom_from_args(&[1, 2]), Err(Fail(2)));
    assert_eq!(pauses(), [ms(1), ms(2)]);
    assert_eq!(custom_from_args(&[9]), Err(Fail(4)));
    assert_eq!(pauses(), [ms(9)]);
    assert_eq!(calls(), 5);
}

#[retry(schedule = Vec::<Duration>::new(), sleep = record)]
fn custom_empty() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn empty_schedule_is_one_attempt() {
    assert_eq!(custom_empty(), Err(Fail(0)));
    assert_eq!(calls(), 1);
    assert_eq!(pauses(), []);
}

// ------------------------------------------------------------------- n = 0

#[retry(constant(n = 0, delay = "1s"), sleep = record)]
fn constant_0() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(exponential(n = 0, initial = "1s"), sleep = record)]
fn exponential_0() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(fibonacci(n = 0, initial = "1s"), sleep = record)]
fn fibonacci_0() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn n_zero_is_one_attempt_and_no_pause() {
    assert_eq!(constant_0(), Err(Fail(0)));
    assert_eq!(exponential_0(), Err(Fail(1)));
    assert_eq!(fibonacci_0(), Err(Fail(2)));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), []);
}

// ---------------------------------------------------------- n = EXPRESSION

const RETRIES: u32 = 2;

#[retry(constant(n = RETRIES, delay = "1ms"), sleep = record)]
fn n_const() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn n_as_a_const() {
    assert_eq!(n_const(), Err(Fail(2)));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

#[retry(exponential(n = tries, initial = "1ms"), sleep = record)]
fn n_usize_param(tries: usize) -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn n_as_a_usize_variable() {
    assert_eq!(n_usize_param(4), Err(Fail(4)));
    assert_eq!(pauses(), [ms(1), ms(2), ms(4), ms(8)]);
    assert_eq!(n_usize_param(0), Err(Fail(5)));
    assert_eq!(pauses(), []);
    assert_eq!(calls(), 6);
}

#[retry(constant(n = { let local: usize = 1; local + 1 }, delay = "1ms"), sleep = record)]
fn n_block() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn n_as_a_block_expression() {
    assert_eq!(n_block(), Err(Fail(2)));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

const NEGATIVE: i32 = -5;

#[retry(constant(n = NEGATIVE, delay = "1ms"), sleep = record)]
fn n_negative() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn n_negative_expression_is_zero_retries() {
    assert_eq!(n_negative(), Err(Fail(0)));
    assert_eq!(calls(), 1);
    assert_eq!(pauses(), []);
}

struct Client {
    retries: u32,
    wide: u64,
}

impl Client {
    #[retry(fibonacci(n = self.retries, initial = "2ms"), sleep = record)]
    fn get(&self) -> Result<u32, Fail> {
        script(u32::MAX)
    }

    #[retry(constant(n = self.wide, delay = "3ms"), sleep = record)]
    fn get_mut(&mut self) -> Result<u32, Fail> {
        self.retries += 1;
        script(u32::MAX)
    }
}

#[test]
fn n_as_a_field() {
    let mut c = Client {
        retries: 3,
        wide: 1,
    };
    assert_eq!(c.get(), Err(Fail(3)));
    assert_eq!(pauses(), [ms(2), ms(2), ms(4)]);
    assert_eq!(c.get_mut(), Err(Fail(5)));
    assert_eq!(pauses(), [ms(3)]);
    assert_eq!(c.retries, 5);
    assert_eq!(calls(), 6);
}

struct Budgeted {
    retries: u32,
}

impl Budgeted {
    #[retry(constant(n = self.retries, delay = "1ms"), sleep = record)]
    fn get(&mut self) -> Result<u32, Fail> {
        // Read once per call, before the first attempt (a sync fn): raising
        // it here does not lengthen this call's schedule.
        self.retries += 10;
        script(u32::MAX)
    }
}

struct Tuned;

impl Tuned {
    const RETRIES: u32 = 2;
    const DELAY: Duration = Duration::from_millis(8);

    #[retry(constant(n = Self::RETRIES, delay = Self::DELAY), sleep = record)]
    fn get() -> Result<u32, Fail> {
        script(u32::MAX)
    }
}

#[retry(exponential(n = N, initial = "1ms"), sleep = record)]
fn const_generic_n<const N: u8>() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn n_and_delay_from_associated_consts_and_const_generics() {
    assert_eq!(Tuned::get(), Err(Fail(2)));
    assert_eq!(pauses(), [ms(8); 2]);
    assert_eq!(calls(), 3);
    assert_eq!(const_generic_n::<3>(), Err(Fail(3)));
    assert_eq!(pauses(), [ms(1), ms(2), ms(4)]);
    assert_eq!(calls(), 4);
}

#[test]
fn n_is_read_once_per_call() {
    let mut b = Budgeted { retries: 2 };
    assert_eq!(b.get(), Err(Fail(2)));
    assert_eq!(b.retries, 32);
    assert_eq!(pauses(), [ms(1); 2]);
    assert_eq!(calls(), 3);
}

const HUGE: u64 = u64::MAX;

#[retry(exponential(n = HUGE, initial = "1s", factor = 1e300), sleep = record)]
fn huge(ok_at: u32) -> Result<u32, Fail> {
    script(ok_at)
}

#[test]
fn huge_n_and_factor_saturate() {
    let day = secs(24 * 60 * 60);
    assert_eq!(huge(40), Ok(40));
    assert_eq!(calls(), 41);
    let p = pauses();
    assert_eq!(p.len(), 40);
    assert_eq!(p[0], secs(1));
    assert!(p[1..].iter().all(|d| *d == day), "{p:?}");
}

#[retry(schedule = std::iter::repeat(ms(3)), sleep = record)]
fn endless(ok_at: u32) -> Result<u32, Fail> {
    script(ok_at)
}

/// Yields one pause, then `None`, then pauses again: not fused.
struct Unfused(u32);

impl Iterator for Unfused {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        self.0 += 1;
        (self.0 != 2).then(|| ms(u64::from(self.0)))
    }
}

#[retry(schedule = Unfused(0), sleep = record)]
fn unfused() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn schedule_iterators_infinite_and_unfused() {
    assert_eq!(endless(25), Ok(25));
    assert_eq!(pauses(), [ms(3); 25]);
    assert_eq!(calls(), 26);
    // The first `None` ends the schedule, whatever the iterator does next.
    assert_eq!(unfused(), Err(Fail(1)));
    assert_eq!(pauses(), [ms(1)]);
    assert_eq!(calls(), 2);
}

// ------------------------------------------------------ duration literals

#[retry(constant(n = 1, delay = "250ms"), sleep = record)]
fn lit_250ms() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(constant(n = 1, delay = "1.5s"), sleep = record)]
fn lit_1_5s() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(constant(n = 1, delay = "2m30s"), sleep = record)]
fn lit_2m30s() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(constant(n = 1, delay = "1h"), sleep = record)]
fn lit_1h() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(exponential(n = 2, initial = "1us", max = "1h 30m"), sleep = record)]
fn lit_micro_and_spaced() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn duration_literals() {
    assert!(lit_250ms().is_err());
    assert_eq!(pauses(), [ms(250)]);
    assert!(lit_1_5s().is_err());
    assert_eq!(pauses(), [ms(1500)]);
    assert!(lit_2m30s().is_err());
    assert_eq!(pauses(), [secs(150)]);
    assert!(lit_1h().is_err());
    assert_eq!(pauses(), [secs(3600)]);
    assert!(lit_micro_and_spaced().is_err());
    assert_eq!(
        pauses(),
        [Duration::from_micros(1), Duration::from_micros(2)]
    );
    assert_eq!(calls(), 11);
}

// --------------------------------------------------- duration expressions

const DELAY: Duration = Duration::from_millis(40);
const CAP: Duration = Duration::from_millis(12);

#[retry(exponential(n = 3, initial = Duration::from_millis(5)), sleep = record)]
fn expr_initial() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(constant(n = 2, delay = DELAY), sleep = record)]
fn expr_const() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(exponential(n = 3, initial = Duration::from_millis(5), max = CAP), sleep = record)]
fn expr_max() -> Result<u32, Fail> {
    script(u32::MAX)
}

#[retry(fibonacci(n = 3, initial = first), sleep = record)]
fn expr_param(first: Duration) -> Result<u32, Fail> {
    script(u32::MAX)
}

#[test]
fn duration_expressions() {
    assert_eq!(expr_initial(), Err(Fail(3)));
    assert_eq!(pauses(), [ms(5), ms(10), ms(20)]);
    assert_eq!(expr_const(), Err(Fail(6)));
    assert_eq!(pauses(), [ms(40), ms(40)]);
    assert_eq!(expr_max(), Err(Fail(10)));
    assert_eq!(pauses(), [ms(5), ms(10), ms(12)]);
    assert_eq!(expr_param(ms(3)), Err(Fail(14)));
    assert_eq!(pauses(), [ms(3), ms(3), ms(6)]);
    assert_eq!(calls(), 15);
}

// ------------------------------------------------------ attempt = IDENT

#[retry(exponential(n = 3, initial = "1ms"), sleep = record, attempt = k)]
fn with_attempt(ok_at: u32) -> Result<u32, u32> {
    tick();
    if k >= ok_at {
        Ok(k)
    } else {
        Err(k)
    }
}

#[test]
fn attempt_number_matches_run_and_last_error_is_returned() {
    assert_eq!(with_attempt(9), Err(3));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(1), ms(2), ms(4)]);
    assert_eq!(with_attempt(1), Ok(1));
    assert_eq!(calls(), 2);
    assert_eq!(pauses(), [ms(1)]);
}
