//! An issuer that misbehaves: a 100 MB answer, a redirect loop, or no answer at all. Online
//! verifiers respect their size caps and timeouts, keep the last good data, never block
//! `verify`, and fail closed past the maximum staleness. (Slow and garbage answers are in
//! `online.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use gatepass::clock::ManualClock;
use gatepass::Verifier;
use support::{now, FakeIssuer};

const T: Duration = Duration::from_secs(10);

fn code(v: &Verifier, token: &str) -> &'static str {
    v.verify(token).map(|_| "ok").unwrap_or_else(|e| e.code())
}

#[test]
fn a_huge_answer_is_cut_at_the_cap_and_the_last_good_data_stays() {
    let issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url).build().unwrap();
    let token = issuer.token(0, 4, |_| {});
    assert_eq!(code(&v, &token), "ok");
    // 100 MB where a status list (capped at 24 MiB) and the JWKS (1 MiB) should be.
    let huge = "A".repeat(100 * 1024 * 1024);
    issuer.set("/v1/status-lists/1", huge.clone());
    issuer.set("/.well-known/jwks.json", huge);
    let err = v.refresh(T).expect_err("over the cap");
    assert!(
        err.message().contains("limit") || err.message().contains("large"),
        "{err}"
    );
    assert_eq!(code(&v, &token), "ok", "the last good list and keys stay");
}

#[test]
fn a_redirect_loop_ends_and_the_last_good_data_stays() {
    let issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url).build().unwrap();
    let token = issuer.token(0, 4, |_| {});
    let jwks = "/.well-known/jwks.json";
    issuer.redirect(jwks, &format!("{}{jwks}", issuer.url));
    let started = Instant::now();
    let err = v.refresh(T).expect_err("a redirect loop");
    assert!(
        started.elapsed() < T,
        "the loop is cut, not followed until the timeout"
    );
    assert!(err.message().to_lowercase().contains("redirect"), "{err}");
    assert_eq!(code(&v, &token), "ok");
}

#[test]
fn an_issuer_that_is_gone_leaves_verify_working_until_staleness() {
    let issuer = FakeIssuer::start();
    let clock = Arc::new(ManualClock::new(now()));
    let v = Verifier::builder(&issuer.url)
        .clock(Arc::clone(&clock))
        .max_staleness(Duration::from_secs(3600))
        .http_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let token = issuer.token(0, 4, |c| c["exp"] = serde_json::json!(now() + 10 * 3600));
    issuer.stop();
    let started = Instant::now();
    assert!(v.refresh(T).is_err(), "nobody answers");
    assert!(started.elapsed() < T);
    // verify never waits for the network: 100 calls take far less than one 2 s timeout would.
    let started = Instant::now();
    for _ in 0..100 {
        assert_eq!(code(&v, &token), "ok");
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    clock.advance(3601);
    assert_eq!(
        code(&v, &token),
        "status_unavailable",
        "fails closed past the maximum staleness"
    );
}
