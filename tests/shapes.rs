//! Every function shape `#[retry]` accepts compiles and behaves: receivers,
//! generics, lifetimes, `impl Trait`, trait impls, `unsafe`, patterns, `mut`
//! parameters, attributes, early exits and `Result` aliases.

use reattempt::retry;
use std::cell::{Cell, RefCell};
use std::fmt::Display;
use std::num::ParseIntError;
use std::str::FromStr;

mod common;
use common::{calls, ms, pauses, record, tick};

#[derive(Debug, PartialEq, Eq)]
enum MyErr {
    Busy(u32),
    Parse,
}

impl From<ParseIntError> for MyErr {
    fn from(_: ParseIntError) -> Self {
        MyErr::Parse
    }
}

/// `Err(Busy(run))` until run `ok_at`.
fn gate(ok_at: u32) -> Result<u32, MyErr> {
    let run = tick();
    if run < ok_at {
        Err(MyErr::Busy(run))
    } else {
        Ok(run)
    }
}

// ---------------------------------------------------------------- free fn

#[retry(constant(n = 3, delay = "1ms"), sleep = record)]
fn free(ok_at: u32) -> Result<u32, MyErr> {
    gate(ok_at)
}

#[test]
fn free_fn() {
    assert_eq!(free(2), Ok(2));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
    assert_eq!(free(9), Err(MyErr::Busy(3)));
}

// -------------------------------------------------------------- receivers

struct Service {
    name: String,
    calls: u32,
    seen: Cell<u32>,
    ok_at: u32,
}

impl Service {
    fn new(ok_at: u32) -> Self {
        Service {
            name: "svc".to_owned(),
            calls: 0,
            seen: Cell::new(0),
            ok_at,
        }
    }

    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn by_ref(&self) -> Result<u32, MyErr> {
        self.seen.set(self.seen.get() + 1);
        gate(self.ok_at)
    }

    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn by_mut(&mut self) -> Result<u32, MyErr> {
        self.calls += 1;
        if self.calls < 3 {
            return Err(MyErr::Busy(self.calls));
        }
        Ok(self.calls)
    }

    // By value: the body may use `self` by reference only (moving out of it
    // cannot run twice; that is a documented compile error).
    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn by_value(self) -> Result<usize, MyErr> {
        let len = self.name.len() + self.seen.get() as usize;
        gate(self.ok_at).map(|_| len)
    }

    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn by_rc(self: std::rc::Rc<Self>) -> Result<String, MyErr> {
        gate(self.ok_at).map(|run| format!("{}{run}", self.name))
    }

    #[retry(constant(n = 2, delay = "1ms"), sleep = record)]
    #[allow(clippy::boxed_local)]
    fn by_box_mut(mut self: Box<Self>) -> Result<u32, MyErr> {
        self.calls += 10;
        gate(self.ok_at).map(|_| self.calls)
    }

    // `Self` in the signature and the body.
    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn make(ok_at: u32) -> Result<Self, MyErr> {
        let run = gate(ok_at)?;
        Ok(Self {
            calls: run,
            ..Self::new(ok_at)
        })
    }

    // `&mut self` returning a shared borrow of `self`. (Returning
    // `Result<&mut T, E>` from `&mut self` is a known limit: E0524.)
    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn bump_and_name(&mut self) -> Result<&str, MyErr> {
        self.calls += 1;
        gate(self.ok_at)?;
        Ok(&self.name)
    }

    // Named lifetime: the result borrows an argument.
    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn first_word<'a>(&self, text: &'a str) -> Result<&'a str, MyErr> {
        gate(self.ok_at)?;
        Ok(text.split(' ').next().unwrap_or(text))
    }

    // Elided lifetime: the result borrows `self`.
    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn name(&self) -> Result<&str, MyErr> {
        gate(self.ok_at)?;
        Ok(&self.name)
    }

    // Anonymous lifetime in an argument, result borrowing `self`.
    #[retry(constant(n = 3, delay = "1ms"), sleep = record)]
    fn pick(&self, other: &'_ str, mine: bool) -> Result<&str, MyErr> {
        gate(self.ok_at)?;
        Ok(if mine { &self.name } else { "other" })
            .map(|s| if other.is_empty() { "empty" } else { s })
    }
}

