//! `cargo bench -p gatepass --bench verify`, then `scripts/bench-core` prints the ratios.
//!
//! Everything is measured in the same run, per token over the same 1,000 distinct tokens:
//! - `raw_aws_lc` / `raw_ring`: the signature check alone (pre-parsed key), the floor;
//! - `gatepass_cold`: full `verify` with the verified-token cache off;
//! - `jsonwebtoken`: the `jsonwebtoken` crate (aws-lc-rs backend) with full validation;
//! - `hot`: one token verified again and again through the cache.

#![allow(missing_docs, dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/gen_vectors/keys.rs"]
mod keys;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gatepass::clock::ManualClock;
use gatepass::status_list::StatusList;
use gatepass::Verifier;
use keys::{b64, b64_decode, Key};
use serde_json::json;

const ISS: &str = "https://issuer.example";
const NOW: i64 = 1_767_225_600;
const N: usize = 1000;
/// Calls per thread per iteration of the threaded hot benchmark (enough that spawning is noise).
const HOT_CALLS_PER_THREAD: usize = 100_000;

struct Fixture {
    jwks: String,
    list_uri: String,
    list: String,
    /// (full token with prefix, signing input, signature bytes)
    tokens: Vec<(String, String, Vec<u8>)>,
}

fn fixture(key: &Key) -> Fixture {
    let list_uri = format!("{ISS}/v1/status-lists/1");
    let sign = |header: &serde_json::Value, claims: &serde_json::Value| {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = key.sign(input.as_bytes());
        (input, sig)
    };
    let list_header = json!({"alg": key.alg(), "typ": "statuslist+jwt", "kid": key.kid()});
    let list_claims = json!({"sub": list_uri, "iat": NOW, "status_list": {"bits": 1, "lst": StatusList::new(1, 1 << 20).unwrap().encode()}});
    let (input, sig) = sign(&list_header, &list_claims);
    let list = format!("{input}.{}", b64(&sig));
    let header = json!({"alg": key.alg(), "typ": "gatepass+jwt", "kid": key.kid()});
    let tokens = (0..N)
        .map(|i| {
            let claims = json!({
                "iss": ISS, "sub": format!("user_{i}"), "ws": "acme", "scope": "user:read user:write",
                "iat": NOW - 60, "exp": NOW + 3600, "jti": format!("tok_{i:026}"),
                "status": {"status_list": {"idx": i * 997, "uri": list_uri}},
            });
            let (input, sig) = sign(&header, &claims);
            (format!("gp_{input}.{}", b64(&sig)), input, sig)
        })
        .collect();
    Fixture {
        jwks: json!({"keys": [key.jwk()]}).to_string(),
        list_uri,
        list,
        tokens,
    }
}

fn verifier(fx: &Fixture, cache_size: usize) -> Verifier {
    Verifier::offline(ISS, fx.jwks.as_str())
        .status_list(&fx.list_uri, fx.list.as_str())
        .clock(ManualClock::new(NOW))
        .cache_size(cache_size)
        .build()
        .unwrap()
}

fn public_key_bytes(key: &Key) -> Vec<u8> {
    let jwk = key.jwk();
    match key.alg() {
        "EdDSA" => b64_decode(jwk["x"].as_str().unwrap()),
        _ => [
            vec![4u8],
            b64_decode(jwk["x"].as_str().unwrap()),
            b64_decode(jwk["y"].as_str().unwrap()),
        ]
        .concat(),
    }
}

