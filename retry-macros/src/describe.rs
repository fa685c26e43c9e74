//! The policy in words, appended to the function's rustdoc, so `cargo doc`
//! shows how every retried function behaves.

use std::fmt::Write as _;

use quote::ToTokens;

use crate::model::{ClassifierKind, Count, Dur, Factor, Form, JitterKind, Plan, PlanSchedule};

/// "Retried up to 3 times with exponential back-off from 1s, capped at 10s;
/// errors matching `E::Auth` are not retried."
pub(crate) fn policy(plan: &Plan) -> String {
    let mut parts = vec![schedule(plan)];
    if let Some(c) = &plan.classifier {
        parts.push(match c {
            ClassifierKind::Blacklist(p) => {
                format!("errors matching {} are not retried", patterns(p))
            }
            ClassifierKind::Whitelist(p) => {
                format!("only errors matching {} are retried", patterns(p))
            }
            ClassifierKind::RetryIf(e) => {
                format!("an error is retried when `{}` returns true", code(e))
            }
        });
    }
    if let Some(e) = &plan.retry_ok {
        parts.push(format!(
            "an `Ok` value is retried when `{}` returns true",
            code(e)
        ));
    }
    if let Some(e) = &plan.retry_after {
        parts.push(format!("a hint from `{}` replaces the pause", code(e)));
    }
    if let Some(d) = &plan.timeout {
        parts.push(format!("gives up after {} in all", duration(d)));
    }
    if let Some(d) = &plan.attempt_timeout {
        parts.push(format!("each attempt may take at most {}", duration(d)));
    }
    if let Some(e) = &plan.budget {
        parts.push(format!("retries draw on the budget `{}`", code(e)));
    }
    format!("{}.", parts.join("; "))
}

fn schedule(plan: &Plan) -> String {
    let mut s = match &plan.schedule {
        PlanSchedule::Custom(e) => format!("Retried after each pause of `{}`", code(e)),
        PlanSchedule::Builtin {
            form,
            n,
            first,
            max,
            factor,
        } => {
            let times = match n {
                Count::Lit(0) => return "Not retried (`n = 0`)".to_string(),
                Count::Lit(1) => "once".to_string(),
                Count::Lit(n) => format!("up to {n} times"),
                Count::Expr(e) => format!("up to `{}` times", code(e)),
            };
            let mut s = match form {
                Form::Constant => format!("Retried {times}, every {}", duration(first)),
                Form::Exponential => format!(
                    "Retried {times} with exponential back-off from {}",
                    duration(first)
                ),
                Form::Fibonacci => format!(
                    "Retried {times} with Fibonacci back-off from {}",
                    duration(first)
                ),
            };
            match factor {
                Some(Factor::Lit { value, .. }) => {
                    let _ = write!(s, " (×{value})");
                }
                Some(Factor::Expr(e)) => {
                    let _ = write!(s, " (×`{}`)", code(e));
                }
                None => {}
            }
            if let Some(max) = max {
                let _ = write!(s, ", capped at {}", duration(max));
            }
            s
        }
    };
    if let Some(j) = &plan.jitter {
        s.push_str(match j {
            JitterKind::Factor(_) | JitterKind::Expr(_) => "",
            JitterKind::Full => ", with full jitter",
            JitterKind::Equal => ", with equal jitter",
            JitterKind::Decorrelated => ", with decorrelated jitter",
        });
        if let JitterKind::Expr(e) = j {
            let _ = write!(s, ", with jitter `{}`", code(e));
        }
        if let JitterKind::Factor(f) = j {
            let _ = write!(s, ", with ±{}% jitter", (f * 100.0).round());
        }
    }
    if plan.forever {
        s.push_str(", then forever at the last pause");
    }
    s
}

fn duration(d: &Dur) -> String {
    match d {
        Dur::Lit { text, .. } => text.clone(),
        Dur::Expr(e) => format!("`{}`", code(e)),
    }
}

fn patterns(pats: &[syn::Pat]) -> String {
    let all: Vec<String> = pats.iter().map(|p| format!("`{}`", code(p))).collect();
    match all.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    }
}

/// Source text of a node, spaced as people write it (`E::Http { status: 500..=599, .. }`,
/// `|e: &E| e.is_transient()`), not as the token printer does.
fn code(node: &impl ToTokens) -> String {
    let mut out = String::new();
    write_tokens(node.to_token_stream(), &mut out);
    out
}