#[test]
fn ref_self() {
    let s = Service::new(2);
    assert_eq!(s.by_ref(), Ok(2));
    assert_eq!(s.seen.get(), 3);
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

#[test]
fn mut_self_mutations_persist_across_attempts() {
    let mut s = Service::new(0);
    assert_eq!(s.by_mut(), Ok(3));
    assert_eq!(s.calls, 3);
    assert_eq!(pauses(), [ms(1); 2]);
    // A second call goes on from there: succeeds at once.
    assert_eq!(s.by_mut(), Ok(4));
    assert_eq!(pauses(), []);
}

#[test]
fn mut_self_returning_a_shared_borrow() {
    let mut s = Service::new(2);
    assert_eq!(s.bump_and_name(), Ok("svc"));
    assert_eq!(s.calls, 3);
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

#[test]
fn self_by_value() {
    assert_eq!(Service::new(1).by_value(), Ok(3));
    assert_eq!(calls(), 2);
    assert_eq!(Service::new(9).by_value(), Err(MyErr::Busy(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(1); 4]);
}

#[test]
fn self_by_rc_and_box() {
    let s = std::rc::Rc::new(Service::new(1));
    assert_eq!(s.clone().by_rc().as_deref(), Ok("svc1"));
    assert_eq!(calls(), 2);
    // `mut self: Box<Self>`: the mutations of each attempt persist.
    assert_eq!(Box::new(Service::new(2)).by_box_mut(), Ok(30));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 3]);
}

#[test]
fn self_type_in_body() {
    let s = Service::make(1).map(|s| (s.calls, s.ok_at));
    assert_eq!(s, Ok((1, 1)));
    assert_eq!(calls(), 2);
    assert!(matches!(Service::make(9), Err(MyErr::Busy(3))));
}

#[test]
fn lifetimes_named_and_elided() {
    let s = Service::new(1);
    let text = String::from("hello world");
    assert_eq!(s.first_word(&text), Ok("hello"));
    assert_eq!(calls(), 2);
    assert_eq!(s.name(), Ok("svc"));
    assert_eq!(calls(), 2);
    assert_eq!(s.pick("x", true), Ok("svc"));
    assert_eq!(calls(), 2);
    assert_eq!(s.pick("", false), Ok("empty"));
    assert_eq!(calls(), 2);
    assert_eq!(pauses(), [ms(1); 4]);
    assert_eq!(Service::new(9).name(), Err(MyErr::Busy(3)));
}

// ------------------------------------------------------------------ generics

#[retry(constant(n = 2, delay = "1ms"), sleep = record, attempt = k)]
fn parse_at<T, S>(inputs: &[S]) -> Result<T, T::Err>
where
    T: FromStr,
    S: AsRef<str>,
{
    tick();
    inputs[k as usize].as_ref().parse::<T>()
}

#[test]
fn generics_and_where_clause() {
    assert_eq!(parse_at::<u8, _>(&["x", "300", "7"]), Ok(7));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
    let inputs = vec![String::from("a"), String::from("b"), String::from("c")];
    assert!(parse_at::<i32, String>(&inputs).is_err());
    assert_eq!(calls(), 3);
}

struct Wrapper<T>(Vec<T>);

impl<T: Display + Clone> Wrapper<T> {
    #[retry(constant(n = 2, delay = "1ms"), sleep = record, attempt = k)]
    fn show(&self) -> Result<String, T> {
        tick();
        match self.0.get(k as usize) {
            Some(item) if k < 2 => Err(item.clone()),
            Some(item) => Ok(item.to_string()),
            None => Ok(String::new()),
        }
    }
}

#[test]
fn generic_impl_method() {
    assert_eq!(Wrapper(vec![1, 2, 3]).show(), Ok("3".to_owned()));
    assert_eq!(Wrapper(vec!['a', 'b']).show(), Ok(String::new()));
    assert_eq!(calls(), 6);
    assert_eq!(pauses(), [ms(1); 4]);
}

#[retry(constant(n = 3, delay = "1ms"), sleep = record, attempt = k)]
fn chunk<const N: usize>(bytes: &[u8]) -> Result<[u8; N], MyErr> {
    tick();
    let start = k as usize;
    bytes
        .get(start..start + N)
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .filter(|a| a[0] == 0)
        .ok_or(MyErr::Busy(k))
}

#[test]
fn const_generics() {
    assert_eq!(chunk::<2>(&[1, 1, 0, 5]), Ok([0, 5]));
    assert_eq!(calls(), 3);
    assert_eq!(chunk::<3>(&[1, 0, 5]), Err(MyErr::Busy(3)));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(1); 5]);
}

// ------------------------------------------------------------- impl Trait

// A by-value argument is used by reference (here cloned): each attempt
// needs it again.
#[retry(constant(n = 3, delay = "1ms"), sleep = record)]
#[allow(clippy::needless_pass_by_value)]
fn total(items: impl IntoIterator<Item = u32> + Clone, ok_at: u32) -> Result<u32, MyErr> {
    gate(ok_at)?;
    Ok(items.clone().into_iter().sum())
}

