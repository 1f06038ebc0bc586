//! Online verification against a fake issuer: discovery, 304s, ETag changes, errors, slow
//! answers, key rotation, unknown-kid refetch and its cooldown, staleness, usage reports.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use gatepass::clock::{ManualClock, SystemClock};
use gatepass::{Clock, Startup, Verifier};
use support::{eventually, now, FakeIssuer};

const JWKS: &str = "/.well-known/jwks.json";
const LIST: &str = "/v1/status-lists/1";
const T: Duration = Duration::from_secs(5);

fn verifier(issuer: &FakeIssuer) -> Verifier {
    Verifier::builder(&issuer.url).build().expect("loads")
}

fn code(v: &Verifier, token: &str) -> &'static str {
    match v.verify(token) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn loads_from_the_issuer_url_alone_and_verifies() {
    let issuer = FakeIssuer::start();
    let v = verifier(&issuer);
    let c = v.verify(&issuer.token(0, 3, |_| {})).expect("valid");
    assert_eq!((c.subject(), c.workspace()), ("user_1", "acme"));
    assert_eq!(v.status_list_uris(), [issuer.list_uri("1")]);
    assert_eq!(v.key_ids(), [issuer.keys[0].kid()]);
    // The prefix comes from discovery; the unprefixed form works too.
    assert_eq!(code(&v, &issuer.token(0, 3, |_| {})[3..]), "ok");
}

#[test]
fn unchanged_documents_cost_a_304() {
    let issuer = FakeIssuer::start();
    let v = verifier(&issuer);
    assert_eq!(issuer.hits(JWKS), (1, 0));
    v.refresh(T).expect("refresh");
    assert_eq!(issuer.hits(JWKS), (1, 1));
    assert_eq!(issuer.hits(LIST), (1, 1));
}

#[test]
fn revocation_shows_after_one_refresh() {
    let mut issuer = FakeIssuer::start();
    let v = verifier(&issuer);
    let token = issuer.token(0, 9, |_| {});
    assert_eq!(code(&v, &token), "ok");
    issuer.revoke("1", 9);
    assert_eq!(code(&v, &token), "ok", "nothing changes before a refresh");
    v.refresh(T).expect("refresh");
    assert_eq!(code(&v, &token), "revoked");
    assert_eq!(
        code(&v, &issuer.token(0, 8, |_| {})),
        "ok",
        "the neighbour is untouched"
    );
}

#[test]
fn key_rotation_old_and_new_tokens_verify_and_retired_keys_stop() {
    let mut issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url)
        .unknown_key_cooldown(Duration::ZERO)
        .build()
        .expect("loads");
    let old = issuer.token(0, 1, |_| {});
    assert_eq!(code(&v, &old), "ok");
    issuer.publish_keys(&[1, 0]);
    let new = issuer.token(1, 2, |_| {});
    // The first sight of the new kid fails without waiting, and makes the verifier refetch.
    assert_eq!(code(&v, &new), "unknown_key");
    assert!(
        eventually(T, || code(&v, &new) == "ok"),
        "new key learned without an explicit refresh"
    );
    assert_eq!(code(&v, &old), "ok");
    issuer.publish_keys(&[1]);
    v.refresh(T).expect("refresh");
    assert_eq!(
        code(&v, &old),
        "unknown_key",
        "a cached token stops working when its key is retired"
    );
}

#[test]
fn unknown_kids_refetch_at_most_once_per_cooldown() {
    let issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url)
        .unknown_key_cooldown(Duration::from_secs(60))
        .build()
        .expect("loads");
    let garbage = issuer.token(3, 1, |_| {}); // signed by an unpublished key
    let before = issuer.hits(JWKS);
    for _ in 0..200 {
        assert_eq!(code(&v, &garbage), "unknown_key");
    }
    assert!(eventually(T, || issuer.hits(JWKS).0 + issuer.hits(JWKS).1
        == before.0 + before.1 + 1));
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..200 {
        assert_eq!(code(&v, &garbage), "unknown_key");
    }
    std::thread::sleep(Duration::from_millis(300));
    let after = issuer.hits(JWKS);
    assert_eq!(
        after.0 + after.1,
        before.0 + before.1 + 1,
        "one refetch for 400 garbage tokens"
    );
}

