//! The driver: parse → validate → expand, never panicking, always giving the
//! IDE the user's function back.

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::errors::{with_errors, Errors};
use crate::{expand, parse, validate};

/// `#[retry(args)] item` → the retried function, or the item plus every error.
pub(crate) fn retry(args: TokenStream, item: TokenStream) -> TokenStream {
    let func = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            let err = not_a_function(&item);
            return with_errors(item, &err);
        }
    };
    let mut errors = Errors::default();
    let attr = parse::attr(args, &mut errors);
    let plan = validate::plan(attr, &func, &mut errors);
    match (plan, errors.finish()) {
        (Some(plan), Ok(())) => expand::function(&plan, func),
        (_, Err(err)) => with_errors(func.into_token_stream(), &err),
        (None, Ok(())) => {
            let err = syn::Error::new_spanned(&func.sig, "internal error in `#[retry]`: please report it");
            with_errors(func.into_token_stream(), &err)
        }
    }
}

/// The error for an item that is not a `fn` with a body.
fn not_a_function(item: &TokenStream) -> syn::Error {
    match syn::parse2::<syn::Item>(item.clone()) {
        // A fn signature without a body (a trait method declaration).
        Ok(syn::Item::Verbatim(tokens)) => syn::Error::new_spanned(
            tokens,
            "`#[retry]` goes on a function with a body; on a trait, put it on the method of the `impl`",
        ),
        Ok(other) => syn::Error::new_spanned(
            other,
            "`#[retry]` goes on a `fn` or `async fn` that returns `Result<T, E>`",
        ),
        Err(e) => e,
    }
}
