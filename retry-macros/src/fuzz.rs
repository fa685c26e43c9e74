//! Fuzzing of the attribute: "the macro never panics".
//!
//! Many generated attribute inputs (random token trees, mutated valid
//! attributes, truncated lists, huge numbers, unicode, nested and invisible
//! groups, every option with every kind of value) and arbitrary items (sync,
//! async, const, unsafe, extern fns, receivers, generics, no return type, no
//! body, not a fn at all) go through [`entry::retry`], and every answer must be
//! either an expansion that parses as a `syn::ItemFn` with the user's exact
//! signature, or tokens holding a `compile_error!` (after the user's item).
//!
//! `cargo test` runs 2,000 cases per property (a few seconds); the long run is
//!
//! ```text
//! PROPTEST_CASES=100000 cargo test -p retry-macros --release fuzz
//! ```
//!
//! Every panic found is kept below as a named regression test.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Literal, TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::test_runner::Config;
use quote::ToTokens;

use crate::entry;

/// Cases per property under plain `cargo test`; `PROPTEST_CASES` overrides.
const DEFAULT_CASES: u32 = 2_000;

fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    // Failures become named regression tests in this file, not files in the tree.
    config.failure_persistence = None;
    config
}

/// Lexes `src`; every string this file feeds it is valid Rust tokens.
fn lex(src: &str) -> TokenStream {
    match TokenStream::from_str(src) {
        Ok(tokens) => tokens,
        Err(e) => panic!("test vocabulary does not lex: {src:?}: {e}"),
    }
}

// ---------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------

/// Runs the macro on `args` and `item`; `Err` describes a broken promise.
fn check(args: &TokenStream, item: &TokenStream) -> Result<(), String> {
    let expanded = catch_unwind(AssertUnwindSafe(|| {
        entry::retry(args.clone(), item.clone())
    }));
    let out = match expanded {
        Ok(out) => out,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string payload)".to_string());
            return Err(format!("PANIC: {message}\n  args: {args}\n  item: {item}"));
        }
    };
    let original = syn::parse2::<syn::ItemFn>(item.clone()).ok();
    if has_compile_error(&out) {
        // The user's fn must come back as written, so IDEs keep working in it.
        if let Some(original) = original {
            let file = syn::parse2::<syn::File>(out.clone())
                .map_err(|e| format!("error output does not parse ({e})\n  args: {args}\n  item: {item}\n  out: {out}"))?;
            let same_fn =
                matches!(file.items.first(), Some(syn::Item::Fn(f)) if same_sig(f, &original));
            let rest_are_errors = file.items.iter().skip(1).all(|i| {
                matches!(i, syn::Item::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "compile_error"))
            });
            if !same_fn || !rest_are_errors {
                return Err(format!("error output is not `item + compile_error!`\n  args: {args}\n  item: {item}\n  out: {out}"));
            }
        }
        return Ok(());
    }
    let Some(original) = original else {
        return Err(format!(
            "a non-fn item was accepted\n  args: {args}\n  item: {item}\n  out: {out}"
        ));
    };
    match syn::parse2::<syn::ItemFn>(out.clone()) {
        Ok(func) if same_sig(&func, &original) => Ok(()),
        Ok(_) => Err(format!(
            "the signature changed\n  args: {args}\n  item: {item}\n  out: {out}"
        )),
        Err(e) => Err(format!(
            "expansion does not parse as a fn ({e})\n  args: {args}\n  item: {item}\n  out: {out}"
        )),
    }
}

fn same_sig(a: &syn::ItemFn, b: &syn::ItemFn) -> bool {
    a.sig.to_token_stream().to_string() == b.sig.to_token_stream().to_string()
        && a.vis.to_token_stream().to_string() == b.vis.to_token_stream().to_string()
}

/// `compile_error !` anywhere in `tokens`.
fn has_compile_error(tokens: &TokenStream) -> bool {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    trees.iter().enumerate().any(|(i, tt)| match tt {
        TokenTree::Ident(id) => {
            id == "compile_error"
                && matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
        }
        TokenTree::Group(g) => has_compile_error(&g.stream()),
        _ => false,
    })
}

fn assert_ok(args: &str, item: &str) {
    if let Err(e) = check(&lex(args), &lex(item)) {
        panic!("{e}");
    }
}

/// The macro accepted `args` on `item` (no `compile_error!`).
fn assert_expands(args: &str, item: &str) {
    assert_ok(args, item);
    let out = entry::retry(lex(args), lex(item));
    assert!(
        !has_compile_error(&out),
        "rejected: #[retry({args})] {item}\n{out}"
    );
}

