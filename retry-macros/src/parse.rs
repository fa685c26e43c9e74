//! Step 1: the attribute's tokens → a (possibly partial) [`Attr`].
//!
//! Each option is parsed on its own; a mistake is recorded and parsing goes on
//! at the next top-level comma, so several mistakes are reported at once.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Expr, ExprLit, ExprPath, Ident, Lit, Pat, Token};

use crate::errors::Errors;
use crate::model::{
    Attr, Builtin, Classifier, ClassifierKind, Count, Dur, Factor, Form, JitterKind, JitterOpt,
    Schedule,
};

/// Every top-level option, for "did you mean" hints.
pub(crate) const OPTIONS: &[&str] = &[
    "constant",
    "exponential",
    "fibonacci",
    "schedule",
    "blacklist",
    "whitelist",
    "retry_if",
    "jitter",
    "retry_ok",
    "forever",
    "timeout",
    "attempt_timeout",
    "attempt",
    "on_retry",
    "retry_after",
    "budget",
    "sleep",
    "crate",
];

/// Parses the whole attribute; every mistake goes to `errors`.
pub(crate) fn attr(args: TokenStream, errors: &mut Errors) -> Attr {
    let mut attr = Attr::default();
    let parser = |input: ParseStream<'_>| {
        comma_separated(input, errors, |input, errors| {
            option(input, &mut attr, errors)
        });
        Ok(())
    };
    // The closure consumes every token and never fails.
    let _ = parser.parse2(args);
    attr
}

/// Runs `item` for each comma-separated entry of `input`, recovering from a
/// failed entry at the next top-level comma.
fn comma_separated(
    input: ParseStream<'_>,
    errors: &mut Errors,
    mut item: impl FnMut(ParseStream<'_>, &mut Errors) -> syn::Result<()>,
) {
    while !input.is_empty() {
        if let Err(e) = item(input, errors) {
            errors.push(e);
            skip_to_comma(input);
        }
        if input.is_empty() {
            break;
        }
        if let Err(e) = input.parse::<Token![,]>() {
            errors.push(syn::Error::new(e.span(), "expected `,` between options"));
            skip_to_comma(input);
            let _ = input.parse::<Option<Token![,]>>();
        }
    }
}

/// The tokens up to the next top-level comma (not included).
fn take_to_comma(input: ParseStream<'_>) -> TokenStream {
    let mut taken = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        match input.parse::<TokenTree>() {
            Ok(tt) => taken.extend([tt]),
            Err(_) => break,
        }
    }
    taken
}

fn skip_to_comma(input: ParseStream<'_>) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    });
}

/// One top-level option.
fn option(input: ParseStream<'_>, attr: &mut Attr, errors: &mut Errors) -> syn::Result<()> {
    let key = input.call(Ident::parse_any).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected an option name, such as `exponential(n = 3, initial = \"1s\")` or `timeout = \"30s\"`",
        )
    })?;
    let name = key.to_string();
    let result = option_value(input, &key, &name, attr, errors);
    if result.is_err() {
        // Reported now: `validate` must not also report it (or the option a
        // typo meant, such as a schedule) as missing.
        attr.meant
            .extend(nearest(&name, OPTIONS).map(str::to_owned));
        attr.meant.push(name);
    }
    result
}