/// What was written last, for spacing.
#[derive(Clone, Copy, PartialEq)]
enum Last {
    Start,
    /// An identifier, a literal or a closing group: a word.
    Word,
    /// An operator that binds tightly (`::`, `.`, `..=`, `&`, `!`, `#`, `'`).
    Tight,
    /// An operator followed by a space (`,`, `:`, `=`, `=>`, `|` of an or-pattern).
    Spaced,
    /// The opening `|` of closure parameters.
    OpenPipe,
}

fn write_tokens(tokens: proc_macro2::TokenStream, out: &mut String) {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    let mut last = Last::Start;
    let mut in_params = false;
    let mut op = String::new();
    for tt in tokens {
        if let TokenTree::Punct(p) = &tt {
            op.push(p.as_char());
            if p.spacing() == Spacing::Joint {
                continue;
            }
            let text = std::mem::take(&mut op);
            last = match text.as_str() {
                "," | ";" => {
                    out.push_str(&text);
                    Last::Spaced
                }
                ":" => {
                    out.push(':');
                    Last::Spaced
                }
                "|" if in_params => {
                    in_params = false;
                    out.push('|');
                    Last::Spaced
                }
                "|" if matches!(last, Last::Start | Last::Spaced) => {
                    in_params = true;
                    out.push('|');
                    Last::OpenPipe
                }
                "::" | "." | ".." | "..=" | "&" | "!" | "#" | "'" | "<" | ">" | "-" | "*" => {
                    if last == Last::Spaced && !out.ends_with(' ') {
                        out.push(' ');
                    }
                    out.push_str(&text);
                    Last::Tight
                }
                _ => {
                    if last != Last::Start && !out.ends_with(' ') {
                        out.push(' ');
                    }
                    out.push_str(&text);
                    Last::Spaced
                }
            };
            continue;
        }
        if matches!(last, Last::Spaced)
            && !out.is_empty()
            && !out.ends_with(' ')
            && !out.ends_with('(')
        {
            out.push(' ');
        }
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => (" { ", " }"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(if last == Last::Start {
                    open.trim_start()
                } else {
                    open
                });
                write_tokens(g.stream(), out);
                out.push_str(close);
            }
            other => {
                if last == Last::Word {
                    out.push(' ');
                }
                out.push_str(&other.to_string());
            }
        }
        last = Last::Word;
    }
}

#[cfg(test)]
mod tests {
    use crate::errors::Errors;

    fn describe(args: proc_macro2::TokenStream) -> String {
        let mut errors = Errors::default();
        let attr = crate::parse::attr(args, &mut errors);
        let func: syn::ItemFn = syn::parse_quote!(
            fn f() -> Result<(), E> {
                Ok(())
            }
        );
        let plan = crate::validate::plan(attr, &func, &mut errors);
        assert!(errors.finish().is_ok());
        plan.map(|p| super::policy(&p)).unwrap_or_default()
    }

    #[test]
    fn code_reads_as_written() {
        let cases = [
            (
                quote::quote!(E::Http {
                    status: 500..=599,
                    ..
                }),
                "E::Http { status: 500..=599, .. }",
            ),
            (quote::quote!(|_e: &MyErr| true), "|_e: &MyErr| true"),
            (quote::quote!(|e| e.is_transient()), "|e| e.is_transient()"),
            (quote::quote!(vec![1, 2]), "vec![1, 2]"),
            (quote::quote!(E::A(_) | E::B), "E::A(_) | E::B"),
            (quote::quote!(&BUDGET), "&BUDGET"),
            (
                quote::quote!(Duration::from_millis(5)),
                "Duration::from_millis(5)",
            ),
            (quote::quote!(!matches!(e, E::A)), "!matches!(e, E::A)"),
        ];
        for (tokens, text) in cases {
            assert_eq!(super::code(&tokens), text);
        }
    }

    #[test]
    fn sentences() {
        assert_eq!(
            describe(quote::quote!(exponential(n = 3, initial = "1s", max = "10s"), blacklist(E::Auth))),
            "Retried up to 3 times with exponential back-off from 1s, capped at 10s; errors matching `E::Auth` are not retried."
        );
        assert_eq!(
            describe(quote::quote!(
                constant(n = 1, delay = "250ms"),
                jitter = 0.2,
                timeout = "5s"
            )),
            "Retried once, every 250ms, with ±20% jitter; gives up after 5s in all."
        );
        assert_eq!(
            describe(quote::quote!(
                fibonacci(n = 0, initial = "1s"),
                whitelist(E::A, E::B(_))
            )),
            "Not retried (`n = 0`); only errors matching `E::A` or `E::B(_)` are retried."
        );
    }
}