/// The macro rejected `args` on `item` with a `compile_error!`.
fn assert_rejects(args: &str, item: &str) {
    assert_ok(args, item);
    let out = entry::retry(lex(args), lex(item));
    assert!(
        has_compile_error(&out),
        "accepted: #[retry({args})] {item}\n{out}"
    );
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

/// Valid attributes, covering every option; the seeds of the mutations.
const VALID: &[&str] = &[
    r#"exponential(n = 3, initial = "1s"), blacklist(E::A), jitter = 0.2, timeout = "2s""#,
    r#"constant(n = 1, delay = "1ms"), whitelist(E::A | E::B { .. }, E::C(_)), forever, attempt = k, on_retry = |e, i| log(e, i), crate = ::reattempt"#,
    r#"fibonacci(n = 5, initial = Duration::from_millis(5), max = "1m"), retry_if = |e: &E| e.retryable(), retry_ok = |v| *v == 503, retry_after = E::hint, budget = &BUDGET, sleep = my_sleep"#,
    r#"schedule = [Duration::ZERO; 3], jitter = full, attempt_timeout = "2s""#,
    r#"exponential(n = N, initial = "100ms", max = "2s", factor = 3), jitter = decorrelated, sleep = |d| async move { pause(d).await }"#,
    r#"exponential(n = 3u8, initial = "1.5s", factor = 1.5), jitter = equal, crate = crate::r"#,
    r#"constant(n = 0, delay = "2m30s"), blacklist(E::Http { status: 400..=499, .. } | E::Io(x) ), timeout = Duration::MAX"#,
];

/// Every option (`parse::OPTIONS`) and every other name worth trying.
fn names() -> Vec<&'static str> {
    crate::parse::OPTIONS
        .iter()
        .chain(MORE_NAMES)
        .copied()
        .collect()
}

/// Names beyond `parse::OPTIONS`: schedule arguments, jitter kinds, typos and look-alikes.
const MORE_NAMES: &[&str] = &[
    "n",
    "delay",
    "initial",
    "max",
    "factor",
    "full",
    "equal",
    "decorrelated",
    "exponentail",
    "blaklist",
    "timeuot",
    "Exponential",
    "r#constant",
    "r#crate_",
    "_",
    "self",
    "Self",
    "super",
    "fn",
    "async",
    "r#fn",
    "é",
    "ñ",
    "expönential",
    "日本",
    "Ωmega",
    "_x",
    "__retry_state",
    "__retry_outcome",
    "__retry_pause",
    "__retry_error",
    "x",
    "E",
    "T",
];

/// Values of every kind an option might be given.
const VALUES: &[&str] = &[
    // integers: small, boundary, huge, suffixed, other bases
    "0", "1", "3", "4294967295", "4294967296", "99999999999999999999", "18446744073709551616u128",
    "340282366920938463463374607431768211455", "3u8", "3i128", "3usize", "0x10", "0b1", "1_000", "3f32",
    // floats: in and out of every range
    "0.0", "0.2", "1.0", "1.5", "2.", "1e10", "1e308", "1e400", "1e-400", "0.5f32", "1.0000000000000002",
    "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000.0",
    "-1", "-0.5", "- 3",
    // durations: valid, huge, broken, unicode
    r#""1s""#, r#""250ms""#, r#""1.5s""#, r#""2m30s""#, r#""1h""#, r#""1ns""#, r#""0s""#, r#""9999999999999999h""#,
    r#""18446744073709551615s""#, r#""584542046090626y""#, r#""1e10s""#, r#""-1s""#, r#""""#, r#"" 1s ""#,
    r#""1s 1s""#, r#""1x""#, r#""日本""#, r#""1s\u{301}""#, r#""\0""#, r##"r#"1s"#"##, r#"b"1s""#, "'c'",
    "b'c'", r#"c"1s""#, "true",
    // expressions
    "Duration::from_secs(1)", "Duration::MAX", "DELAY", "&BUDGET", "my_sleep", "E::hint", "|e| true",
    "|_| {}", "|e: &E, i: &RetryInfo| log(e, i)", "|d| async move {}", "move || 1", "[Duration::ZERO; 3]",
    "vec![1, 2]", "{ 1 }", "async {}", "S { a: 1 }", "(1, 2)", "()", "x as u32", "a.b().c", "<T as Tr>::f",
    "if a { b } else { c }", "match x { _ => 1 }", "loop {}", "return", "break", "x?", "..", "1..=2", "!x",
    "*x", "#[a] f", "unsafe { f() }", "'a: loop {}", "f::<u8>", "crate::x", "self::y", "super::z",
    "::reattempt", "r", "full", "equal", "decorrelated", "half", "k", "r#type", "é", "日本",
    // patterns
    "E::A", "E::A | E::B", "E::B(_)", "E::C { .. }", "_", "x @ E::A", "E::Http { status: 400..=499, .. }",
    "| E::A", "&E::A", "(E::A, _)", "[a, .., b]", "E::A if x",
    // punctuation soup
    ",", "=", "==", ":", "::", "|", "||", "-", "!", "#", ".", "..", "..=", "&", "&&", "*", "+", "@", "?", "<",
    ">", "->", "=>", ";", "'a", "$", "~",
];