#[test]
fn issuer_errors_keep_the_last_good_data() {
    let issuer = FakeIssuer::start();
    let v = verifier(&issuer);
    let token = issuer.token(0, 4, |_| {});
    issuer.set_failing(true);
    let err = v.refresh(T).expect_err("the issuer is down");
    assert!(err.message().contains("HTTP 500"), "{err}");
    assert_eq!(code(&v, &token), "ok");
}

#[test]
fn invalid_documents_are_discarded() {
    let issuer = FakeIssuer::start();
    let v = verifier(&issuer);
    let token = issuer.token(0, 4, |_| {});
    issuer.set(
        JWKS,
        "{\"keys\": [{\"kty\": \"oct\", \"k\": \"c2VjcmV0\"}]}".into(),
    );
    issuer.set(LIST, "garbage".into());
    let err = v.refresh(T).expect_err("bad documents");
    assert!(
        err.message().contains("symmetric") || err.message().contains("private"),
        "{err}"
    );
    assert_eq!(code(&v, &token), "ok");
}

#[test]
fn slow_answers_time_out_without_blocking_verify() {
    let issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url)
        .http_timeout(Duration::from_millis(300))
        .build()
        .expect("loads");
    let token = issuer.token(0, 4, |_| {});
    issuer.set_delay(Duration::from_millis(1500));
    let started = std::time::Instant::now();
    assert_eq!(code(&v, &token), "ok");
    assert!(v.refresh(T).is_err(), "the refresh times out");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(code(&v, &token), "ok");
    issuer.set_delay(Duration::ZERO);
}

#[test]
fn stale_lists_fail_closed_unless_fail_open_was_chosen() {
    let issuer = FakeIssuer::start();
    let clock = Arc::new(ManualClock::new(now()));
    let closed = Verifier::builder(&issuer.url)
        .clock(Arc::clone(&clock))
        .max_staleness(Duration::from_secs(3600))
        .build()
        .expect("loads");
    let open = Verifier::builder(&issuer.url)
        .clock(Arc::clone(&clock))
        .max_staleness(Duration::from_secs(3600))
        .danger_fail_open_when_stale(true)
        .build()
        .expect("loads");
    let token = issuer.token(0, 4, |c| c["exp"] = serde_json::json!(now() + 10 * 3600));
    issuer.set_failing(true);
    clock.advance(3599);
    assert_eq!(code(&closed, &token), "ok", "within the maximum staleness");
    clock.advance(2);
    assert_eq!(code(&closed, &token), "status_unavailable");
    assert_eq!(code(&open, &token), "ok");
    // Once the issuer answers again, the list is fresh again.
    issuer.set_failing(false);
    closed.refresh(T).expect("refresh");
    assert_eq!(code(&closed, &token), "ok");
}

#[test]
fn a_list_named_by_a_signed_token_is_fetched_on_demand() {
    let issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url)
        .unknown_key_cooldown(Duration::ZERO)
        .build()
        .expect("loads");
    // A list the index does not name (yet), but the issuer serves.
    let uri = issuer.serve_unlisted("2", 1);
    let token = issuer.token(0, 1, |c| {
        c["status"]["status_list"]["uri"] = serde_json::json!(uri)
    });
    assert_eq!(code(&v, &token), "status_unavailable");
    assert!(
        eventually(T, || code(&v, &token) == "revoked"),
        "fetched and read"
    );
    // Kept and refreshed from then on, although the index never names it.
    v.refresh(T).expect("refresh");
    v.refresh(T).expect("refresh");
    assert_eq!(code(&v, &token), "revoked");
    assert!(v.status_list_uris().contains(&uri));
}

