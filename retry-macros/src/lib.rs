//! The `#[retry]` attribute. Use it through the [`reattempt`](https://docs.rs/reattempt)
//! crate: the code it generates names `::reattempt::__private`, which only
//! exists there.
//!
//! Three steps, three modules: [`parse`] turns the attribute's tokens into a
//! typed model, [`validate`] checks it against the function and collects every
//! mistake, [`expand`] writes the retry loop.
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

/// Turns a function returning `Result` into a retry loop with back-off.
///
/// See the documentation of `reattempt::retry` for the grammar and examples.
#[proc_macro_attribute]
pub fn retry(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::retry(args.into(), item.into()).into()
}