/// A fragment: lexed tokens (possibly several, kept together) or a group.
#[derive(Clone, Debug)]
enum Tok {
    Frag(TokenStream),
    Group(Delimiter, Vec<Tok>),
}

fn to_stream(toks: &[Tok]) -> TokenStream {
    let mut out = TokenStream::new();
    for tok in toks {
        match tok {
            Tok::Frag(ts) => out.extend(ts.clone()),
            Tok::Group(d, inner) => {
                out.extend([TokenTree::Group(Group::new(*d, to_stream(inner)))]);
            }
        }
    }
    out
}

fn from_stream(ts: TokenStream) -> Vec<Tok> {
    ts.into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => Tok::Group(g.delimiter(), from_stream(g.stream())),
            other => Tok::Frag(other.into_token_stream()),
        })
        .collect()
}

fn delimiter() -> impl Strategy<Value = Delimiter> {
    prop_oneof![
        Just(Delimiter::Parenthesis),
        Just(Delimiter::Bracket),
        Just(Delimiter::Brace),
        Just(Delimiter::None),
    ]
}

/// One leaf: a name, a value, or a literal made from arbitrary data.
fn leaf() -> impl Strategy<Value = Tok> {
    const UNITS: &[&str] = &[
        "", "ns", "us", "ms", "s", "m", "h", "d", "w", "y", " ", "s 1ms", "mss",
    ];
    prop_oneof![
        4 => prop::sample::select(names()).prop_map(|s| Tok::Frag(lex(s))),
        4 => prop::sample::select(VALUES).prop_map(|s| Tok::Frag(lex(s))),
        1 => (prop::sample::select(&['a', 'Z', '_', 'é', '日'][..]), 0..u32::MAX)
            .prop_map(|(c, n)| Tok::Frag(lex(&format!("{c}{n}")))),
        1 => prop::collection::vec(any::<char>(), 0..12)
            .prop_map(|s| Tok::Frag(Literal::string(&s.into_iter().collect::<String>()).into_token_stream())),
        // Duration-like strings, from tiny to far past `u64::MAX` seconds.
        1 => (any::<u128>(), 0..40u32, prop::option::of(0..1000u32), prop::sample::select(UNITS)).prop_map(
            |(n, shift, frac, unit)| {
                let n = n >> (shift * 3);
                let text = frac.map_or(format!("{n}{unit}"), |f| format!("{n}.{f}{unit}"));
                Tok::Frag(Literal::string(&text).into_token_stream())
            }
        ),
        1 => any::<u128>().prop_map(|n| Tok::Frag(Literal::u128_unsuffixed(n).into_token_stream())),
        1 => any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Tok::Frag(Literal::f64_unsuffixed(f).into_token_stream())),
    ]
}

/// Random token trees, with nested (and invisible) groups.
fn tokens() -> impl Strategy<Value = Vec<Tok>> {
    let tree = leaf().prop_recursive(3, 16, 4, |inner| {
        (delimiter(), prop::collection::vec(inner, 0..5)).prop_map(|(d, v)| Tok::Group(d, v))
    });
    prop::collection::vec(tree, 0..10)
}

/// `name`, `name = value`, `name(args)`, `name = (group)`, … joined by commas
/// (and now and then by something else).
fn option_soup() -> impl Strategy<Value = Vec<Tok>> {
    let value = prop_oneof![
        6 => prop::sample::select(VALUES).prop_map(|s| vec![Tok::Frag(lex(s))]),
        1 => leaf().prop_map(|t| vec![t]),
        1 => (delimiter(), prop::sample::select(VALUES))
            .prop_map(|(d, s)| vec![Tok::Group(d, vec![Tok::Frag(lex(s))])]),
        1 => Just(Vec::new()),
    ];
    let arg =
        (prop::sample::select(names()), 0..4u8, value.clone()).prop_map(|(name, shape, value)| {
            let mut v = vec![Tok::Frag(lex(name))];
            match shape {
                0 => {}
                1 => v.push(Tok::Group(Delimiter::Parenthesis, value)),
                _ => {
                    v.push(Tok::Frag(lex("=")));
                    v.extend(value);
                }
            }
            v
        });
    let args = prop::collection::vec(arg.clone(), 0..5).prop_map(|v| join(v, ","));
    let option = (prop::sample::select(names()), 0..5u8, value, args).prop_map(
        |(name, shape, value, args)| {
            let mut v = vec![Tok::Frag(lex(name))];
            match shape {
                0 => {}
                1 => v.push(Tok::Group(Delimiter::Parenthesis, args)),
                2 => v.push(Tok::Group(Delimiter::Parenthesis, value)),
                _ => {
                    v.push(Tok::Frag(lex("=")));
                    v.extend(value);
                }
            }
            v
        },
    );
    let separator = prop_oneof![8 => Just(","), 1 => Just(";"), 1 => Just(",,"), 1 => Just("")];
    prop::collection::vec((option, separator), 0..8).prop_map(|v| {
        let mut out = Vec::new();
        for (option, separator) in v {
            out.extend(option);
            if !separator.is_empty() {
                out.push(Tok::Frag(lex(separator)));
            }
        }
        out
    })
}

