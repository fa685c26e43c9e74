//! The `#[retry]` attribute. Use it through the [`reattempt`](https://docs.rs/reattempt)
//! crate: the code it generates names `::reattempt::__private`, which only
//! exists there.
//!
//! Three steps, three modules: `parse` turns the attribute's tokens into a
//! typed model, `validate` checks it against the function and collects every
//! mistake, `expand` writes the retry loop.
#![forbid(unsafe_code)]

mod describe;
mod entry;
mod errors;
mod expand;
#[cfg(test)]
mod fuzz;
mod model;
mod parse;
mod validate;

use proc_macro::TokenStream;

/// *(The `#[retry]` attribute of the `reattempt` crate, implemented in
/// `retry-macros`; use it as `reattempt::retry`.)*
#[proc_macro_attribute]
pub fn retry(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::retry(args.into(), item.into()).into()
}
