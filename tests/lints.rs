//! The expansion is lint-clean: retried functions of every option and shape,
//! in a crate that denies every warning, `clippy::all` and `clippy::pedantic`
//! (checked by CI's `cargo clippy --all-targets -- -D warnings`), plus lints
//! users commonly add. A lint that fires here and is not about the user's own
//! code is a bug of `retry-macros/src/expand.rs`.
#![deny(warnings)]
#![deny(clippy::all, clippy::pedantic)]
#![deny(unused_qualifications, unsafe_code)]
#![deny(
    rust_2018_idioms,
    unused_results,
    unused_lifetimes,
    trivial_casts,
    trivial_numeric_casts,
    unused_import_braces,
    unreachable_pub,
    let_underscore_drop,
    missing_debug_implementations
)]

use std::cell::Cell;
use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use reattempt::{retry, Budget, Elapsed, RetryInfo};

/// An error with data, unit and struct variants.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Error {
    Busy,
    Http {
        status: u16,
        retry_after: Option<u64>,
    },
    Io(String),
    Timeout,
}

impl From<Elapsed> for Error {
    fn from(_: Elapsed) -> Self {
        Error::Timeout
    }
}

impl From<std::num::ParseIntError> for Error {
    fn from(e: std::num::ParseIntError) -> Self {
        Error::Io(e.to_string())
    }
}

fn transient(e: &Error) -> bool {
    !matches!(
        e,
        Error::Http {
            status: 400..=499,
            ..
        }
    )
}

fn hint(e: &Error) -> Option<Duration> {
    match e {
        Error::Http {
            retry_after: Some(s),
            ..
        } => Some(Duration::from_secs(*s)),
        _ => None,
    }
}

fn log(e: &Error, info: &RetryInfo) {
    assert!(info.delay <= Duration::from_secs(3600), "{e:?}");
}

fn no_pause(_: Duration) {}

fn no_pause_async(_: Duration) -> std::future::Ready<()> {
    std::future::ready(())
}

static BUDGET: Budget = Budget::new(1000, 1.0);
const DELAY: Duration = Duration::from_millis(1);

thread_local! {
    static RUNS: Cell<u32> = const { Cell::new(0) };
}

fn tick() -> u32 {
    RUNS.with(|r| {
        let n = r.get();
        r.set(n + 1);
        n
    })
}

// ------------------------------------------------------------------ sync fns

/// Every schedule argument as a literal; `blacklist` with bindings.
///
/// # Errors
///
/// `Error::Busy` when the service stays busy.
#[retry(
    exponential(n = 3, initial = "1ms", max = "10ms", factor = 3),
    blacklist(Error::Http { status: 400..=499, .. }, Error::Io(_message)),
    jitter = 0.2,
    sleep = no_pause,
    attempt = attempt
)]
pub(crate) fn literal_schedule(ok_at: u32) -> Result<u32, Error> {
    if attempt < ok_at {
        Err(Error::Busy)
    } else {
        Ok(attempt)
    }
}

/// Durations and `n` as expressions; `whitelist` with bindings; hooks as paths.
#[retry(
    fibonacci(n = u8::from(flag) + 2, initial = DELAY, max = Duration::from_millis(5)),
    whitelist(Error::Busy | Error::Http { retry_after: Some(_), status: _ }),
    retry_after = hint,
    on_retry = log,
    jitter = equal,
    sleep = no_pause
)]
fn expression_schedule(flag: bool) -> Result<u8, Error> {
    if tick() % 3 == 0 {
        Err(Error::Http {
            status: 503,
            retry_after: Some(0),
        })
    } else {
        Ok(u8::from(flag))
    }
}

/// `retry_if`, `retry_ok`, `forever`, `timeout`, `budget`, closures everywhere.
#[retry(
    constant(n = 2, delay = "1ms"),
    retry_if = |e: &Error| transient(e),
    retry_ok = |v: &u16| *v == 503,
    on_retry = |e: &Error, info: &RetryInfo| log(e, info),
    retry_after = |_: &Error| None,
    forever,
    timeout = "50ms",
    budget = &BUDGET,
    jitter = decorrelated,
    sleep = |d: Duration| no_pause(d),
    crate = ::reattempt
)]
fn closures(codes: &[u16]) -> Result<u16, Error> {
    let i = usize::try_from(tick()).unwrap_or(usize::MAX);
    codes.get(i).copied().ok_or(Error::Busy)
}

