//! Building one status list of 1,048,576 entries with 1% revoked: the bit array, zlib, and both
//! signed forms (JWT and CWT), as at start-up or after a key change; and the same list after one
//! more revocation, when only the changed chunk is compressed again (the work a revocation
//! triggers: `status::build` minus its query). First it prints the bytes on the wire of each form at 1M and 10M entries and 0.01%,
//! 1% and 10% revoked, beside the zlib-9 size of the bits (the draft's compression limit).
//! Run: `cargo bench -p gatepass-issuer --bench status_list`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use std::io::Write;

use gatepass::status_list::StatusList;
use gatepass_issuer::config::Algorithm;
use gatepass_issuer::db::models::ListRow;
use gatepass_issuer::keys::SigningKey;
use gatepass_issuer::status::{self, ChunkedZlib, SignedList};

const CAPACITY: u64 = 1 << 20;

/// About `per_million` of every million entries, spread like random allocation spreads them
/// (fixed seed, xorshift).
fn revoked_indexes(capacity: u64, per_million: u64) -> Vec<u64> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..capacity * per_million / 1_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % capacity
        })
        .collect()
}

fn list_of(capacity: u64, revoked: &[u64]) -> StatusList {
    let mut list = StatusList::new(1, capacity).unwrap();
    for idx in revoked {
        list.set(*idx, 1).unwrap();
    }
    list
}

/// The list's two signed forms, made by `status::sign` (what `status::build` does after its
/// query): compressed once, signed twice.
fn build(key: &SigningKey, list: &StatusList) -> SignedList {
    sign(key, ChunkedZlib::new(list.as_bytes()).unwrap())
}

fn sign(key: &SigningKey, chunks: ChunkedZlib) -> SignedList {
    let row = ListRow {
        id: "1".into(),
        seq: 1,
        capacity: chunks.bits().len() as i64 * 8,
        used: 0,
        version: 7,
        created_at: 1_700_000_000,
        perm_key: None,
    };
    status::sign(
        chunks,
        &row,
        key,
        "https://issuer.example",
        60,
        1_700_000_000,
    )
    .unwrap()
}

fn gzip9(bytes: &[u8]) -> usize {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).unwrap();
    z.finish().unwrap().len()
}

/// Bytes on the wire per form, as a Markdown table.
fn size_table(key: &SigningKey) {
    eprintln!("| entries | revoked | zlib-9 of the bits | JWT | JWT, gzip | CWT | CWT ÷ zlib-9 |");
    eprintln!("|---|---|---|---|---|---|---|");
    for capacity in [1u64 << 20, 10 << 20] {
        for (per_million, label) in [(100, "0.01%"), (10_000, "1%"), (100_000, "10%")] {
            let list = list_of(capacity, &revoked_indexes(capacity, per_million));
            let SignedList { jwt, cwt, .. } = build(key, &list);
            // The limit: the bits compressed by zlib at level 9 in one stream.
            let limit = list.compress().len();
            eprintln!(
                "| {capacity} | {label} | {limit} | {} | {} | {} | {:.3}× |",
                jwt.len(),
                gzip9(jwt.as_bytes()),
                cwt.len(),
                cwt.len() as f64 / limit as f64
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    let (key, _) = SigningKey::generate(Algorithm::EdDsa).unwrap();
    size_table(&key);
    let revoked = revoked_indexes(CAPACITY, 10_000);
    c.bench_function("status_list_build_1m_1pct", |b| {
        b.iter(|| black_box(build(&key, &list_of(CAPACITY, black_box(&revoked)))))
    });
    // One more revocation in that list: the held chunks, updated where the bits differ.
    let held = build(&key, &list_of(CAPACITY, &revoked)).chunks;
    let mut next = revoked_indexes(CAPACITY, 20_000)
        .into_iter()
        .skip(revoked.len());
    c.bench_function("status_list_revoke_one_1m_1pct", |b| {
        b.iter_batched(
            || {
                let mut bits = list_of(CAPACITY, &revoked);
                bits.set(next.next().unwrap_or(0), 1).unwrap();
                (held.clone(), bits)
            },
            |(mut chunks, bits)| {
                chunks.update(bits.as_bytes()).unwrap();
                black_box(sign(&key, chunks))
            },
            criterion::BatchSize::LargeInput,
        )
    });
}

criterion_group! {
    name = lists;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(lists);