fn join(parts: Vec<Vec<Tok>>, separator: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(Tok::Frag(lex(separator)));
        }
        out.extend(part);
    }
    out
}

// ---------------------------------------------------------------------------
// Mutations of valid attributes
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Op {
    Delete,
    Duplicate,
    Swap,
    Replace(Tok),
    Insert(Tok),
    /// Drops this token and everything after it, at every depth.
    Truncate,
    Unwrap,
    Wrap(Delimiter),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Delete),
        2 => Just(Op::Duplicate),
        2 => Just(Op::Swap),
        3 => leaf().prop_map(Op::Replace),
        2 => leaf().prop_map(Op::Insert),
        1 => Just(Op::Truncate),
        1 => Just(Op::Unwrap),
        1 => delimiter().prop_map(Op::Wrap),
    ]
}

fn count(toks: &[Tok]) -> usize {
    toks.iter()
        .map(|t| match t {
            Tok::Frag(_) => 1,
            Tok::Group(_, inner) => 1 + count(inner),
        })
        .sum()
}

/// Applies `op` at the `target`-th token (pre-order); `Some(true)` asks the
/// callers to truncate after the path to it.
fn apply(list: &mut Vec<Tok>, target: &mut usize, op: &Op) -> Option<bool> {
    for i in 0..list.len() {
        if *target == 0 {
            return Some(perform(list, i, op));
        }
        *target -= 1;
        if let Tok::Group(_, inner) = &mut list[i] {
            if let Some(truncate) = apply(inner, target, op) {
                if truncate {
                    list.truncate(i + 1);
                }
                return Some(truncate);
            }
        }
    }
    None
}

fn perform(list: &mut Vec<Tok>, i: usize, op: &Op) -> bool {
    match op {
        Op::Delete => {
            list.remove(i);
        }
        Op::Duplicate => list.insert(i, list[i].clone()),
        Op::Swap if i + 1 < list.len() => list.swap(i, i + 1),
        Op::Swap if i > 0 => list.swap(i - 1, i),
        Op::Swap => {}
        Op::Replace(t) => list[i] = t.clone(),
        Op::Insert(t) => list.insert(i, t.clone()),
        Op::Truncate => {
            list.truncate(i);
            return true;
        }
        Op::Unwrap => {
            if let Tok::Group(_, inner) = &list[i] {
                let inner = inner.clone();
                list.splice(i..=i, inner);
            }
        }
        Op::Wrap(d) => {
            let t = list.remove(i);
            list.insert(i, Tok::Group(*d, vec![t]));
        }
    }
    false
}

fn mutate(mut toks: Vec<Tok>, ops: &[(usize, Op)]) -> Vec<Tok> {
    for (at, op) in ops {
        let n = count(&toks);
        if n == 0 {
            if let Op::Insert(t) | Op::Replace(t) = op {
                toks.push(t.clone());
            }
            continue;
        }
        let mut target = at % n;
        apply(&mut toks, &mut target, op);
    }
    toks
}

/// A valid attribute with 1–6 mutations.
fn mutated_valid() -> impl Strategy<Value = Vec<Tok>> {
    (
        prop::sample::select(VALID),
        prop::collection::vec((any::<usize>(), op()), 1..7),
    )
        .prop_map(|(valid, ops)| mutate(from_stream(lex(valid)), &ops))
}

// ---------------------------------------------------------------------------
// Plausible attributes: the right shape, edge-case values in every slot
// ---------------------------------------------------------------------------