/// `schedule = EXPR`, `?` in the body, a `std` alias of `Result`, `crate = reattempt`.
#[retry(
    schedule = [Duration::ZERO; 2],
    jitter = full,
    sleep = no_pause,
    crate = reattempt
)]
fn custom_schedule(text: &str) -> std::io::Result<u64> {
    let n: u64 = text.parse().map_err(std::io::Error::other)?;
    Ok(n)
}

/// `anyhow::Result`, `return` in the body, patterns that bind in parameters.
#[retry(constant(n = 1, delay = "1ms"), sleep = no_pause)]
fn patterns_in_parameters(
    (a, b): (u8, u8),
    [first, ..]: [u8; 3],
    mut count: u8,
) -> anyhow::Result<u16> {
    count += 1;
    if a > b {
        return Err(anyhow::anyhow!("a > b"));
    }
    Ok(u16::from(a) + u16::from(b) + u16::from(first) + u16::from(count))
}

/// Generics, a `where` clause, lifetimes and `impl Trait`.
#[retry(exponential(n = 2, initial = "1ms"), sleep = no_pause, attempt = k)]
fn generic<'a, T, U: Into<u64> + Copy>(
    items: &'a [T],
    extra: U,
    label: impl AsRef<str>,
) -> Result<&'a T, Error>
where
    T: Debug,
{
    let _ = label.as_ref().len() + usize::try_from(extra.into()).unwrap_or(0);
    items.get(k as usize).ok_or(Error::Busy)
}

/// `impl Trait` in return position.
#[retry(constant(n = 1, delay = "1ms"), sleep = no_pause)]
fn opaque(v: u8) -> Result<impl Debug + Copy, Error> {
    Ok(v)
}

// No docs of its own: the generated policy line is its whole (long) doc.
#[retry(
    exponential(n = 3, initial = "1ms", max = "10ms", factor = 3),
    whitelist(Error::Busy, Error::Timeout, Error::Io(_), Error::Http { status: 500..=599, .. }),
    retry_ok = |v: &u8| *v == 0,
    retry_after = hint,
    timeout = "1s",
    budget = &BUDGET,
    jitter = 0.1,
    sleep = no_pause
)]
fn undocumented_with_a_long_policy() -> Result<u8, Error> {
    Ok(1)
}

// ------------------------------------------------------------------ methods

#[derive(Debug, Default)]
struct Client {
    misses: u32,
    retries: u32,
}

impl Client {
    /// `&mut self`, `n = self.field`.
    #[retry(constant(n = self.retries, delay = "1ms"), sleep = no_pause)]
    fn fetch(&mut self, key: &str) -> Result<String, Error> {
        self.misses += 1;
        if self.misses < 2 {
            Err(Error::Busy)
        } else {
            Ok(key.to_owned())
        }
    }

    /// `&self` returning a borrow, `Self` in the body.
    #[retry(constant(n = 1, delay = "1ms"), sleep = no_pause)]
    fn name(&self) -> Result<&'static str, Error> {
        let fresh = Self::default();
        Ok(if self.misses > fresh.misses {
            "client"
        } else {
            "new client"
        })
    }

    /// `self` by value (a `Copy`-free type used by reference inside).
    #[retry(constant(n = 1, delay = "1ms"), sleep = no_pause)]
    fn consume(self) -> Result<u32, Error> {
        Ok(self.misses + self.retries)
    }

    /// `async fn` method with `attempt_timeout` and tokio's sleep.
    #[retry(exponential(n = 2, initial = "1ms"), attempt_timeout = "1s", attempt = attempt)]
    async fn fetch_async(&mut self, key: &str) -> Result<String, Error> {
        tokio::task::yield_now().await;
        self.misses += attempt;
        Ok(format!("{key}{}", self.misses))
    }
}

