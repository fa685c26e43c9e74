//! Smoke test of the attribute, sync and async.
use reattempt::retry;
use std::cell::RefCell;
use std::time::Duration;

thread_local!(static PAUSES: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) });
fn record(d: Duration) {
    PAUSES.with(|p| p.borrow_mut().push(d));
}

#[derive(Debug, PartialEq)]
enum E {
    Auth,
    Busy,
}

#[retry(exponential(n = 3, initial = "1s"), blacklist(E::Auth), sleep = record, attempt = k)]
fn f(fail: &[bool]) -> Result<u32, E> {
    if fail[k as usize] {
        Err(E::Busy)
    } else {
        Ok(k)
    }
}

#[test]
fn smoke() {
    assert_eq!(f(&[true, true, false, false]), Ok(2));
    PAUSES.with(|p| {
        assert_eq!(
            *p.borrow(),
            [Duration::from_secs(1), Duration::from_secs(2)]
        );
    });
}

struct S {
    n: u32,
}
impl S {
    #[retry(constant(n = 2, delay = "1ms"))]
    async fn m(&mut self) -> Result<impl std::fmt::Debug, E> {
        self.n += 1;
        if self.n < 3 {
            return Err(E::Busy);
        }
        Ok(self.n)
    }
}

#[tokio::test(start_paused = true)]
async fn smoke_async() {
    let mut s = S { n: 0 };
    let v = s.m().await;
    assert_eq!(format!("{v:?}"), "Ok(3)");
    let _ = E::Auth;
}