/// What follows the option's name `key`.
fn option_value(
    input: ParseStream<'_>,
    key: &Ident,
    name: &str,
    attr: &mut Attr,
    errors: &mut Errors,
) -> syn::Result<()> {
    let key = key.clone();
    match name {
        "constant" | "exponential" | "fibonacci" => {
            let form = match name {
                "constant" => Form::Constant,
                "exponential" => Form::Exponential,
                _ => Form::Fibonacci,
            };
            let builtin = builtin(input, form, key.clone(), errors)?;
            set_schedule(attr, &key, Schedule::Builtin(builtin), errors);
        }
        "schedule" => {
            let expr = value::<Expr>(input, &key)?;
            set_schedule(attr, &key, Schedule::Custom(expr), errors);
        }
        "blacklist" | "whitelist" => {
            let patterns = patterns(input, &key)?;
            let kind = if name == "blacklist" {
                ClassifierKind::Blacklist(patterns)
            } else {
                ClassifierKind::Whitelist(patterns)
            };
            set_classifier(attr, key, kind, errors);
        }
        "retry_if" => {
            let expr = value::<Expr>(input, &key)?;
            set_classifier(attr, key, ClassifierKind::RetryIf(expr), errors);
        }
        "jitter" => {
            let expr = ungroup(value::<Expr>(input, &key)?);
            let jitter = jitter(expr)?;
            set_once(&mut attr.jitter, jitter, &key, errors);
        }
        "forever" => {
            if !input.is_empty() && !input.peek(Token![,]) {
                let mut written = key.to_token_stream();
                written.extend(take_to_comma(input));
                return Err(syn::Error::new_spanned(
                    written,
                    "`forever` takes no value: write just `forever` (and bound it with `timeout` or `budget`)",
                ));
            }
            set_once(&mut attr.forever, key.span(), &key, errors);
        }
        "timeout" => {
            let d = duration(input, &key)?;
            set_once(&mut attr.timeout, d, &key, errors);
        }
        "attempt_timeout" => {
            let d = duration(input, &key)?;
            set_once(&mut attr.attempt_timeout, (key.clone(), d), &key, errors);
        }
        "attempt" => {
            let what = "a name for the attempt number, e.g. `attempt = n`";
            let ident = value_with(input, &key, what, |input| {
                Ident::parse(input)
                    .map_err(|e| syn::Error::new(e.span(), format!("`attempt` needs {what}")))
            })?;
            set_once(&mut attr.attempt, ident, &key, errors);
        }
        "on_retry" => set_expr(&mut attr.on_retry, input, &key, errors)?,
        "retry_after" => set_expr(&mut attr.retry_after, input, &key, errors)?,
        "retry_ok" => set_expr(&mut attr.retry_ok, input, &key, errors)?,
        "budget" => set_expr(&mut attr.budget, input, &key, errors)?,
        "sleep" => set_expr(&mut attr.sleep, input, &key, errors)?,
        "crate" => {
            let what = "the path of the `reattempt` crate, e.g. `crate = my_reattempt`";
            let path = value_with(input, &key, what, |input| {
                input
                    .call(syn::Path::parse_mod_style)
                    .map_err(|e| syn::Error::new(e.span(), format!("`crate` needs {what}")))
            })?;
            set_once(&mut attr.krate, path, &key, errors);
        }
        "n" | "delay" | "initial" | "max" | "factor" => {
            return Err(syn::Error::new_spanned(
                &key,
                format!("`{name}` belongs inside the schedule, e.g. `exponential(n = 3, initial = \"1s\")`"),
            ));
        }
        _ => return Err(unknown(&key, "option", "", OPTIONS)),
    }
    Ok(())
}

fn set_once<T>(slot: &mut Option<T>, value: T, key: &Ident, errors: &mut Errors) {
    if slot.is_some() {
        errors.at(
            key,
            format!("duplicate option `{key}`: each option may appear once"),
        );
    } else {
        *slot = Some(value);
    }
}

fn set_expr(
    slot: &mut Option<Expr>,
    input: ParseStream<'_>,
    key: &Ident,
    errors: &mut Errors,
) -> syn::Result<()> {
    let expr = value::<Expr>(input, key)?;
    set_once(slot, expr, key, errors);
    Ok(())
}

fn set_schedule(attr: &mut Attr, key: &Ident, schedule: Schedule, errors: &mut Errors) {
    match &attr.schedule {
        Some(first) => {
            let first = match first {
                Schedule::Builtin(b) => b.form.name(),
                Schedule::Custom(_) => "schedule",
            };
            errors.at(
                key,
                format!("only one schedule is allowed, and `{first}` is already given"),
            );
        }
        None => {
            attr.schedule = Some(schedule);
        }
    }
}

fn set_classifier(attr: &mut Attr, key: Ident, kind: ClassifierKind, errors: &mut Errors) {
    match &attr.classifier {
        Some(first) if first.key == key => {
            errors.at(&key, format!("duplicate option `{key}`: list all patterns in one `{key}(…)`"));
        }
        Some(first) => errors.at(
            &key,
            format!(
                "`{key}` cannot be combined with `{}`: use one of `blacklist`, `whitelist`, `retry_if`",
                first.key
            ),
        ),
        None => attr.classifier = Some(Classifier { key, kind }),
    }
}

