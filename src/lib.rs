//! placeholder
pub use retry_core::*;