#[retry(constant(n = 3, delay = "1ms"), sleep = record)]
fn call_it(f: impl Fn(u32) -> Result<u32, MyErr>) -> Result<u32, MyErr> {
    f(tick())
}

#[test]
fn impl_trait_argument() {
    assert_eq!(total(vec![1, 2, 3], 1), Ok(6));
    assert_eq!(calls(), 2);
    assert_eq!(
        call_it(|run| if run < 2 {
            Err(MyErr::Busy(run))
        } else {
            Ok(run * 10)
        }),
        Ok(20)
    );
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 3]);
}

#[retry(constant(n = 3, delay = "1ms"), sleep = record)]
fn evens(limit: u32, ok_at: u32) -> Result<impl Iterator<Item = u32>, MyErr> {
    let run = gate(ok_at)?;
    Ok((0..limit).filter(|x| x % 2 == 0).map(move |x| x + run))
}

#[retry(constant(n = 1, delay = "1ms"), sleep = record)]
fn boxed_display<'a>(s: &'a str) -> Result<Box<dyn Display + 'a>, MyErr> {
    gate(1)?;
    Ok(Box::new(s))
}

#[test]
fn impl_trait_in_result() {
    let v: Vec<u32> = evens(7, 2).map(Iterator::collect).unwrap_or_default();
    assert_eq!(v, [2, 4, 6, 8]);
    assert_eq!(calls(), 3);
    assert!(matches!(evens(7, 9), Err(MyErr::Busy(3))));
    assert_eq!(calls(), 4);
    assert_eq!(
        boxed_display("shown").map(|d| d.to_string()),
        Ok("shown".to_owned())
    );
    assert_eq!(calls(), 2);
    assert_eq!(pauses(), [ms(1); 6]);
}

// ---------------------------------------------------------------- traits

trait Fetch {
    fn fetch(&mut self, key: &str) -> Result<String, MyErr>;
    fn describe(&self) -> Result<u32, MyErr>;
    async fn fetch_async(&mut self, key: &str) -> Result<String, MyErr>;

    // A default method body retries too.
    #[retry(constant(n = 2, delay = "1ms"), sleep = record)]
    fn provided(&self) -> Result<u32, MyErr> {
        self.describe()
    }
}

struct Store {
    misses: u32,
}

impl Fetch for Store {
    #[retry(exponential(n = 3, initial = "1ms"), sleep = record)]
    fn fetch(&mut self, key: &str) -> Result<String, MyErr> {
        if self.misses > 0 {
            self.misses -= 1;
            return Err(MyErr::Busy(self.misses));
        }
        Ok(format!("value of {key}"))
    }

    fn describe(&self) -> Result<u32, MyErr> {
        gate(2)
    }

    #[retry(exponential(n = 3, initial = "1ms"), sleep = tokio::time::sleep)]
    async fn fetch_async(&mut self, key: &str) -> Result<String, MyErr> {
        tick();
        if self.misses > 0 {
            self.misses -= 1;
            return Err(MyErr::Busy(self.misses));
        }
        tokio::task::yield_now().await;
        Ok(key.to_uppercase())
    }
}

#[test]
fn trait_impl_method() {
    let mut s = Store { misses: 2 };
    assert_eq!(s.fetch("k"), Ok("value of k".to_owned()));
    assert_eq!(pauses(), [ms(1), ms(2)]);
    let mut s = Store { misses: 9 };
    assert_eq!(s.fetch("k"), Err(MyErr::Busy(5)));
    assert_eq!(s.misses, 5);
    assert_eq!(pauses(), [ms(1), ms(2), ms(4)]);
}

