//! Criterion benches for smtp (placeholder until the module lands).
fn main() {}