/// `= VALUE`.
fn value<T: syn::parse::Parse>(input: ParseStream<'_>, key: &Ident) -> syn::Result<T> {
    value_with(input, key, "a value", T::parse)
}

fn value_with<T>(
    input: ParseStream<'_>,
    key: &Ident,
    what: &str,
    parse: impl FnOnce(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<T> {
    if !input.peek(Token![=]) {
        return Err(syn::Error::new_spanned(
            key,
            format!("`{key}` needs {what}: `{key} = …`"),
        ));
    }
    input.parse::<Token![=]>()?;
    // The value's own tokens, to point at them when it does not parse (syn
    // would point at the end of the attribute for `jitter = 20%`).
    let value = input.fork();
    let mut tokens = TokenStream::new();
    while !value.is_empty() && !value.peek(Token![,]) {
        tokens.extend(std::iter::once(value.parse::<TokenTree>()?));
    }
    parse(input).map_err(|e| {
        if tokens.is_empty() {
            syn::Error::new_spanned(key, format!("`{key} =` needs {what} after `=`"))
        } else {
            syn::Error::new_spanned(&tokens, format!("invalid value for `{key}`: {e}"))
        }
    })
}

/// A literal passed through `macro_rules!` (`delay = $d`) arrives wrapped in
/// an invisible group: look through it.
fn ungroup(expr: Expr) -> Expr {
    match expr {
        Expr::Group(group) => ungroup(*group.expr),
        other => other,
    }
}

/// `(PAT, PAT, …)` of `blacklist` / `whitelist`.
fn patterns(input: ParseStream<'_>, key: &Ident) -> syn::Result<Vec<Pat>> {
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new_spanned(
            key,
            format!("`{key}` needs error patterns in parentheses, e.g. `{key}(MyError::Auth)`"),
        ));
    }
    let content;
    syn::parenthesized!(content in input);
    let list = Punctuated::<Pat, Token![,]>::parse_terminated_with(
        &content,
        Pat::parse_multi_with_leading_vert,
    )?;
    if list.is_empty() {
        return Err(syn::Error::new_spanned(
            key,
            format!("`{key}` needs at least one pattern"),
        ));
    }
    Ok(list.into_iter().collect())
}

/// `constant(…)`, `exponential(…)`, `fibonacci(…)`.
fn builtin(
    input: ParseStream<'_>,
    form: Form,
    name: Ident,
    errors: &mut Errors,
) -> syn::Result<Builtin> {
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new_spanned(
            &name,
            format!(
                "`{name}` needs its arguments, e.g. `{name}(n = 3, {} = \"1s\")`",
                form.first_pause()
            ),
        ));
    }
    let content;
    syn::parenthesized!(content in input);
    let mut b = Builtin {
        form,
        name,
        n: None,
        first: None,
        max: None,
        factor: None,
        meant: Vec::new(),
    };
    comma_separated(&content, errors, |input, errors| {
        let key = input.call(Ident::parse_any).map_err(|e| {
            let list = form
                .arguments()
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            syn::Error::new(
                e.span(),
                format!("expected an argument of `{}`: one of {list}", form.name()),
            )
        })?;
        let arg = key.to_string();
        let result = builtin_arg(input, &key, &arg, &mut b, errors);
        if result.is_err() {
            // Reported now: `validate` must not also call it (or, for a typo
            // or the other form's name of the first pause, what was meant)
            // missing.
            b.meant
                .extend(nearest(&arg, form.arguments()).map(str::to_owned));
            if arg == "delay" || arg == "initial" {
                b.meant.push(form.first_pause().to_owned());
            }
            b.meant.push(arg);
        }
        result
    });
    Ok(b)
}

