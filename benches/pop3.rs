//! Criterion benches for pop3 (placeholder until the module lands).
fn main() {}
