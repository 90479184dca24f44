//! Criterion benches for wire (placeholder until the module lands).
fn main() {}