#[test]
fn trait_default_method() {
    assert_eq!(Store { misses: 0 }.provided(), Ok(2));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

#[tokio::test(start_paused = true)]
async fn async_fn_in_trait_impl() {
    let start = tokio::time::Instant::now();
    let mut s = Store { misses: 3 };
    assert_eq!(s.fetch_async("k").await, Ok("K".to_owned()));
    assert_eq!(s.misses, 0);
    assert_eq!(calls(), 4);
    assert_eq!(start.elapsed(), ms(7));
}

// ---------------------------------------------------------------- unsafe

/// # Safety
///
/// `p` must point to a live `u32`.
#[retry(constant(n = 3, delay = "1ms"), sleep = record)]
unsafe fn read(p: *const u32, ok_at: u32) -> Result<u32, MyErr> {
    gate(ok_at)?;
    // SAFETY: the caller promises `p` is valid.
    Ok(unsafe { *p })
}

#[test]
fn unsafe_fn() {
    let x = 42;
    // SAFETY: `x` lives across the call.
    assert_eq!(unsafe { read(&raw const x, 2) }, Ok(42));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

// ------------------------------------------------------------- parameters

struct Point {
    x: u32,
    y: u32,
}

#[retry(constant(n = 3, delay = "1ms"), sleep = record)]
fn sum(
    (a, b): (u32, u32),
    Point { x, y }: Point,
    [first, ..]: [u32; 2],
    ok_at: u32,
) -> Result<u32, MyErr> {
    gate(ok_at)?;
    Ok(a + b + x + y + first)
}

#[test]
fn pattern_parameters() {
    assert_eq!(sum((1, 2), Point { x: 3, y: 4 }, [5, 0], 2), Ok(15));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

// `mut` parameters are borrowed by each attempt, so their mutations PERSIST
// across attempts: attempt 2 sees what attempt 1 left behind.
#[retry(constant(n = 5, delay = "1ms"), sleep = record)]
fn countdown(mut left: u32, mut log: Vec<u32>) -> Result<Vec<u32>, MyErr> {
    tick();
    left -= 1;
    log.push(left);
    if left > 0 {
        return Err(MyErr::Busy(left));
    }
    Ok(log.clone())
}

#[test]
fn mut_parameters_persist_across_attempts() {
    assert_eq!(countdown(3, vec![9]), Ok(vec![9, 2, 1, 0]));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1); 2]);
}

#[retry(constant(n = 2, delay = "1ms"), sleep = record)]
fn with_param_attrs(
    #[allow(unused_variables)] unused: u32,
    #[cfg(any())] gone: u32,
    ok_at: u32,
) -> Result<u32, MyErr> {
    gate(ok_at)
}

#[test]
fn attributes_on_parameters() {
    assert_eq!(with_param_attrs(0, 1), Ok(1));
    assert_eq!(calls(), 2);
    assert_eq!(pauses(), [ms(1)]);
}

// ------------------------------------------------------------- attributes

#[retry(constant(n = 2, delay = "1ms"), sleep = record)]
fn inner_attrs(ok_at: u32) -> Result<u32, MyErr> {
    #![allow(unused_variables)]
    #![allow(clippy::no_effect_underscore_binding)]
    let unused = 1;
    gate(ok_at)
}

/// Documented: the docs stay (the policy line is appended).
///
/// ```
/// // a doc block stays too
/// ```
#[must_use = "the reading may have failed"]
#[inline]
#[retry(constant(n = 2, delay = "1ms"), sleep = record)]
#[allow(clippy::missing_errors_doc)]
pub(crate) fn documented(ok_at: u32) -> Result<u32, MyErr> {
    gate(ok_at)
}

#[test]
fn inner_and_outer_attributes_kept() {
    assert_eq!(inner_attrs(2), Ok(2));
    assert_eq!(calls(), 3);
    assert_eq!(documented(1), Ok(1));
    assert_eq!(calls(), 2);
    assert_eq!(pauses(), [ms(1); 3]);
}

// ------------------------------------------------ `?` and `return` in body

#[retry(exponential(n = 3, initial = "1ms"), sleep = record, attempt = k)]
fn question_mark(inputs: &[&str]) -> Result<u32, MyErr> {
    tick();
    // `?` converts through `From` and ends only this attempt.
    let n: u32 = inputs[k as usize].parse()?;
    Ok(n)
}

#[retry(exponential(n = 3, initial = "1ms"), sleep = record, attempt = k)]
fn early_return(fail_until: u32) -> Result<u32, MyErr> {
    tick();
    if k < fail_until {
        return Err(MyErr::Busy(k));
    }
    for i in 0.. {
        if i == 5 {
            return Ok(k * 100 + i);
        }
    }
    unreachable!()
}

#[retry(exponential(n = 2, initial = "1ms"), sleep = record, attempt = k)]
fn question_mark_in_closure_and_block(input: &[&str]) -> Result<u32, MyErr> {
    tick();
    let parse = |s: &str| -> Result<u32, ParseIntError> { s.parse::<u32>() };
    let labeled = 'b: {
        if k == 0 {
            break 'b 0;
        }
        parse(input[k as usize])?
    };
    if labeled == 0 {
        return Err(MyErr::Busy(0));
    }
    Ok(labeled)
}

#[test]
fn question_mark_ends_only_the_attempt() {
    assert_eq!(question_mark(&["x", "-1", "7", "8"]), Ok(7));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1), ms(2)]);
    assert_eq!(question_mark(&["x", "y", "z", "w"]), Err(MyErr::Parse));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(1), ms(2), ms(4)]);
    assert_eq!(question_mark_in_closure_and_block(&["", "x", "3"]), Ok(3));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1), ms(2)]);
}

