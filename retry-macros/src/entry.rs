//! The driver: parse → validate → expand, never panicking, always giving the
//! IDE the user's function back.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;

use crate::errors::{with_errors, Errors};
use crate::{expand, parse, validate};

/// `#[retry(args)] item` → the retried function, or the item plus every error.
pub(crate) fn retry(args: TokenStream, item: TokenStream) -> TokenStream {
    let Ok(func) = syn::parse2::<syn::ItemFn>(item.clone()) else {
        let err = not_a_function(&item);
        return with_errors(item, &err);
    };
    let mut errors = Errors::default();
    let attr = parse::attr(args, &mut errors);
    let plan = validate::plan(attr, &func, &mut errors);
    match (plan, errors.finish()) {
        (Some(plan), Ok(())) => expand::function(&plan, func),
        (_, Err(err)) => with_errors(func.into_token_stream(), &err),
        (None, Ok(())) => {
            let err = syn::Error::new_spanned(
                &func.sig,
                "internal error in `#[retry]`: please report it",
            );
            with_errors(func.into_token_stream(), &err)
        }
    }
}

/// The item up to its body (`struct S`, `impl T for U`), without its outer
/// attributes: where the "not a function" error points.
fn head(item: &TokenStream) -> TokenStream {
    let mut tokens = item.clone().into_iter().peekable();
    while matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        tokens.next();
        tokens.next();
    }
    let head: TokenStream = tokens
        .take_while(|tt| match tt {
            TokenTree::Group(g) => g.delimiter() != Delimiter::Brace,
            TokenTree::Punct(p) => p.as_char() != ';',
            _ => true,
        })
        .collect();
    if head.is_empty() {
        item.clone()
    } else {
        head
    }
}

/// The error for an item that is not a `fn` with a body.
fn not_a_function(item: &TokenStream) -> syn::Error {
    match syn::parse2::<syn::Item>(item.clone()) {
        // A fn signature without a body (a trait method declaration).
        Ok(syn::Item::Verbatim(tokens)) => syn::Error::new_spanned(
            tokens,
            "`#[retry]` goes on a function with a body; this declaration has none (in a trait, put `#[retry]` on the method of the `impl`)",
        ),
        Ok(other) => {
            let what = match other {
                syn::Item::Struct(_) => "a struct",
                syn::Item::Enum(_) => "an enum",
                syn::Item::Union(_) => "a union",
                syn::Item::Impl(_) => "an `impl` block; put it on the methods inside",
                syn::Item::Trait(_) => "a trait; put it on the methods of the `impl`",
                syn::Item::Mod(_) => "a module",
                syn::Item::Const(_) => "a `const`",
                syn::Item::Static(_) => "a `static`",
                syn::Item::Type(_) => "a type alias",
                syn::Item::Use(_) => "a `use`",
                syn::Item::Macro(_) => "a macro call",
                syn::Item::ForeignMod(_) => "an `extern` block",
                _ => "this item",
            };
            syn::Error::new_spanned(
                head(item),
                format!("`#[retry]` goes on a `fn` or `async fn` that returns `Result<T, E>`, not on {what}"),
            )
        }
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    /// A cheap expansion snapshot: the shape documented in `expand.rs`.
    #[test]
    fn sync_expansion_snapshot() {
        let out = super::retry(
            quote::quote!(
                constant(n = 2, delay = "1.5s"),
                whitelist(E::Busy),
                attempt = k,
                sleep = rec
            ),
            quote::quote!(
                fn get(key: &str) -> Result<usize, E> {
                    Ok(key.len() + k as usize)
                }
            ),
        );
        // Braces, so rustfmt leaves the expected tokens as written.
        let expected = quote::quote! {
            #[doc = " **Retry policy:** Retried up to 2 times, every 1.5s; only errors matching `E::Busy` are retried."]
            fn get(key: &str) -> Result<usize, E> {
                let mut __retry_state = ::reattempt::__private::State::backoff(
                    ::reattempt::__private::Backoff::constant(2, ::reattempt::__private::Duration::new(1u64, 500000000u32)),
                    ::reattempt::__private::Policy::new("get")
                );
                loop {
                    let k: u32 = __retry_state.attempt();
                    let __retry_outcome = ::reattempt::__private::call::<Result<usize, E>, _>(|| { Ok(key.len() + k as usize) });
                    #[allow(unused_variables)]
                    let ::reattempt::__private::Option::Some(__retry_pause) = __retry_state.next_pause(
                        ::reattempt::__private::Outcome::of::<Result<usize, E> >(&__retry_outcome)
                            .retry_if(|__retry_error| ::reattempt::__private::matches!(__retry_error, E::Busy))
                            .debug(::reattempt::__private::describe!())
                    ) else {
                        return __retry_outcome;
                    };
                    ::reattempt::__private::discard(__retry_outcome);
                    ::reattempt::__private::sleep_sync(&rec, __retry_pause);
                }
            }
        };
        assert_eq!(out.to_string(), expected.to_string());
    }

    #[test]
    fn errors_keep_the_function_for_the_ide() {
        let out = super::retry(
            quote::quote!(bogus),
            quote::quote!(
                fn f() -> Result<(), ()> {
                    Ok(())
                }
            ),
        )
        .to_string();
        assert!(
            out.starts_with("fn f () -> Result < () , () > { Ok (()) }"),
            "{out}"
        );
        assert!(out.contains("compile_error"), "{out}");
    }
}