// Each slot has values the macro accepts (extreme ones included, so they
// reach `expand`) and values it must reject.
const COUNTS: &[&str] = &[
    "0",
    "1",
    "3",
    "4294967295",
    "3u8",
    "3i64",
    "N",
    "n()",
    "u32::MAX",
    "u128::MAX",
    "{ 3 }",
    "0x_ff",
    "self.retries",
];
const BAD_COUNTS: &[&str] = &[
    "4294967296",
    "99999999999999999999",
    "-1",
    "1.5",
    "\"3\"",
    "2e3",
    "true",
];
const DURATIONS: &[&str] = &[
    "\"1s\"",
    "\"0s\"",
    "\"1ns\"",
    "\"1.5s\"",
    "\"2m30s\"",
    "\"1h\"",
    "\"9999999999999999h\"",
    "\"18446744073709551615s\"",
    "\"18446744073709551615s 999999999ns\"",
    "\"584542046090626y\"",
    "\"0.0000000001s\"",
    "\"1000000000000000000000000s\"",
    "Duration::MAX",
    "Duration::ZERO",
    "DELAY",
    "Duration::from_secs(u64::MAX)",
];
const BAD_DURATIONS: &[&str] = &[
    "\"18446744073709551616s\"",
    "\"584542046090627y\"",
    "\"1x\"",
    "\"\"",
    "\"日本\"",
    "\"-1s\"",
    "1",
    "1.5",
    "99999999999999999999",
    "true",
    "'s'",
    "b\"1s\"",
];
const FACTORS: &[&str] = &[
    "1", "2", "3", "1.5", "1e400", "1e308", "1.7976931348623157e308", "99999999999999999999",
    "340282366920938463463374607431768211455", "f64::NAN", "f64::INFINITY", "F", "2f32", "1.0000000000000002",
    "100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
];
const BAD_FACTORS: &[&str] = &[
    "0",
    "0.5",
    "0.0",
    "1e-400",
    "0.9999999999999999",
    "\"2\"",
    "-2",
    "true",
];
const JITTERS: &[&str] = &[
    "0",
    "0.2",
    "1",
    "1.0",
    "full",
    "equal",
    "decorrelated",
    "1e-400",
    "0.99999999999999999999",
    "0.2f32",
    "1.00000000000000000001",
    "0.0",
];
const BAD_JITTERS: &[&str] = &[
    "1.5",
    "1e400",
    "99999999999999999999",
    "half",
    "Full",
    "-0.2",
    "J",
    "\"full\"",
    "jitter::full",
    "1.0000000000000002",
];
const PATTERNS: &[&str] = &[
    "E::A",
    "E::A | E::B",
    "E::B(_)",
    "E::C { .. }",
    "_",
    "x @ E::A",
    "E::Http { status: 400..=499, .. }",
    "| E::A",
    "&E::A",
    "E::B(x)",
    "E::C { a, b: Some(c) }",
    "1..=2",
    "\"s\"",
    "E::B(ref x)",
    "(E::A, _)",
];
const BAD_PATTERNS: &[&str] = &["E::A if x", "", "1 + 1", "|"];
const EXPRS: &[&str] = &[
    "|e| true",
    "|_| {}",
    "|e, i| log(e, i)",
    "|e: &E| e.retryable()",
    "|v| *v == 503",
    "E::hint",
    "&BUDGET",
    "my_sleep",
    "|d| async move { pause(d).await }",
    "tokio::time::sleep",
    "<T as Tr>::f",
    "f::<u8>",
    "#[a] f",
    "(f)",
    "{ f }",
    "S { a: 1 }",
    "[Duration::ZERO; 3]",
    "Backoff::constant(3, Duration::ZERO)",
    "vec![]",
    "1",
    "\"s\"",
    "|| {}",
    "async {}",
    "return",
    "x?",
    "..",
    "self.f",
    "Self::f",
    "move |e| e.0 > 1",
];
const BAD_EXPRS: &[&str] = &["", "=", "fn", "struct S", "let x = 1"];
const IDENTS: &[&str] = &[
    "k",
    "attempt",
    "r#type",
    "é",
    "日本",
    "__retry_state",
    "n",
    "__retry_outcome",
];
const BAD_IDENTS: &[&str] = &["_", "self", "Self", "1", "a::b", "\"k\""];
const PATHS: &[&str] = &[
    "::reattempt",
    "reattempt",
    "crate",
    "crate::r",
    "self::r",
    "super::r",
    "::a::b",
];
const BAD_PATHS: &[&str] = &["1", "\"x\"", "a::<u8>", "::", "<T>::x"];

/// A slot: mostly a value the macro accepts, sometimes one it must reject,
/// now and then anything at all.
fn slot(
    good: &'static [&'static str],
    bad: &'static [&'static str],
) -> impl Strategy<Value = String> {
    prop_oneof![
        12 => prop::sample::select(good).prop_map(str::to_string),
        2 => prop::sample::select(bad).prop_map(str::to_string),
        1 => prop::sample::select(VALUES).prop_map(str::to_string),
    ]
}