fn bench_algorithm(c: &mut Criterion, name: &str, key: &Key) {
    let fx = fixture(key);
    let pk = public_key_bytes(key);
    let (aws_alg, ring_alg): (
        &'static dyn aws_lc_rs::signature::VerificationAlgorithm,
        &'static dyn ring::signature::VerificationAlgorithm,
    ) = match key.alg() {
        "EdDSA" => (&aws_lc_rs::signature::ED25519, &ring::signature::ED25519),
        _ => (
            &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
            &ring::signature::ECDSA_P256_SHA256_FIXED,
        ),
    };
    let aws_key = aws_lc_rs::signature::ParsedPublicKey::new(aws_alg, &pk).unwrap();
    let ring_key = ring::signature::UnparsedPublicKey::new(ring_alg, &pk);
    let cold = verifier(&fx, 0);
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.jwk()).unwrap();
    let jwt_key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(match key.alg() {
        "EdDSA" => jsonwebtoken::Algorithm::EdDSA,
        _ => jsonwebtoken::Algorithm::ES256,
    });
    validation.set_issuer(&[ISS]);
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    validation.validate_exp = false; // fixed "now" in the past of the wall clock is not the point here

    for (_, input, sig) in &fx.tokens {
        aws_key.verify_sig(input.as_bytes(), sig).unwrap();
    }
    for (token, _, _) in &fx.tokens {
        cold.verify(token).unwrap();
        jsonwebtoken::decode::<serde_json::Value>(&token[3..], &jwt_key, &validation).unwrap();
    }

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("raw_aws_lc", |b| {
        b.iter(|| {
            for (_, input, sig) in &fx.tokens {
                black_box(aws_key.verify_sig(black_box(input.as_bytes()), black_box(sig))).unwrap();
            }
        })
    });
    group.bench_function("raw_ring", |b| {
        b.iter(|| {
            for (_, input, sig) in &fx.tokens {
                black_box(ring_key.verify(black_box(input.as_bytes()), black_box(sig))).unwrap();
            }
        })
    });
    group.bench_function("gatepass_cold", |b| {
        b.iter(|| {
            for (token, _, _) in &fx.tokens {
                black_box(cold.verify(black_box(token))).unwrap();
            }
        })
    });
    // One verifier shared by two threads, each verifying half the tokens: the wall time per
    // token should halve on two cores (a `Verifier` is `Sync` and takes no lock to verify).
    let (left, right) = fx.tokens.split_at(N / 2);
    group.bench_function("gatepass_cold_2_threads", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for half in [left, right] {
                    let cold = &cold;
                    s.spawn(move || {
                        for (token, _, _) in half {
                            black_box(cold.verify(black_box(token))).unwrap();
                        }
                    });
                }
            })
        })
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| {
            for (token, _, _) in &fx.tokens {
                black_box(jsonwebtoken::decode::<serde_json::Value>(
                    black_box(&token[3..]),
                    &jwt_key,
                    &validation,
                ))
                .unwrap();
            }
        })
    });
    group.finish();

    let hot = verifier(&fx, 10_000);
    let token = fx.tokens[0].0.clone();
    hot.verify(&token).unwrap();
    let mut group = c.benchmark_group(format!("{name}_hot"));
    group.throughput(Throughput::Elements(1));
    group.bench_function("gatepass_hot", |b| {
        b.iter(|| black_box(hot.verify(black_box(&token))).unwrap())
    });
    group.finish();
    // Cached tokens from two threads at once on one verifier: each thread its own token (callers
    // with their own tokens), then both the same token (one busy caller). Each thread serves
    // tokens it meets again from its own copy (cache.rs), so the two rows should not differ.
    let mut group = c.benchmark_group(format!("{name}_hot_threads"));
    // Per thread: scripts/bench-core doubles it for the two-thread rows.
    group.throughput(Throughput::Elements(HOT_CALLS_PER_THREAD as u64));
    let other = fx.tokens[1].0.clone();
    hot.verify(&other).unwrap();
    for (label, tokens) in [
        ("1_threads", vec![&token]),
        ("2_threads", vec![&token, &other]),
        ("2_threads_same_token", vec![&token, &token]),
    ] {
        group.bench_function(format!("gatepass_hot_{label}"), |b| {
            b.iter(|| {
                std::thread::scope(|s| {
                    for token in &tokens {
                        let (hot, token) = (&hot, *token);
                        s.spawn(move || {
                            for _ in 0..HOT_CALLS_PER_THREAD {
                                black_box(hot.verify(black_box(token))).unwrap();
                            }
                        });
                    }
                })
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_algorithm(c, "eddsa", &Key::ed("bench ed25519"));
    bench_algorithm(c, "es256", &Key::es("bench p256"));
}

criterion_group! {
    name = verify;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(verify);
