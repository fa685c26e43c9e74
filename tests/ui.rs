//! Compile-time behaviour of `#[retry]`: shapes that must compile
//! (`tests/ui/pass`) and mistakes that must fail with a clear message at the
//! offending token (`tests/ui/fail`, one mistake per file, `.stderr` snapshots).
//!
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test --test ui`,
//! then read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
