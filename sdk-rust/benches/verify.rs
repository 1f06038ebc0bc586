//! Benchmarks (placeholder until the criterion suite lands in the next commit).
fn main() {}
