//! An exhaustive interleaving model of [`Budget`]'s atomic operations: no
//! lost update, whatever the scheduling.
//!
//! `failed()` and `succeeded()` are modelled step by step as the code runs
//! them: `succeeded` is a fast-path load, then `fetch_update`; `fetch_update`
//! is a load, then a loop of `compare_exchange_weak` (each one atomic; a
//! failed one hands back the current value; a weak one may also fail
//! spuriously). Every interleaving of 2–3 threads doing 2–3 operations each is
//! explored (depth-first over states, each state once), under two memory
//! models: sequentially consistent, and `Relaxed` per-location coherence
//! (a load may return any value not older than what its thread last saw; a
//! read-modify-write always sees the latest).
//!
//! Every final state (tokens left, and each operation's answer) must equal
//! the result of some sequential order of the same operations, each order
//! run on a real `Budget`; every intermediate value must stay within
//! `[0, max_tokens]`. A deliberately broken protocol (load, then store) is
//! checked to be caught, so the checker is known to see lost updates.

use std::collections::HashSet as StdHashSet;
use std::hash::{BuildHasherDefault, Hasher};

use crate::Budget;

const UNIT: u64 = 1000;

/// Millions of small states are hashed: a multiply-rotate hash (as rustc's
/// `FxHasher`) instead of `SipHash`, which is slow unoptimised (`cargo test`).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type HashSet<T> = StdHashSet<T, BuildHasherDefault<Fx>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Op {
    Failed,
    Succeeded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Memory {
    SeqCst,
    Relaxed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    /// `fetch_update`: load, then a CAS loop (the real code).
    Cas,
    /// A broken read-modify-write: load, then store (loses updates).
    LoadStore,
}

/// Where a thread is inside its current operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    /// Before the operation's first access.
    Start,
    /// `succeeded`: past the fast path; next is `fetch_update`'s load.
    Update,
    /// Holding `prev`; next is computing `f(prev)` and the CAS.
    Cas(u64),
    /// The broken protocol: holding the value to store, and the answer.
    Store(u64, Option<bool>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Thread {
    /// Operations finished.
    op: u8,
    phase: Phase,
    /// Index (in `history`) of the latest write this thread saw.
    seen: u8,
    /// Bit `k`: operation `k` was a `failed()` that allowed a retry.
    answers: u16,
}

/// At most 3 threads × 3 operations: 9 writes after the initial value.
const WRITES: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct World {
    /// Every value the atomic held that a thread may still read, in
    /// modification order (unused slots are 0).
    history: [u64; WRITES],
    len: u8,
    threads: [Thread; 3],
}

impl World {
    fn latest(&self) -> usize {
        usize::from(self.len) - 1
    }
}

/// Tokens left, and each thread's answers (`answers` bits, 16 per thread).
type Final = (u64, u64);

/// A budget's parameters, in thousandths of a token.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    max_tokens: u32,
    ratio: f64,
    /// `failed()` calls made before the threads start.
    before: u32,
}

impl Bucket {
    fn max(self) -> u64 {
        u64::from(self.max_tokens) * UNIT
    }