trait Store {
    fn load(&self, key: u8) -> Result<u8, Error>;
    fn save(&mut self, key: u8) -> impl Future<Output = Result<u8, Error>> + Send;
}

#[derive(Debug)]
struct Memory(u8);

impl Store for Memory {
    #[retry(constant(n = 2, delay = "1ms"), blacklist(Error::Timeout), sleep = no_pause)]
    fn load(&self, key: u8) -> Result<u8, Error> {
        Ok(self.0 + key)
    }

    #[retry(constant(n = 2, delay = "1ms"), whitelist(Error::Busy), sleep = no_pause_async)]
    async fn save(&mut self, key: u8) -> Result<u8, Error> {
        self.0 = key;
        Ok(self.0)
    }
}

// ------------------------------------------------------------------ async fns

/// Every async option at once, a closure sleep, `?` and `return`.
#[retry(
    exponential(n = 3, initial = "1ms", max = "4ms"),
    jitter = 0.5,
    timeout = "10s",
    attempt_timeout = "100ms",
    whitelist(Error::Busy | Error::Timeout),
    on_retry = |_: &Error, _: &RetryInfo| {},
    retry_after = |_: &Error| Some(Duration::ZERO),
    retry_ok = |v: &u64| *v == 0,
    budget = &BUDGET,
    attempt = attempt,
    sleep = |d: Duration| async move { tokio::time::sleep(d).await }
)]
async fn every_async_option(text: &str) -> Result<u64, Error> {
    tokio::task::yield_now().await;
    if attempt == 0 {
        return Err(Error::Busy);
    }
    let n: u64 = text.parse()?;
    Ok(n)
}

/// Generic async fn with a `where` clause and the default sleep.
#[retry(fibonacci(n = 2, initial = "1ms"), retry_if = |e: &Error| *e == Error::Busy)]
async fn generic_async<T>(value: T) -> Result<T, Error>
where
    T: Clone + Send,
{
    tokio::task::yield_now().await;
    Ok(value.clone())
}

// ------------------------------------------------------------------ the test

#[test]
fn every_function_runs() {
    assert_eq!(literal_schedule(2), Ok(2));
    assert_eq!(expression_schedule(true).map(|_| ()), Ok(()));
    RUNS.with(|r| r.set(0));
    assert_eq!(closures(&[503, 200]), Ok(200));
    assert_eq!(custom_schedule("7").ok(), Some(7));
    assert_eq!(patterns_in_parameters((1, 2), [3, 4, 5], 0).ok(), Some(7));
    assert_eq!(generic(&["a", "b"], 1u8, "x"), Ok(&"a"));
    assert_eq!(undocumented_with_a_long_policy(), Ok(1));
    assert_eq!(opaque(3).map(|v| format!("{v:?}")), Ok("3".to_owned()));

    let mut client = Client {
        misses: 0,
        retries: 2,
    };
    assert_eq!(client.fetch("k"), Ok("k".to_owned()));
    assert_eq!(client.name(), Ok("client"));
    let mut memory = Memory(1);
    assert_eq!(memory.load(1), Ok(2));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build();
    let Ok(runtime) = runtime else {
        panic!("no runtime")
    };
    runtime.block_on(async {
        assert_eq!(client.fetch_async("k").await, Ok("k2".to_owned()));
        assert_eq!(memory.save(4).await, Ok(4));
        assert_eq!(every_async_option("5").await, Ok(5));
        assert_eq!(generic_async(9u8).await, Ok(9));
    });
    assert_eq!(client.consume(), Ok(4));
}

#[test]
fn every_crate_forbids_unsafe_code() {
    for (name, source) in [
        ("reattempt", include_str!("../src/lib.rs")),
        ("retry-core", include_str!("../retry-core/src/lib.rs")),
        ("retry-macros", include_str!("../retry-macros/src/lib.rs")),
    ] {
        assert!(
            source
                .lines()
                .any(|l| l.trim() == "#![forbid(unsafe_code)]"),
            "{name} lost `#![forbid(unsafe_code)]`"
        );
    }
}
