//! No verifier ever goes back to older revocation data: a list with a lower `version` (or, at
//! the same version or without one, an earlier `iat`) never replaces the one held — neither
//! through `update_status_list` (the issuer feeds its own verifier this way, from rebuilds that
//! can finish out of order) nor from a lagging server while polling.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use gatepass::status_list::StatusList;
use gatepass::Verifier;
use support::{now, FakeIssuer};

/// List "1" at `version`: entries 1..=version revoked (each version revokes one more).
fn list_at(issuer: &FakeIssuer, version: u64, iat: i64) -> String {
    let mut list = StatusList::new(1, 1024).unwrap();
    for idx in 1..=version {
        list.set(idx, 1).unwrap();
    }
    issuer.signed_list_at("1", &list, version, iat)
}

fn offline(issuer: &FakeIssuer) -> Verifier {
    Verifier::offline(issuer.url.clone(), issuer.jwks())
        .build()
        .unwrap()
}

fn code(v: &Verifier, token: &str) -> &'static str {
    v.verify(token).map(|_| "ok").unwrap_or_else(|e| e.code())
}

#[test]
fn an_older_version_or_signature_never_replaces_the_held_list() {
    let issuer = FakeIssuer::start();
    let v = offline(&issuer);
    let uri = issuer.list_uri("1");
    let token_5 = issuer.token(0, 5, |_| {});
    let t = now();
    v.update_status_list(&uri, list_at(&issuer, 5, t)).unwrap();
    assert_eq!(code(&v, &token_5), "revoked");
    v.update_status_list(&uri, list_at(&issuer, 4, t + 10))
        .unwrap();
    assert_eq!(
        code(&v, &token_5),
        "revoked",
        "version 4 is older, whatever its iat"
    );
    v.update_status_list(&uri, list_at(&issuer, 6, t - 10))
        .unwrap();
    assert_eq!(
        code(&v, &issuer.token(0, 6, |_| {})),
        "revoked",
        "version 6 is newer"
    );
    // Same version, earlier signature: kept out; later signature (a re-signing): taken.
    let mut cleared = StatusList::new(1, 1024).unwrap();
    cleared.set(1, 1).unwrap();
    v.update_status_list(&uri, issuer.signed_list_at("1", &cleared, 6, t - 20))
        .unwrap();
    assert_eq!(code(&v, &token_5), "revoked");
}

#[test]
fn racing_updates_end_on_the_newest_list() {
    let issuer = FakeIssuer::start();
    let uri = issuer.list_uri("1");
    let t = now();
    let lists: Vec<String> = (1..=40)
        .map(|version| list_at(&issuer, version, t))
        .collect();
    let newest = issuer.token(0, 40, |_| {});
    for round in 0..20u64 {
        let v = Arc::new(offline(&issuer));
        let lists = Arc::new(lists.clone());
        let threads: Vec<_> = (0..4u64)
            .map(|thread| {
                let (v, lists, uri) = (Arc::clone(&v), Arc::clone(&lists), uri.clone());
                std::thread::spawn(move || {
                    // Each thread walks the versions in a different order.
                    let n = lists.len() as u64;
                    for i in 0..n {
                        let k = (i * (2 * thread + 1) + round * 7 + thread * 13) % n;
                        v.update_status_list(&uri, &lists[k as usize]).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(
            code(&v, &newest),
            "revoked",
            "round {round}: an older list won"
        );
    }
}

#[test]
fn polling_a_lagging_server_keeps_the_newer_list() {
    let issuer = FakeIssuer::start();
    let t = now();
    issuer.set("/v1/status-lists/1", list_at(&issuer, 3, t));
    let v = Verifier::builder(issuer.url.clone())
        .build()
        .expect("verifier");
    let token_3 = issuer.token(0, 3, |_| {});
    assert_eq!(code(&v, &token_3), "revoked");
    // A replica or cache behind the others answers with version 2.
    issuer.set("/v1/status-lists/1", list_at(&issuer, 2, t + 5));
    v.refresh(Duration::from_secs(5)).expect("refresh");
    assert_eq!(
        code(&v, &token_3),
        "revoked",
        "the verifier went back to version 2"
    );
}
