//! Times the Rust core on a fixture file, so other languages' benchmarks can report the core
//! itself in the same run (`bindings-python/bench.py`, `bindings-node/bench.mjs`).
//!
//! ```text
//! cargo run --release -p gatepass --example verify_file -- fixture.json [passes]
//! ```
//! The fixture: `{"issuer", "jwks", "status_lists": {uri: jwt}, "now", "tokens": [...]}`.
//! Prints `{"cold_ns": per-token mean over the distinct tokens with the cache off (the best of
//! `passes` passes, default 5, after one pass that warms up),
//! "hot_ns": per-call mean of the first token repeated through the cache,
//! "cold_ns_2_threads": per-token wall time when two threads share one verifier, each verifying
//! half the tokens}` (a `Verifier` is `Sync`: its throughput should double on two cores).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use gatepass::clock::ManualClock;
use gatepass::Verifier;
use serde_json::Value;

fn build(fixture: &Value, cache_size: usize) -> Verifier {
    let mut b = Verifier::offline(
        fixture["issuer"].as_str().unwrap(),
        fixture["jwks"].as_str().unwrap(),
    )
    .clock(ManualClock::new(fixture["now"].as_i64().unwrap()))
    .cache_size(cache_size);
    for (uri, jwt) in fixture["status_lists"].as_object().unwrap() {
        b = b.status_list(uri, jwt.as_str().unwrap());
    }
    b.build().unwrap()
}

fn main() {
    let usage = "usage: verify_file <fixture.json> [passes]";
    let path = std::env::args().nth(1).expect(usage);
    // A harness that alternates the core with its own runs asks for one pass each time, so both
    // sides get as many samples of the machine's noise.
    let passes: usize = std::env::args()
        .nth(2)
        .map_or(5, |p| p.parse().expect(usage));
    let fixture: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let tokens: Vec<&str> = fixture["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let cold = build(&fixture, 0);
    for t in &tokens {
        cold.verify(t).unwrap();
    }
    // Best of the passes over the distinct tokens.
    let cold_ns = (0..passes)
        .map(|_| {
            let start = Instant::now();
            for t in &tokens {
                black_box(cold.verify(black_box(t))).unwrap();
            }
            start.elapsed().as_nanos() as f64 / tokens.len() as f64
        })
        .fold(f64::INFINITY, f64::min);
    // Two threads on the one verifier, each over half the tokens: wall time per token.
    let (left, right) = tokens.split_at(tokens.len() / 2);
    let cold_ns_2_threads = (0..passes)
        .map(|_| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for half in [left, right] {
                    let cold = &cold;
                    s.spawn(move || {
                        for t in half {
                            black_box(cold.verify(black_box(t))).unwrap();
                        }
                    });
                }
            });
            start.elapsed().as_nanos() as f64 / tokens.len() as f64
        })
        .fold(f64::INFINITY, f64::min);
    let hot = build(&fixture, 100);
    let token = tokens[0];
    let n = 200_000;
    hot.verify(token).unwrap();
    let start = Instant::now();
    for _ in 0..n {
        black_box(hot.verify(black_box(token))).unwrap();
    }
    let hot_ns = start.elapsed().as_nanos() as f64 / f64::from(n);
    println!(
        "{}",
        serde_json::json!({"cold_ns": cold_ns, "hot_ns": hot_ns, "cold_ns_2_threads": cold_ns_2_threads})
    );
}