/// An option present about a third of the time.
fn maybe<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    prop::option::weighted(0.35, s)
}

/// `exponential(n = …, initial = …, max = …, factor = …)` and friends, then a
/// random subset of the options, each with an edge-case value, in any order.
fn plausible() -> impl Strategy<Value = TokenStream> {
    let schedule = (
        0..4u8,
        slot(COUNTS, BAD_COUNTS),
        slot(DURATIONS, BAD_DURATIONS),
        maybe(slot(DURATIONS, BAD_DURATIONS)),
        maybe(slot(FACTORS, BAD_FACTORS)),
    )
        .prop_map(|(form, n, first, max, factor)| {
            let (name, first_name) = [
                ("constant", "delay"),
                ("exponential", "initial"),
                ("fibonacci", "initial"),
                ("schedule", ""),
            ][usize::from(form)];
            if name == "schedule" {
                return format!("schedule = {first}");
            }
            let max = max.map(|m| format!(", max = {m}")).unwrap_or_default();
            let factor = factor
                .map(|f| format!(", factor = {f}"))
                .unwrap_or_default();
            format!("{name}(n = {n}, {first_name} = {first}{max}{factor})")
        });
    let options = (
        maybe((
            0..3u8,
            prop::collection::vec(slot(PATTERNS, BAD_PATTERNS), 1..3),
            slot(EXPRS, BAD_EXPRS),
        )),
        maybe(slot(JITTERS, BAD_JITTERS)),
        prop::bool::weighted(0.2),
        maybe(slot(DURATIONS, BAD_DURATIONS)),
        maybe(slot(DURATIONS, BAD_DURATIONS)),
        maybe(slot(IDENTS, BAD_IDENTS)),
        prop::collection::vec((0..5u8, slot(EXPRS, BAD_EXPRS)), 0..3),
        maybe(slot(PATHS, BAD_PATHS)),
    );
    (schedule, options, any::<u64>()).prop_filter_map(
        "does not lex",
        |(
            schedule,
            (classifier, jitter, forever, timeout, attempt_timeout, attempt, exprs, krate),
            order,
        )| {
            let mut parts = vec![schedule];
            if let Some((kind, pats, expr)) = classifier {
                parts.push(match kind {
                    0 => format!("blacklist({})", pats.join(", ")),
                    1 => format!("whitelist({})", pats.join(" | ")),
                    _ => format!("retry_if = {expr}"),
                });
            }
            parts.extend(jitter.map(|j| format!("jitter = {j}")));
            parts.extend(forever.then(|| "forever".to_string()));
            parts.extend(timeout.map(|t| format!("timeout = {t}")));
            parts.extend(attempt_timeout.map(|t| format!("attempt_timeout = {t}")));
            parts.extend(attempt.map(|a| format!("attempt = {a}")));
            for (which, expr) in exprs {
                let name =
                    ["on_retry", "retry_after", "retry_ok", "budget", "sleep"][usize::from(which)];
                parts.push(format!("{name} = {expr}"));
            }
            parts.extend(krate.map(|k| format!("crate = {k}")));
            // Any order: rotate by a random amount.
            let len = parts.len();
            #[allow(clippy::cast_possible_truncation)]
            parts.rotate_left((order % len as u64) as usize);
            TokenStream::from_str(&parts.join(", ")).ok()
        },
    )
}

/// Any attribute input.
fn attribute() -> impl Strategy<Value = TokenStream> {
    prop_oneof![
        4 => plausible().prop_map(from_stream),
        3 => mutated_valid(),
        2 => option_soup(),
        1 => tokens(),
        1 => prop::sample::select(VALID).prop_map(|s| from_stream(lex(s))),
    ]
    .prop_map(|toks| to_stream(&toks))
}

// ---------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------

