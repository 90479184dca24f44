//! Criterion benches for imap (placeholder until the module lands).
fn main() {}
