//! Step 3: a validated [`Plan`] and the user's function → the retry loop.
//!
//! The signature, attributes and body tokens are the user's, unchanged; the
//! body runs inside a closure (sync) or an async block, created afresh on each
//! turn of a loop in the original function, so `?` and `return` end one
//! attempt, `self` and `Self` keep working, and no `FnMut` is stored. All
//! decisions are made by the runtime's `State::next_pause`.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{AttrStyle, ItemFn, ReturnType, Type};

use crate::describe;
use crate::model::{ClassifierKind, Count, Dur, Factor, Form, JitterKind, Plan, PlanSchedule};

/// Input:
///
/// ```text
/// #[retry(exponential(n = 3, initial = "1s"), blacklist(E::Auth))]
/// pub fn get(&mut self, key: &str) -> Result<u32, E> { BODY }
/// ```
///
/// Output:
///
/// ```text
/// /// (user docs) + the policy in words
/// pub fn get(&mut self, key: &str) -> Result<u32, E> {
///     let mut __retry_state = ::reattempt::__private::State::backoff(
///         ::reattempt::__private::Backoff::exponential(3, Duration::new(1, 0)),
///         ::reattempt::__private::Policy::new("get"),
///     );
///     loop {
///         let __retry_outcome = ::reattempt::__private::call::<Result<u32, E>, _>(|| { BODY });
///         let Some(__retry_pause) = __retry_state.next_pause(
///             Outcome::of::<Result<u32, E>>(&__retry_outcome).retry_if(|e| !matches!(e, E::Auth)),
///         ) else {
///             return __retry_outcome;
///         };
///         ::reattempt::__private::discard(__retry_outcome);
///         ::reattempt::__private::thread_sleep(__retry_pause);
///     }
/// }
/// ```
///
/// An `async fn` keeps `async fn`; its body becomes an async block awaited
/// in the same loop, and its state a two-word `Deferred` built into a full
/// `State` at the first retryable failure: `next_pause(|policy|
/// State::backoff(…, policy), Policy::new("get"), Outcome::of(…)…)`.
pub(crate) fn function(plan: &Plan, func: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let (inner, outer): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|a| matches!(a.style, AttrStyle::Inner(_)));
    let doc = format!(" **Retry policy:** {}", describe::policy(plan));
    let has_docs = outer.iter().any(|a| a.path().is_ident("doc"));
    let doc_break = has_docs.then(|| quote!(#[doc = ""]));

    let krate = &plan.krate;
    let private = quote!(#krate::__private);
    let state = ident("__retry_state");
    let outcome = ident("__retry_outcome");
    let pause = ident("__retry_pause");

    let ReturnType::Type(_, ret) = &sig.output else {
        unreachable!("validate rejects functions without a return type")
    };
    let ret_erased = erase_impl_trait(ret);

    let (slot, deferred) = state_parts(plan, &private, &sig.ident.to_string());
    let attempt = plan
        .attempt
        .as_ref()
        .map(|name| quote!(let #name: u32 = #state.attempt();));
    let stmts = &block.stmts;
    // The attempt's `||` / `async` and braces are located at the user's body
    // (hygiene unchanged), so a body that moves a by-value argument is
    // reported there ("value moved into closure here, in previous iteration
    // of loop"), not at `#[retry]`.
    let open = Span::mixed_site().located_at(block.brace_token.span.open());
    let mut user_block = Group::new(Delimiter::Brace, quote!(#(#stmts)*));
    user_block.set_span(Span::mixed_site().located_at(block.brace_token.span.close()));
    let run_attempt = if plan.is_async {
        let async_kw = quote_spanned!(open=> async);
        // An async block's output is inferred from its first `return`: make
        // it the return type, so the body's `Ok(&string)` coerces to
        // `Result<&str, E>` (a closure gets it from `call`'s bound instead).
        let mut async_block = Group::new(
            Delimiter::Brace,
            quote!(if false { return #private::never::<#ret_erased>(); } #(#stmts)*),
        );
        async_block.set_span(user_block.span());
        let attempt = quote!(#async_kw #async_block);
        if let Some(limit) = &plan.attempt_timeout {
            let timer = call_sleep(plan, &private, &duration(limit, &private));
            // `elapsed::<E>` at the duration, so a missing `From<Elapsed>` is
            // one error at `attempt_timeout = "…"`, not at `#[retry]`.
            let elapsed = respan(quote!(#private::elapsed), dur_span(limit));
            quote!(#private::race(#timer, #attempt, #elapsed).await)
        } else {
            quote!(#attempt.await)
        }
    } else {
        let bars = quote_spanned!(open=> ||);
        quote!(#private::call::<#ret_erased, _>(#bars #user_block))
    };
    // A non-`Result` return type is reported once, at the return type: the
    // call's tokens carry its (root-context) span, and the explicit `R` makes
    // rustc point at that type argument rather than at our local.
    let of = respan(quote!(#private::Outcome::of), ret.span());
    let judged = quote_spanned!(ret.span()=> #of::<#ret_erased>(&#outcome));
    let hooks = hooks(plan, &private);
    // User patterns may bind names they cannot use.
    let allow_bindings = matches!(
        plan.classifier,
        Some(ClassifierKind::Blacklist(_) | ClassifierKind::Whitelist(_))
    )
    .then(|| quote!(#[allow(unused_variables)]));
    let mut sleep = call_sleep(plan, &private, &pause.to_token_stream());
    if plan.is_async {
        sleep.extend(quote!(.await));
    }

    // The user's own braces around the new body: an item whose tokens all
    // come from the user keeps its lints (`dead_code`, tokio-rs/tracing#1366).
    let mut body = TokenStream::new();
    block.brace_token.surround(&mut body, |body| {
        body.extend(quote! {
            #(#inner)*
            let mut #state = #slot;
            loop {
                #attempt
                let #outcome = #run_attempt;
                #allow_bindings
                let #private::Option::Some(#pause) = #state.next_pause(#deferred #judged #hooks) else {
                    return #outcome;
                };
                #private::discard(#outcome);
                #sleep;
            }
        });
    });

    quote! {
        #(#outer)*
        #doc_break
        #[doc = #doc]
        #vis #sig #body
    }
}

/// `tokens` with every span (groups included) set to `span`, so that an error
/// about the expression they form points at `span` alone.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(g) = &tt {
                tt = TokenTree::Group(Group::new(g.delimiter(), respan(g.stream(), span)));
            }
            tt.set_span(span);
            tt
        })
        .collect()
}

/// Where a duration was written (the literal, or the expression's first token).
fn dur_span(d: &Dur) -> Span {
    match d {
        Dur::Lit { span, .. } => Span::mixed_site().located_at(*span),
        Dur::Expr(e) => Span::mixed_site().located_at(e.span()),
    }
}

/// A name only the expansion can see.
fn ident(name: &str) -> syn::Ident {
    format_ident!("{}", name, span = Span::mixed_site())
}

/// `State::backoff(Backoff::…, policy)` or `State::new(EXPR, policy)`.
/// The call's state, and what `next_pause` needs before the outcome.
///
/// Sync: `State::backoff(SCHEDULE, POLICY)` built up front; it stays in
/// registers, and a retry is cheapest that way. Async: the state would live
/// in the future across the attempt's `.await` and be written to memory at
/// every call, so the slot is a two-word `Deferred` (reading the clock at the
/// start only for `timeout` and `on_retry`), and `next_pause` gets the
/// closure that builds the state at the first retryable failure, and the policy.
fn state_parts(plan: &Plan, private: &TokenStream, name: &str) -> (TokenStream, TokenStream) {
    let base = if plan.sleep.is_none() && plan.is_async {
        quote!(#private::async_policy(#name))
    } else {
        quote!(#private::Policy::new(#name))
    };
    let slot = if plan.timeout.is_some() || plan.on_retry.is_some() {
        quote!(#private::Deferred::started(#base))
    } else {
        quote!(#private::Deferred::new())
    };
    let mut policy = base;
    if let Some(j) = &plan.jitter {
        let jitter = match j {
            JitterKind::Factor(f) => {
                let f = proc_macro2::Literal::f64_suffixed(*f);
                quote!(#private::Jitter::Factor(#f))
            }
            JitterKind::Full => quote!(#private::Jitter::Full),
            JitterKind::Equal => quote!(#private::Jitter::Equal),
            JitterKind::Decorrelated => quote!(#private::Jitter::Decorrelated),
            JitterKind::Expr(e) => e.to_token_stream(),
        };
        policy.extend(quote!(.jitter(#jitter)));
    }
    if plan.forever {
        policy.extend(quote!(.forever()));
    }
    if let Some(t) = &plan.timeout {
        let t = duration(t, private);
        policy.extend(quote!(.timeout(#t)));
    }
    if let Some(b) = &plan.budget {
        policy.extend(quote!(.budget(#b)));
    }
    if plan.on_retry.is_some() && !plan.is_async {
        policy.extend(quote!(.clock_from_start()));
    }
    // Sync: the policy goes in directly; async: the closure's parameter.
    let given = if plan.is_async {
        ident("__retry_policy").to_token_stream()
    } else {
        policy.clone()
    };
    let make = match &plan.schedule {
        PlanSchedule::Custom(expr) => quote!(#private::State::new(#expr, #given)),
        PlanSchedule::Builtin {
            form,
            n,
            first,
            max,
            factor,
        } => {
            let n = match n {
                Count::Lit(n) => proc_macro2::Literal::u32_unsuffixed(*n).into_token_stream(),
                Count::Expr(e) => quote!(#private::retries(#e)),
            };
            let constructor = match form {
                Form::Constant => quote!(constant),
                Form::Exponential => quote!(exponential),
                Form::Fibonacci => quote!(fibonacci),
            };
            let first = duration(first, private);
            let mut backoff = quote!(#private::Backoff::#constructor(#n, #first));
            if let Some(max) = max {
                let max = duration(max, private);
                backoff.extend(quote!(.max(#max)));
            }
            match factor {
                Some(Factor::Lit { value, .. }) => {
                    // A literal past f64's range (`factor = 1e400`) parses as
                    // infinity, which `f64_suffixed` panics on: `f64::MAX`
                    // saturates the schedule just the same.
                    let f = proc_macro2::Literal::f64_suffixed(value.min(f64::MAX));
                    backoff.extend(quote!(.factor(#f)));
                }
                Some(Factor::Expr(e)) => backoff.extend(quote!(.factor(#e))),
                None => {}
            }
            quote!(#private::State::backoff(#backoff, #given))
        }
    };
    if plan.is_async {
        (slot, quote!(|#given| #make, #policy,))
    } else {
        (make, TokenStream::new())
    }
}

/// The hooks that judge an outcome: `.retry_if(…)`, `.on_retry(…)`, ….
fn hooks(plan: &Plan, private: &TokenStream) -> TokenStream {
    let error = ident("__retry_error");
    let mut hooks = match &plan.classifier {
        // One `matches!` per pattern: joined by `|`, patterns that bind
        // different names would not compile.
        Some(ClassifierKind::Blacklist(pats)) => {
            quote!(.retry_if(|#error| !(#(#private::matches!(#error, #pats))||*)))
        }
        Some(ClassifierKind::Whitelist(pats)) => {
            quote!(.retry_if(|#error| #(#private::matches!(#error, #pats))||*))
        }
        Some(ClassifierKind::RetryIf(expr)) => quote!(.retry_if(#expr)),
        None => TokenStream::new(),
    };
    for (name, expr) in [
        ("retry_ok", &plan.retry_ok),
        ("retry_after", &plan.retry_after),
        ("on_retry", &plan.on_retry),
    ] {
        if let Some(expr) = expr {
            let method = format_ident!("{}", name);
            hooks.extend(quote!(.#method(#expr)));
        }
    }
    hooks.extend(quote!(.debug(#private::describe!())));
    hooks
}

/// `thread_sleep(d)`, `tokio_sleep(d)`, or the user's `sleep = …` (not
/// awaited). The user's sleep goes through a helper whose bound names the
/// kind of sleep this fn needs, so an async sleep on a sync fn (or the
/// reverse) is one error at the `sleep` value.
fn call_sleep(plan: &Plan, private: &TokenStream, pause: &TokenStream) -> TokenStream {
    match &plan.sleep {
        Some(expr) => {
            let helper = if plan.is_async {
                quote!(sleep_async)
            } else {
                quote!(sleep_sync)
            };
            let helper = respan(quote!(#private::#helper), expr.span());
            quote_spanned!(expr.span()=> #helper(&#expr, #pause))
        }
        None if plan.is_async => quote!(#private::tokio_sleep(#pause)),
        None => quote!(#private::thread_sleep(#pause)),
    }
}

/// A duration literal as a const `Duration`, or the user's expression.
fn duration(d: &Dur, private: &TokenStream) -> TokenStream {
    match d {
        Dur::Lit { nanos, span, .. } => {
            let secs = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
            let sub = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
            let span = Span::mixed_site().located_at(*span);
            quote_spanned!(span=> #private::Duration::new(#secs, #sub))
        }
        Dur::Expr(e) => e.to_token_stream(),
    }
}

/// `impl Trait` cannot be named in a turbofish: replace it with `_`.
fn erase_impl_trait(ty: &Type) -> Type {
    struct Eraser;
    impl VisitMut for Eraser {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(it) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: syn::Token![_](it.span()),
                });
            } else {
                syn::visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    let mut ty = ty.clone();
    Eraser.visit_type_mut(&mut ty);
    ty
}