/// One `key = value` argument of a built-in schedule.
fn builtin_arg(
    input: ParseStream<'_>,
    key: &Ident,
    arg: &str,
    b: &mut Builtin,
    errors: &mut Errors,
) -> syn::Result<()> {
    let form = b.form;
    let name = form.name();
    if !form.arguments().contains(&arg) {
        let first = form.first_pause();
        let message = match arg {
            "delay" | "initial" => format!("`{name}` calls its first pause `{first}`: write `{first} = …`, not `{arg} = …`"),
            "max" => format!("`{name}` takes no `max`: all its pauses equal `delay`"),
            "factor" if form == Form::Constant => {
                format!("`{name}` takes no `factor`: all its pauses are equal; for growing pauses use `exponential(…, factor = …)`")
            }
            "factor" => format!("`{name}` takes no `factor`: its pauses grow as the Fibonacci sequence; for another growth use `exponential(…, factor = …)`"),
            _ => return Err(unknown(key, "argument", &format!(" of `{name}`"), form.arguments())),
        };
        return Err(syn::Error::new_spanned(key, message));
    }
    match arg {
        "n" => {
            let n = count(input, key)?;
            set_once(&mut b.n, n, key, errors);
        }
        "max" => {
            let d = duration(input, key)?;
            set_once(&mut b.max, d, key, errors);
        }
        "factor" => {
            let f = factor(input, key)?;
            set_once(&mut b.factor, f, key, errors);
        }
        _ => {
            let d = duration(input, key)?;
            set_once(&mut b.first, d, key, errors);
        }
    }
    Ok(())
}

/// `n = 3` or `n = EXPR`.
fn count(input: ParseStream<'_>, key: &Ident) -> syn::Result<Count> {
    let expr = ungroup(value::<Expr>(input, key)?);
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => {
            let n = lit.base10_parse::<u32>().map_err(|_| {
                syn::Error::new_spanned(
                    lit,
                    format!(
                        "`n` must fit in a `u32` (at most {}); it counts retries",
                        u32::MAX
                    ),
                )
            })?;
            Ok(Count::Lit(n))
        }
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            ..
        }) => Err(syn::Error::new_spanned(
            &expr,
            "`n` counts retries and cannot be negative; `n = 0` means one attempt and no retry",
        )),
        Expr::Lit(_) => Err(syn::Error::new_spanned(
            &expr,
            "`n` must be a whole number of retries, e.g. `n = 3`",
        )),
        _ => Ok(Count::Expr(expr)),
    }
}

/// `"250ms"` (checked now) or any `Duration` expression.
fn duration(input: ParseStream<'_>, key: &Ident) -> syn::Result<Dur> {
    let expr = ungroup(value::<Expr>(input, key)?);
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            let text = s.value();
            match humantime::parse_duration(&text) {
                Ok(d) => Ok(Dur::Lit {
                    nanos: d.as_nanos(),
                    text,
                    span: s.span(),
                }),
                Err(e) => Err(syn::Error::new_spanned(
                    s,
                    format!("invalid duration `{text}`: {e}; write e.g. \"250ms\", \"1.5s\", \"2m30s\" or \"1h\""),
                )),
            }
        }
        Expr::Lit(ExprLit {
            lit: Lit::Int(_) | Lit::Float(_),
            ..
        }) => Err(syn::Error::new_spanned(
            &expr,
            format!(
                "`{key}` needs a unit: write a string such as \"{}ms\" or \"{}s\", or a `Duration`",
                expr_text(&expr),
                expr_text(&expr)
            ),
        )),
        Expr::Lit(_) => Err(syn::Error::new_spanned(
            &expr,
            format!("`{key}` must be a duration string such as \"1s\" or a `Duration` expression"),
        )),
        _ => Ok(Dur::Expr(expr)),
    }
}

fn expr_text(expr: &Expr) -> String {
    quote::quote!(#expr).to_string()
}

/// `factor = 3`, `factor = 1.5` or any expression.
fn factor(input: ParseStream<'_>, key: &Ident) -> syn::Result<Factor> {
    let expr = ungroup(value::<Expr>(input, key)?);
    let value = match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<f64>()?,
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_parse::<f64>()?,
        Expr::Lit(_) => {
            return Err(syn::Error::new_spanned(
                &expr,
                "`factor` must be a number, e.g. `factor = 3`",
            ))
        }
        _ => return Ok(Factor::Expr(expr)),
    };
    Ok(Factor::Lit {
        value,
        span: expr.span(),
    })
}

const JITTER_KINDS: &[&str] = &["full", "equal", "decorrelated"];