#[test]
fn startup_failure_says_what_failed() {
    let unused = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", unused.local_addr().expect("addr"));
    drop(unused);
    let err = Verifier::builder(&url)
        .startup(Startup::Wait(Duration::from_millis(800)))
        .build()
        .expect_err("nothing listens");
    assert!(
        err.message().contains(&url) && err.message().contains("gatepass-configuration"),
        "{err}"
    );

    let issuer = FakeIssuer::start();
    let wrong = format!("{}/", issuer.url);
    let err = Verifier::builder(&wrong)
        .startup(Startup::Wait(Duration::from_secs(2)))
        .build()
        .expect_err("issuer mismatch");
    assert!(err.message().contains("must be equal"), "{err}");

    let err = Verifier::builder("ftp://example.com")
        .build()
        .expect_err("not http");
    assert!(err.message().contains("https://"), "{err}");
}

#[test]
fn background_startup_returns_at_once_and_loads_later() {
    let issuer = FakeIssuer::start();
    issuer.set_delay(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let v = Verifier::builder(&issuer.url)
        .startup(Startup::Background)
        .build()
        .expect("starts");
    assert!(started.elapsed() < Duration::from_millis(250));
    let token = issuer.token(0, 4, |_| {});
    assert_eq!(code(&v, &token), "unknown_key", "nothing loaded yet");
    issuer.set_delay(Duration::ZERO);
    assert!(eventually(Duration::from_secs(10), || code(&v, &token) == "ok"));
}

#[test]
fn dropping_the_last_clone_stops_the_background_thread() {
    let issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url)
        .refresh_interval(Duration::from_millis(50))
        .build()
        .expect("loads");
    let clone = v.clone();
    drop(v);
    assert!(
        eventually(T, || issuer.total_requests() > 12),
        "clones keep it running"
    );
    drop(clone);
    std::thread::sleep(Duration::from_millis(200));
    let settled = issuer.total_requests();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(issuer.total_requests(), settled);
}

#[test]
fn usage_is_reported_in_the_background() {
    let issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url)
        .usage_report_token("gp_usage_reporter_token")
        .usage_report_interval(Duration::from_millis(100))
        .build()
        .expect("loads");
    v.verify(&issuer.token(0, 4, |_| {})).expect("valid");
    v.verify(&issuer.token(0, 5, |_| {})).expect("valid");
    assert!(eventually(T, || !issuer.usage_posts().is_empty()));
    let posts = issuer.usage_posts();
    let (auth, body) = &posts[0];
    assert_eq!(auth, "Bearer gp_usage_reporter_token");
    let body: serde_json::Value = serde_json::from_str(body).expect("json");
    let mut jtis: Vec<&str> = body["seen"]
        .as_array()
        .expect("seen")
        .iter()
        .map(|s| s["jti"].as_str().expect("jti"))
        .collect();
    jtis.sort();
    assert_eq!(jtis, ["tok_4", "tok_5"]);
    assert!(body["seen"][0]["at"].as_str().expect("at").ends_with('Z'));
}

#[test]
fn verifier_is_send_sync_and_verifies_from_many_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Verifier>();
    let issuer = FakeIssuer::start();
    let v = verifier(&issuer);
    let tokens: Vec<String> = (0..64).map(|i| issuer.token(0, i, |_| {})).collect();
    std::thread::scope(|s| {
        for t in 0..8 {
            let (v, tokens) = (v.clone(), &tokens);
            s.spawn(move || {
                for round in 0..50 {
                    let token = &tokens[(t * 7 + round) % tokens.len()];
                    assert_eq!(code(&v, token), "ok");
                }
            });
        }
    });
    let _ = SystemClock.now();
}

#[test]
fn fail_open_still_fetches_a_missing_list() {
    let issuer = FakeIssuer::start();
    let v = Verifier::builder(&issuer.url)
        .unknown_key_cooldown(Duration::ZERO)
        .danger_fail_open_when_stale(true)
        .build()
        .expect("loads");
    let uri = issuer.serve_unlisted("3", 2);
    let token = issuer.token(0, 2, |c| {
        c["status"]["status_list"]["uri"] = serde_json::json!(uri)
    });
    assert_eq!(
        code(&v, &token),
        "ok",
        "fail-open accepts while the list is unknown"
    );
    assert!(
        eventually(T, || code(&v, &token) == "revoked"),
        "but the list is fetched, and then it counts"
    );
}