const ATTRS: &[&str] = &[
    "",
    "#[inline]",
    "/// Docs.",
    "#[must_use] /// Docs.\n/// More.",
    "#[cfg(all())]",
    "#[doc = \"x\"]",
];
const VIS: &[&str] = &["", "pub", "pub(crate)", "pub(super)", "pub(in crate::a)"];
const QUALIFIERS: &[&str] = &[
    "",
    "async",
    "const",
    "unsafe",
    "async unsafe",
    "const unsafe",
    "const async",
    "extern \"C\"",
    "unsafe extern \"C\"",
    "async extern \"C\"",
    "unsafe async",
    "default",
    "async async",
];
const FN_NAMES: &[&str] = &[
    "f",
    "r#type",
    "é",
    "日本",
    "get_value",
    "__retry_state",
    "main",
];
const GENERICS: &[&str] = &[
    "",
    "<T>",
    "<'a>",
    "<'a, T: Clone + 'a, const N: usize>",
    "<T = u8>",
    "<E: From<Elapsed>>",
    "<>",
    "<F: Fn() -> Result<(), E>>",
];
const PARAMS: &[&str] = &[
    "",
    "&self",
    "&mut self",
    "self",
    "mut self",
    "self: Box<Self>",
    "self: &Arc<Self>",
    "x: u32",
    "mut x: String",
    "(a, b): (u8, u8)",
    "_: u8",
    "S { a, .. }: S",
    "&self, key: &str",
    "x: impl Into<u32>",
    "f: &dyn Fn() -> u8",
    "x: u8, ...",
    "...",
    "x: &'a mut T",
    "#[cfg(all())] x: u8",
];
const RETURNS: &[&str] = &[
    "",
    "-> Result<u32, E>",
    "-> std::io::Result<()>",
    "-> anyhow::Result<String>",
    "-> Result<(), E>",
    "-> impl Future<Output = u8>",
    "-> u32",
    "-> Result<impl Debug, E>",
    "-> !",
    "-> Self",
    "-> Result<&'a T, E>",
    "-> Result<Self, Box<dyn std::error::Error + Send + Sync>>",
    "-> ()",
    "-> Option<u8>",
    "-> (Result<u8, E>)",
    "-> Result<[u8; N], E>",
    "-> Result<fn() -> Result<u8, E>, E>",
];
const WHERES: &[&str] = &[
    "",
    "where T: Send",
    "where Self: Sized",
    "where for<'b> &'b T: Debug,",
];
const BODIES: &[&str] = &[
    "{}",
    "{ Ok(1) }",
    "{ return Err(E::A); }",
    "{ let v = x?; Ok(v) }",
    "{ self.x += 1; Ok(()) }",
    "{ #![allow(unused)] Ok(()) }",
    "{ async {}.await; Ok(()) }",
    ";",
    "{ fn inner() {} Ok(inner()) }",
    "{ 'a: loop { break 'a Ok(()) } }",
    "{ todo!() }",
    "{ panic!(\"boom\") }",
    "{ unsafe { f() } }",
    "{ let attempt = 3; Ok(attempt) }",
    "{ let __retry_state = 1; Ok(__retry_state) }",
    "{ match x { E::A => Err(E::A), _ => Ok(()) } }",
    "{ Ok(Self) }",
    "{ compute(k) }",
];
const NOT_FNS: &[&str] = &[
    "",
    "struct S;",
    "impl X {}",
    "const X: u8 = 1;",
    "mod m {}",
    "trait T { fn f(); }",
    "fn f();",
    "fn f() -> Result<(), E>;",
    "extern \"C\" { fn f(); }",
    "static S: u8 = 1;",
    "type T = u8;",
    "use a::b;",
    "macro_rules! m { () => {} }",
    "fn",
    "fn f",
    "fn f()",
    "fn f() ->",
    "fn f() -> Result<(), E> [ Ok(()) ]",
    "#[x]",
    "enum E { A }",
    "let x = 1;",
    "1 + 1",
    "{ Ok(()) }",
    "async fn f() -> Result<(), E> { } fn g() {}",
];

/// A function assembled from parts (mostly valid Rust, sometimes not).
fn function() -> impl Strategy<Value = TokenStream> {
    (
        prop::sample::select(ATTRS),
        prop::sample::select(VIS),
        prop::sample::select(QUALIFIERS),
        prop::sample::select(FN_NAMES),
        prop::sample::select(GENERICS),
        prop::sample::select(PARAMS),
        prop::sample::select(RETURNS),
        prop::sample::select(WHERES),
        prop::sample::select(BODIES),
    )
        .prop_filter_map("does not lex", |(a, v, q, n, g, p, r, w, b)| {
            TokenStream::from_str(&format!("{a} {v} {q} fn {n}{g}({p}) {r} {w} {b}")).ok()
        })
}

/// Any item.
fn item() -> impl Strategy<Value = TokenStream> {
    prop_oneof![
        8 => function(),
        2 => prop::sample::select(NOT_FNS).prop_map(lex),
        1 => tokens().prop_map(|t| to_stream(&t)),
        1 => (function(), prop::collection::vec((any::<usize>(), op()), 1..4))
            .prop_map(|(f, ops)| to_stream(&mutate(from_stream(f), &ops))),
    ]
}

const PLAIN_FNS: &[&str] = &[
    "fn f(x: u32) -> Result<u32, E> { Ok(x) }",
    "async fn f(&self) -> Result<(), E> { Ok(()) }",
    "pub(crate) fn g<T: Clone>(&mut self, t: &T) -> std::io::Result<T> where T: Send { Ok(t.clone()) }",
];