    /// As `Budget::new` computes it.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn refill(self) -> u64 {
        ((self.ratio * 1000.0) as u64).min(self.max())
    }

    fn real(self) -> Budget {
        let budget = Budget::new(self.max_tokens, self.ratio);
        for _ in 0..self.before {
            budget.failed();
        }
        budget
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn milli(budget: &Budget) -> u64 {
    (budget.tokens() * 1000.0).round() as u64
}

fn pack(answers: impl IntoIterator<Item = u16>) -> u64 {
    answers
        .into_iter()
        .enumerate()
        .fold(0, |acc, (t, a)| acc | u64::from(a) << (16 * t))
}

fn len(program: &[Op]) -> u8 {
    u8::try_from(program.len()).unwrap_or(u8::MAX)
}

/// Every final state of every interleaving of `programs` (at most 3 threads).
fn explore(
    bucket: Bucket,
    programs: &[Vec<Op>],
    memory: Memory,
    protocol: Protocol,
) -> HashSet<Final> {
    let idle = Thread {
        op: 0,
        phase: Phase::Start,
        seen: 0,
        answers: 0,
    };
    let mut history = [0; WRITES];
    history[0] = milli(&bucket.real());
    let start = World {
        history,
        len: 1,
        threads: [idle; 3],
    };
    let mut seen = HashSet::default();
    let mut finals = HashSet::default();
    let mut stack = vec![start];
    let mut next = Vec::new();
    while let Some(mut world) = stack.pop() {
        canonical(&mut world, programs, memory);
        if !seen.insert(world) {
            continue;
        }
        let mut done = true;
        for (i, program) in programs.iter().enumerate() {
            let op = usize::from(world.threads[i].op);
            if op < program.len() {
                done = false;
                step(bucket, &world, i, program[op], memory, protocol, &mut next);
                stack.append(&mut next);
            }
        }
        if done {
            let answers = world.threads[..programs.len()].iter().map(|t| t.answers);
            finals.insert((world.history[world.latest()], pack(answers)));
        }
    }
    finals
}

/// Forgets what no thread can read any more, so equal futures are one state:
/// under `SeqCst` only the latest value; under `Relaxed` the values from the
/// oldest one a running thread may still read.
fn canonical(world: &mut World, programs: &[Vec<Op>], memory: Memory) {
    let latest = u8::try_from(world.latest()).unwrap_or(u8::MAX);
    for (i, t) in world.threads.iter_mut().enumerate() {
        if memory == Memory::SeqCst || programs.get(i).is_none_or(|p| t.op == len(p)) {
            t.seen = latest;
        }
    }
    let oldest = world.threads.iter().map(|t| t.seen).min().unwrap_or(latest);
    let (oldest_i, len) = (usize::from(oldest), usize::from(world.len));
    world.history.copy_within(oldest_i..len, 0);
    world.history[len - oldest_i..].fill(0);
    world.len -= oldest;
    for t in &mut world.threads {
        t.seen -= oldest;
    }
}

/// Pushes the worlds after thread `i` takes its next step of `op` to `next`.
fn step(
    bucket: Bucket,
    world: &World,
    i: usize,
    op: Op,
    memory: Memory,
    protocol: Protocol,
    next: &mut Vec<World>,
) {
    let (max, refill) = (bucket.max(), bucket.refill());
    let latest = world.latest();
    let thread = world.threads[i];
    // The indices a load may read.
    let reads = match memory {
        Memory::SeqCst => latest..=latest,
        Memory::Relaxed => usize::from(thread.seen)..=latest,
    };
    let with = |phase: Phase, seen: usize| {
        let mut w = *world;
        w.threads[i].phase = phase;
        w.threads[i].seen = u8::try_from(seen).unwrap_or(u8::MAX);
        w
    };
    let finish = |mut w: World, answer: Option<bool>| {
        let t = &mut w.threads[i];
        if answer == Some(true) {
            t.answers |= 1 << t.op;
        }
        t.op += 1;
        t.phase = Phase::Start;
        w
    };
    let write = |w: &mut World, value: u64| {
        assert!(value <= max, "wrote {value} above max {max}");
        w.history[usize::from(w.len)] = value;
        w.len += 1;
        w.threads[i].seen = w.len - 1;
    };
    let update = |t: u64| match op {
        Op::Failed => Some(t.saturating_sub(UNIT)),
        Op::Succeeded => (t < max).then(|| t.saturating_add(refill).min(max)),
    };
    let answer = |prev: u64| match op {
        Op::Failed => Some(prev.saturating_sub(UNIT) > max / 2),
        Op::Succeeded => None,
    };
    match thread.phase {
        Phase::Start | Phase::Update => {
            for idx in reads {
                let v = world.history[idx];
                let fast_path = op == Op::Succeeded && thread.phase == Phase::Start;
                if fast_path {
                    if refill == 0 || v >= max {
                        next.push(finish(with(Phase::Start, idx), None));
                    } else {
                        next.push(with(Phase::Update, idx));
                    }
                } else if protocol == Protocol::LoadStore {
                    match update(v) {
                        Some(new) => next.push(with(Phase::Store(new, answer(v)), idx)),
                        None => next.push(finish(with(Phase::Start, idx), None)),
                    }
                } else {
                    next.push(with(Phase::Cas(v), idx));
                }
            }
        }
        Phase::Cas(prev) => match update(prev) {
            // `fetch_update` gives up when `f` says `None`.
            None => next.push(finish(with(Phase::Start, usize::from(thread.seen)), None)),
            Some(new) => {
                let current = world.history[latest];
                if current == prev {
                    let mut w = *world;
                    write(&mut w, new);
                    next.push(finish(w, answer(prev)));
                }
                // A failed CAS hands back the current value; a weak one may
                // also fail spuriously when `current == prev`.
                next.push(with(Phase::Cas(current), latest));
            }
        },
        Phase::Store(new, result) => {
            let mut w = *world;
            write(&mut w, new);
            next.push(finish(w, result));
        }
    }
}

/// The results of every sequential order of `programs` (program order kept),
/// each run on a real `Budget`.
fn sequential(bucket: Bucket, programs: &[Vec<Op>]) -> HashSet<Final> {
    fn orders(left: &mut [usize], prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if left.iter().all(|&n| n == 0) {
            out.push(prefix.clone());
            return;
        }
        for t in 0..left.len() {
            if left[t] > 0 {
                left[t] -= 1;
                prefix.push(t);
                orders(left, prefix, out);
                prefix.pop();
                left[t] += 1;
            }
        }
    }
    let mut all = Vec::new();
    orders(
        &mut programs.iter().map(Vec::len).collect::<Vec<_>>(),
        &mut Vec::new(),
        &mut all,
    );
    all.into_iter()
        .map(|order| {
            let budget = bucket.real();
            let mut done = vec![0u8; programs.len()];
            let mut answers = vec![0u16; programs.len()];
            for t in order {
                let k = done[t];
                match programs[t][usize::from(k)] {
                    Op::Failed => {
                        if budget.failed() {
                            answers[t] |= 1 << k;
                        }
                    }
                    Op::Succeeded => budget.succeeded(),
                }
                done[t] += 1;
            }
            (milli(&budget), pack(answers))
        })
        .collect()
}

/// Every program of `shape[t]` operations per thread, up to renaming the
/// threads (the model and the orders are symmetric in them).
fn programs(shape: &[usize]) -> Vec<Vec<Vec<Op>>> {
    let total: usize = shape.iter().sum();
    (0..1u32 << total)
        .map(|bits| {
            let mut k = 0;
            shape
                .iter()
                .map(|&len| {
                    (0..len)
                        .map(|_| {
                            let op = if bits >> k & 1 == 1 {
                                Op::Failed
                            } else {
                                Op::Succeeded
                            };
                            k += 1;
                            op
                        })
                        .collect()
                })
                .collect::<Vec<Vec<Op>>>()
        })
        .filter(|p| {
            p.windows(2)
                .all(|w| w[0].len() != w[1].len() || w[0] <= w[1])
        })
        .collect()
}

fn buckets() -> Vec<Bucket> {
    let mut out = Vec::new();
    for max_tokens in [1, 2, 3] {
        for ratio in [0.0, 0.5, 1.0, 2.5] {
            for before in 0..=max_tokens + 1 {
                out.push(Bucket {
                    max_tokens,
                    ratio,
                    before,
                });
            }
        }
    }
    out
}

/// Checks every program of `shape` on `buckets`; returns the number of
/// interleaving end states checked.
fn check_all(shape: &[usize], buckets: &[Bucket], memory: Memory) -> usize {
    let mut checked = 0;
    for bucket in buckets {
        for programs in programs(shape) {
            let spec = sequential(*bucket, &programs);
            let finals = explore(*bucket, &programs, memory, Protocol::Cas);
            for f in &finals {
                assert!(
                    spec.contains(f),
                    "{memory:?} {bucket:?} {programs:?}: end state {f:?} matches no sequential order {spec:?}"
                );
            }
            // The sequential orders are interleavings too.
            assert!(
                spec.is_subset(&finals),
                "{bucket:?} {programs:?}: the model misses sequential results"
            );
            checked += finals.len();
        }
    }
    checked
}

#[test]
fn single_thread_model_is_the_real_budget() {
    for bucket in buckets() {
        for shape in [[1], [2], [4]] {
            for programs in programs(&shape) {
                for memory in [Memory::SeqCst, Memory::Relaxed] {
                    let finals = explore(bucket, &programs, memory, Protocol::Cas);
                    assert_eq!(
                        finals,
                        sequential(bucket, &programs),
                        "{bucket:?} {programs:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn two_threads_never_lose_an_update() {
    for memory in [Memory::SeqCst, Memory::Relaxed] {
        for shape in [[2, 2], [2, 3], [3, 3]] {
            assert!(check_all(&shape, &buckets(), memory) > 0);
        }
    }
}

#[test]
fn three_threads_two_operations_each_never_lose_an_update() {
    for memory in [Memory::SeqCst, Memory::Relaxed] {
        assert!(check_all(&[2, 2, 2], &buckets(), memory) > 0);
    }
}

#[test]
fn three_threads_three_operations_each_never_lose_an_update() {
    // Every program, on buckets where the threshold, the refill clamp and an
    // empty bucket are all reachable.
    let some = [
        Bucket {
            max_tokens: 1,
            ratio: 0.0,
            before: 0,
        },
        Bucket {
            max_tokens: 2,
            ratio: 0.5,
            before: 1,
        },
        Bucket {
            max_tokens: 3,
            ratio: 1.0,
            before: 1,
        },
        Bucket {
            max_tokens: 3,
            ratio: 2.5,
            before: 2,
        },
    ];
    assert!(check_all(&[3, 3, 3], &some, Memory::SeqCst) > 0);
    // `Relaxed` (stale loads) multiplies the states: one bucket.
    assert!(check_all(&[3, 3, 3], &some[1..2], Memory::Relaxed) > 0);
}

#[test]
fn the_model_catches_a_lost_update() {
    // Load-then-store instead of a CAS: two concurrent failures can both read
    // 3 and both write 2; no sequential order ends with 2 tokens.
    let bucket = Bucket {
        max_tokens: 3,
        ratio: 1.0,
        before: 0,
    };
    let programs = vec![vec![Op::Failed], vec![Op::Failed]];
    let spec = sequential(bucket, &programs);
    let broken = explore(bucket, &programs, Memory::SeqCst, Protocol::LoadStore);
    assert!(
        broken.iter().any(|f| !spec.contains(f)),
        "{broken:?} vs {spec:?}"
    );
    assert!(broken.iter().any(|(tokens, _)| *tokens == 2000));
}