/// `jitter = 0.2` or `jitter = full | equal | decorrelated`.
fn jitter(expr: Expr) -> syn::Result<JitterOpt> {
    let span = expr.span();
    let kind = match &expr {
        Expr::Lit(ExprLit { lit: Lit::Float(f), .. }) => JitterKind::Factor(f.base10_parse()?),
        Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => JitterKind::Factor(i.base10_parse()?),
        Expr::Lit(_) => {
            return Err(syn::Error::new_spanned(
                &expr,
                "`jitter` takes a factor in [0, 1] (e.g. `jitter = 0.2`) or one of `full`, `equal`, `decorrelated`",
            ))
        }
        // A lower-case word is meant as a kind (`jitter = ful` is a typo);
        // anything else is an expression of type `reattempt::Jitter`.
        Expr::Path(ExprPath { path, qself: None, .. })
            if path.get_ident().is_some_and(|i| i.to_string().starts_with(|c: char| c.is_ascii_lowercase())) =>
        {
            match path.get_ident().map(ToString::to_string).unwrap_or_default().as_str() {
                "full" => JitterKind::Full,
                "equal" => JitterKind::Equal,
                "decorrelated" => JitterKind::Decorrelated,
                _ => return Err(unknown(path, "jitter kind", "", JITTER_KINDS)),
            }
        }
        _ => JitterKind::Expr(expr),
    };
    Ok(JitterOpt { kind, span })
}

/// "unknown option `exponentail`; did you mean `exponential`?" and the list;
/// `of` follows the name (" of `exponential`").
fn unknown(token: &impl quote::ToTokens, what: &str, of: &str, valid: &[&str]) -> syn::Error {
    let text = quote::quote!(#token).to_string().replace(' ', "");
    let hint = nearest(&text, valid).map_or(String::new(), |n| format!("; did you mean `{n}`?"));
    let list = valid
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    syn::Error::new_spanned(
        token,
        format!("unknown {what} `{text}`{of}{hint}\nexpected one of: {list}"),
    )
}

/// The valid name closest to `name`, if it is close enough to be a typo.
pub(crate) fn nearest<'a>(name: &str, valid: &[&'a str]) -> Option<&'a str> {
    valid
        .iter()
        .map(|v| (edit_distance(name, v), *v))
        .filter(|(d, v)| *d <= (v.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

/// Levenshtein distance, with a swap of two neighbours counting as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(nearest("exponentail", OPTIONS), Some("exponential"));
        assert_eq!(nearest("blaklist", OPTIONS), Some("blacklist"));
        assert_eq!(nearest("timeuot", OPTIONS), Some("timeout"));
        assert_eq!(nearest("zzz", OPTIONS), None);
    }

    #[test]
    fn parses_every_option_and_recovers_after_mistakes() {
        let mut errors = Errors::default();
        let attr = attr(
            quote::quote!(
                exponential(n = 3, initial = "1s", max = "10s", factor = 3),
                blacklist(E::A | E::B, E::C { .. }),
                jitter = full,
                forever,
                timeout = "30s",
                attempt = k,
                bogus = 1,
                on_retry = log,
                sleep = rec,
                crate = ::r
            ),
            &mut errors,
        );
        let err = errors.finish().err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("unknown option `bogus`\nexpected one of: `constant`, `exponential`, `fibonacci`, `schedule`, `blacklist`, `whitelist`, `retry_if`, `jitter`, `retry_ok`, `forever`, `timeout`, `attempt_timeout`, `attempt`, `on_retry`, `retry_after`, `budget`, `sleep`, `crate`"));
        assert!(attr.schedule.is_some() && attr.classifier.is_some() && attr.jitter.is_some());
        assert!(attr.forever.is_some() && attr.timeout.is_some() && attr.attempt.is_some());
        assert!(attr.on_retry.is_some() && attr.sleep.is_some() && attr.krate.is_some());
    }

    #[test]
    fn durations_are_checked_at_compile_time() {
        let mut errors = Errors::default();
        let attr = attr(quote::quote!(constant(n = 1, delay = "1.5s")), &mut errors);
        assert!(errors.finish().is_ok());
        let Some(Schedule::Builtin(b)) = attr.schedule else {
            panic!("no schedule")
        };
        assert!(matches!(
            b.first,
            Some(Dur::Lit {
                nanos: 1_500_000_000,
                ..
            })
        ));

        let mut errors = Errors::default();
        super::attr(
            quote::quote!(constant(n = 1, delay = "1x"), timeout = 5),
            &mut errors,
        );
        let e = errors.finish().err().map(|e| e.into_iter().count());
        assert_eq!(e, Some(2));
    }
}
