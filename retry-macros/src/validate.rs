//! Step 2: the parsed [`Attr`] and the function → a complete [`Plan`], with
//! every rule checked and every violation recorded.

use proc_macro2::Span;
use syn::{ItemFn, ReturnType};

use crate::errors::Errors;
use crate::model::{Attr, Builtin, Dur, Factor, JitterKind, Plan, PlanSchedule, Schedule};

/// The options that give the schedule.
const SCHEDULES: &[&str] = &["constant", "exponential", "fibonacci", "schedule"];

/// `Some` only when the plan is complete; problems go to `errors`.
pub(crate) fn plan(attr: Attr, func: &ItemFn, errors: &mut Errors) -> Option<Plan> {
    check_function(func, errors);
    if let Some(name) = &attr.attempt {
        check_attempt_name(name, func, errors);
    }
    let is_async = func.sig.asyncness.is_some();
    if let (Some((key, _)), false) = (&attr.attempt_timeout, is_async) {
        errors.at(
            key,
            "`attempt_timeout` needs an `async fn`: a running sync call cannot be interrupted; use `timeout` to bound the whole call",
        );
    }
    if let Some(j) = &attr.jitter {
        if let JitterKind::Factor(f) = &j.kind {
            let f = *f;
            if !(0.0..=1.0).contains(&f) {
                let err = syn::Error::new(
                    j.span,
                    format!("`jitter` factor must be within [0, 1], got {f}; 0.2 means ±20%"),
                );
                errors.push(err);
            }
        }
    }
    let schedule = match attr.schedule {
        Some(Schedule::Builtin(b)) => builtin(b, &attr.meant, errors),
        Some(Schedule::Custom(expr)) => Some(PlanSchedule::Custom(expr)),
        // A schedule was written but is already reported as wrong.
        None if attr.meant.iter().any(|m| SCHEDULES.contains(&m.as_str())) => None,
        None => {
            errors.push(syn::Error::new(
                Span::call_site(),
                "missing schedule: add one of `constant(n = 3, delay = \"1s\")`, `exponential(n = 3, initial = \"1s\")`, `fibonacci(n = 3, initial = \"1s\")` or `schedule = EXPR`",
            ));
            None
        }
    }?;
    Some(Plan {
        schedule,
        classifier: attr.classifier.map(|c| c.kind),
        jitter: attr.jitter.map(|j| j.kind),
        forever: attr.forever.is_some(),
        timeout: attr.timeout,
        attempt_timeout: attr.attempt_timeout.map(|(_, d)| d),
        attempt: attr.attempt,
        on_retry: attr.on_retry,
        retry_after: attr.retry_after,
        retry_ok: attr.retry_ok,
        budget: attr.budget,
        sleep: attr.sleep,
        krate: attr.krate.unwrap_or_else(|| syn::parse_quote!(::reattempt)),
        is_async,
    })
}

fn check_function(func: &ItemFn, errors: &mut Errors) {
    let sig = &func.sig;
    // A second `#[retry]` below this one would nest two loops: (n + 1) × (m + 1)
    // attempts, surely not what was meant.
    for attr in &func.attrs {
        if attr
            .path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "retry")
        {
            errors.at(attr, "duplicate `#[retry]`: one function takes one retry policy; merge the two attributes");
        }
    }
    if let Some(constness) = &sig.constness {
        errors.at(
            constness,
            "`#[retry]` cannot go on a `const fn`: retrying pauses, which needs run time",
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.at(variadic, "`#[retry]` does not support variadic functions");
    }
    if let ReturnType::Default = sig.output {
        errors.push(syn::Error::new(
            sig.paren_token.span.close(),
            format!(
                "`#[retry]` needs a function that returns `Result<T, E>`; `{}` returns `()`: add a return type such as `-> Result<(), MyError>`",
                sig.ident
            ),
        ));
    }
}

/// `attempt = a` must not hide a parameter `a` from the body.
fn check_attempt_name(name: &syn::Ident, func: &ItemFn, errors: &mut Errors) {
    let mut names = Vec::new();
    for input in &func.sig.inputs {
        if let syn::FnArg::Typed(arg) = input {
            pattern_names(&arg.pat, &mut names);
        }
    }
    if names.iter().any(|n| n == name) {
        errors.at(
            name,
            format!("`attempt = {name}` would hide the parameter `{name}` from the body; choose another name, e.g. `attempt = attempt`"),
        );
    }
}

/// The names a parameter pattern binds.
fn pattern_names(pat: &syn::Pat, names: &mut Vec<syn::Ident>) {
    match pat {
        syn::Pat::Ident(p) => {
            names.push(p.ident.clone());
            if let Some((_, sub)) = &p.subpat {
                pattern_names(sub, names);
            }
        }
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| pattern_names(p, names)),
        syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|p| pattern_names(p, names)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| pattern_names(&f.pat, names)),
        syn::Pat::Reference(r) => pattern_names(&r.pat, names),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|p| pattern_names(p, names)),
        syn::Pat::Paren(p) => pattern_names(&p.pat, names),
        syn::Pat::Type(t) => pattern_names(&t.pat, names),
        _ => {}
    }
}

/// `meant`: the attribute's options already reported as wrong or misplaced
/// (`n = 3` outside the schedule), which are not reported missing again.
fn builtin(b: Builtin, meant: &[String], errors: &mut Errors) -> Option<PlanSchedule> {
    let name = b.form.name();
    let reported = |arg: &str| b.meant.iter().chain(meant).any(|m| m == arg);
    if b.n.is_none() && !reported("n") {
        errors.at(
            &b.name,
            format!("`{name}` needs `n = …`, the number of retries"),
        );
    }
    if b.first.is_none() && !reported(b.form.first_pause()) {
        let first = b.form.first_pause();
        errors.at(
            &b.name,
            format!("`{name}` needs `{first} = …`, its first pause (e.g. `{first} = \"1s\"`)"),
        );
    }
    if let (
        Some(Dur::Lit {
            nanos: max,
            text: max_text,
            span,
        }),
        Some(Dur::Lit {
            nanos: first, text, ..
        }),
    ) = (&b.max, &b.first)
    {
        if max < first {
            let first_name = b.form.first_pause();
            errors.push(syn::Error::new(
                *span,
                format!("`max` (\"{max_text}\") is below `{first_name}` (\"{text}\"): every pause would be capped below the first"),
            ));
        }
    }
    if let Some(Factor::Lit { value, span }) = &b.factor {
        if value.is_nan() || *value < 1.0 {
            errors.push(syn::Error::new(
                *span,
                format!("`factor` must be at least 1 (got {value}): pauses never shrink; use `constant` for equal pauses"),
            ));
        }
    }
    Some(PlanSchedule::Builtin {
        form: b.form,
        n: b.n?,
        first: b.first?,
        max: b.max,
        factor: b.factor,
    })
}
