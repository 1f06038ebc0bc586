//! Building one status list of 1,048,576 entries with 1% revoked: the bit array, zlib, base64url
//! and the signature, i.e. the work a revocation triggers (`status::build` minus its query).
//! Run: `cargo bench -p gatepass-issuer --bench status_list`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use gatepass::status_list::StatusList;
use gatepass_issuer::config::Algorithm;
use gatepass_issuer::keys::SigningKey;
use serde_json::json;

const CAPACITY: u64 = 1 << 20;

fn revoked_indexes() -> Vec<u64> {
    // 1% of the entries, spread like random allocation spreads them (fixed seed, xorshift).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..CAPACITY / 100)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % CAPACITY
        })
        .collect()
}

fn build(key: &SigningKey, revoked: &[u64]) -> String {
    let mut list = StatusList::new(1, CAPACITY).unwrap();
    for idx in revoked {
        list.set(*idx, 1).unwrap();
    }
    let claims = json!({"sub": "https://issuer.example/v1/status-lists/1", "iat": 1, "exp": 2, "ttl": 300,
        "status_list": {"bits": 1, "lst": list.encode()}});
    key.sign_jws("statuslist+jwt", &claims).unwrap()
}

fn bench(c: &mut Criterion) {
    let (key, _) = SigningKey::generate(Algorithm::EdDsa).unwrap();
    let revoked = revoked_indexes();
    let jwt = build(&key, &revoked);
    eprintln!(
        "status list: {} entries, {} revoked, {} bytes on the wire (signed JWT)",
        CAPACITY,
        revoked.len(),
        jwt.len()
    );
    c.bench_function("status_list_build_1m_1pct", |b| {
        b.iter(|| black_box(build(&key, black_box(&revoked))))
    });
}

criterion_group! {
    name = lists;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(lists);