// ---------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Any attribute on an ordinary function.
    #[test]
    fn fuzz_attributes(args in attribute(), item in prop::sample::select(PLAIN_FNS)) {
        let item = lex(item);
        if let Err(e) = check(&args, &item) {
            prop_assert!(false, "{}", e);
        }
    }

    /// Any item under a valid (or slightly mutated) attribute.
    #[test]
    fn fuzz_items(
        args in prop_oneof![
            prop::sample::select(VALID).prop_map(lex),
            plausible(),
            mutated_valid().prop_map(|t| to_stream(&t)),
        ],
        item in item(),
    ) {
        if let Err(e) = check(&args, &item) {
            prop_assert!(false, "{}", e);
        }
    }

    /// Anything on anything.
    #[test]
    fn fuzz_attributes_and_items(args in attribute(), item in item()) {
        if let Err(e) = check(&args, &item) {
            prop_assert!(false, "{}", e);
        }
    }
}

// ---------------------------------------------------------------------------
// Regression tests and fixed points
// ---------------------------------------------------------------------------

#[test]
fn fuzz_vocabulary_lexes() {
    for s in VALID
        .iter()
        .chain(&names())
        .chain(VALUES)
        .chain(NOT_FNS)
        .chain(PLAIN_FNS)
    {
        let _ = lex(s);
    }
}

#[test]
fn fuzz_every_valid_seed_expands() {
    for args in VALID {
        let item = if args.contains("attempt_timeout") {
            PLAIN_FNS[1]
        } else {
            PLAIN_FNS[0]
        };
        assert_expands(args, item);
    }
}

#[test]
fn fuzz_every_qualifier_and_shape() {
    let args = r#"exponential(n = 3, initial = "1s")"#;
    assert_expands(args, "pub async unsafe fn f<'a, T>(&'a self, t: T) -> Result<&'a T, E> where T: Send { Ok(&self.0) }");
    assert_expands(
        args,
        "unsafe extern \"C\" fn f(x: u8) -> Result<u8, E> { Ok(x) }",
    );
    assert_expands(args, "fn f() -> Result<impl Debug, E> { Ok(1) }");
    assert_rejects(args, "const fn f() -> Result<u8, E> { Ok(1) }");
    assert_rejects(args, "fn f() { }");
    assert_rejects(args, "fn f();");
    assert_rejects(args, "struct S;");
    assert_rejects(args, "");
    assert_rejects(
        r#"exponential(n = 3, initial = "1s"), attempt_timeout = "1s""#,
        "fn f() -> Result<u8, E> { Ok(1) }",
    );
}

/// Found by `fuzz_attributes`: a `factor` literal past f64's range parsed as
/// infinity, and `Literal::f64_suffixed(inf)` panicked in `expand`.
#[test]
fn fuzz_regression_infinite_factor_literal() {
    let huge = format!("1{}", "0".repeat(400));
    for factor in ["1e400", "1.7976931348623159e308", huge.as_str()] {
        let args = format!(r#"exponential(n = 3u8, initial = "1s", factor = {factor})"#);
        assert_expands(&args, PLAIN_FNS[0]);
        let out = entry::retry(lex(&args), lex(PLAIN_FNS[0])).to_string();
        // `f64::MAX`, written out: a finite literal rustc accepts.
        assert!(out.contains(". factor (179769313486231570000"), "{out}");
    }
}

/// The generators are worth their cases: plausible attributes often reach
/// `expand` (where the panic above was), mutations mostly reach errors.
#[test]
fn fuzz_generators_reach_both_outcomes() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    fn shares(strategy: impl Strategy<Value = TokenStream>) -> (usize, usize) {
        let mut runner = TestRunner::deterministic();
        let (mut expanded, mut rejected) = (0, 0);
        for _ in 0..500 {
            let Ok(tree) = strategy.new_tree(&mut runner) else {
                continue;
            };
            let out = entry::retry(tree.current(), lex(PLAIN_FNS[1]));
            if has_compile_error(&out) {
                rejected += 1;
            } else {
                expanded += 1;
            }
        }
        (expanded, rejected)
    }
    let (expanded, rejected) = shares(plausible());
    assert!(
        expanded > 100 && rejected > 100,
        "plausible: {expanded} expanded, {rejected} rejected"
    );
    let (expanded, rejected) = shares(mutated_valid().prop_map(|t| to_stream(&t)));
    assert!(
        expanded > 10 && rejected > 100,
        "mutated: {expanded} expanded, {rejected} rejected"
    );
}