#[test]
fn return_ends_only_the_attempt() {
    assert_eq!(early_return(2), Ok(205));
    assert_eq!(calls(), 3);
    assert_eq!(pauses(), [ms(1), ms(2)]);
    assert_eq!(early_return(9), Err(MyErr::Busy(3)));
    assert_eq!(calls(), 4);
}

#[retry(constant(n = 3, delay = "1ms"), sleep = record, attempt = k)]
fn boxed_error(inputs: &[&str]) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    tick();
    let s = inputs[k as usize];
    if s.is_empty() {
        return Err("empty".into());
    }
    let n: u32 = s.parse()?;
    let _ = std::str::from_utf8(s.as_bytes())?;
    Ok(n)
}

#[test]
fn question_mark_into_a_boxed_error() {
    assert_eq!(boxed_error(&["", "x", "5"]).ok(), Some(5));
    assert_eq!(calls(), 3);
    let last = boxed_error(&["1x", "", "x", ""]).map_err(|e| e.to_string());
    assert_eq!(last, Err("empty".to_owned()));
    assert_eq!(calls(), 4);
    assert_eq!(pauses(), [ms(1); 5]);
}

// ---------------------------------------------------------- Result aliases

#[retry(constant(n = 2, delay = "1ms"), sleep = record, attempt = k)]
fn io_alias(name: &str) -> std::io::Result<String> {
    tick();
    if k < 2 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            format!("try {k}"),
        ));
    }
    let n: u32 = "12".parse().map_err(std::io::Error::other)?;
    Ok(format!("{name}{n}"))
}

#[retry(constant(n = 2, delay = "1ms"), sleep = record, attempt = k)]
fn anyhow_alias(inputs: &[&str]) -> anyhow::Result<u32> {
    tick();
    if k == 0 {
        anyhow::bail!("first attempt fails");
    }
    let n: u32 = inputs[k as usize].parse()?;
    anyhow::ensure!(n > 10, "too small: {n}");
    Ok(n)
}

mod local_alias {
    use super::{gate, record, MyErr};

    pub(crate) type Result<T> = std::result::Result<T, MyErr>;

    #[reattempt::retry(constant(n = 3, delay = "1ms"), sleep = record)]
    pub(crate) fn get(ok_at: u32) -> Result<u32> {
        let run = gate(ok_at)?;
        Ok(run + 1)
    }
}

#[test]
fn result_aliases() {
    assert_eq!(io_alias("a").ok().as_deref(), Some("a12"));
    assert_eq!(calls(), 3);
    let err = io_alias("a").map(|_| ());
    assert!(err.is_ok());
    assert_eq!(pauses(), [ms(1); 4]);

    assert_eq!(anyhow_alias(&["", "5", "42"]).ok(), Some(42));
    assert_eq!(calls(), 6);
    let last = anyhow_alias(&["", "x", "3"]).map_err(|e| e.to_string());
    assert_eq!(last, Err("too small: 3".to_owned()));
    assert_eq!(pauses(), [ms(1); 4]);

    assert_eq!(calls(), 3);
    assert_eq!(local_alias::get(3), Ok(4));
    assert_eq!(local_alias::get(9), Err(MyErr::Busy(7)));
    assert_eq!(pauses(), [ms(1); 6]);
}

#[retry(constant(n = 1, delay = "1ms"), sleep = record, attempt = k)]
fn io_alias_fails(name: &str) -> std::io::Result<String> {
    Err(std::io::Error::other(format!("{name} {k}")))
}

#[test]
fn io_alias_returns_the_last_error() {
    let err = io_alias_fails("x").map_err(|e| e.to_string());
    assert_eq!(err, Err("x 1".to_owned()));
    assert_eq!(pauses(), [ms(1)]);
}

// ------------------------------------------------------------ attempt = k

#[retry(fibonacci(n = 4, initial = "1ms"), sleep = record, attempt = attempt_no)]
fn attempts_seen(seen: &RefCell<Vec<u32>>) -> Result<(), MyErr> {
    seen.borrow_mut().push(attempt_no);
    Err(MyErr::Busy(attempt_no))
}

#[test]
fn attempt_binding_counts_from_zero() {
    let seen = RefCell::new(Vec::new());
    assert_eq!(attempts_seen(&seen), Err(MyErr::Busy(4)));
    assert_eq!(*seen.borrow(), [0, 1, 2, 3, 4]);
    assert_eq!(pauses(), [ms(1), ms(1), ms(2), ms(3)]);
}
