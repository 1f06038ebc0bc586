//! The push link against a fake issuer: only verified events that follow the held version are
//! applied; forged, unsigned, mistyped or out-of-order events change nothing (a gap makes the
//! verifier refetch the list), and the link reports its state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use gatepass::status_list::StatusList;
use gatepass::Verifier;
use serde_json::{json, Value};
use support::{eventually, now, FakeIssuer};

const WAIT: Duration = Duration::from_secs(10);

fn code(v: &Verifier, token: &str) -> &'static str {
    v.verify(token).map(|_| "ok").unwrap_or_else(|e| e.code())
}

fn status(issuer: &FakeIssuer, version: u64, idx: &[u64]) -> Value {
    json!({"iss": issuer.url, "iat": now(), "type": "status", "seq": version,
        "list": issuer.list_uri("1"), "version": version, "idx": idx})
}

#[test]
fn only_verified_events_in_order_are_applied() {
    let mut issuer = FakeIssuer::start();
    issuer.stream = true;
    issuer.publish();
    let list = StatusList::new(1, 1024).unwrap();
    issuer.set(
        "/v1/status-lists/1",
        issuer.signed_list_at("1", &list, 1, now()),
    );
    let uri = issuer.list_uri("1");
    let snapshot = json!({"iss": issuer.url, "iat": now(), "type": "snapshot", "seq": 1,
        "lists": {uri.clone(): 1}, "resumed": false});
    let forged = issuer.event(3, gatepass::STATUS_EVENT_TYPE, &status(&issuer, 2, &[5]));
    let unsigned = {
        let good = issuer.event(0, gatepass::STATUS_EVENT_TYPE, &status(&issuer, 2, &[6]));
        let (input, _) = good.rsplit_once('.').unwrap();
        format!("{input}.AAAA")
    };
    let mistyped = issuer.event(0, "gatepass+jwt", &status(&issuer, 2, &[7]));
    let mut other_issuer = status(&issuer, 2, &[10]);
    other_issuer["iss"] = json!("https://elsewhere.example");
    let other_issuer = issuer.event(0, gatepass::STATUS_EVENT_TYPE, &other_issuer);
    let gap = issuer.event(0, gatepass::STATUS_EVENT_TYPE, &status(&issuer, 4, &[8]));
    let valid = issuer.event(0, gatepass::STATUS_EVENT_TYPE, &status(&issuer, 2, &[9]));
    issuer.serve_stream(&[
        (
            1,
            "snapshot",
            issuer.event(0, gatepass::STATUS_EVENT_TYPE, &snapshot),
        ),
        (2, "status", forged),
        (3, "status", unsigned),
        (4, "status", mistyped),
        (5, "status", other_issuer),
        (6, "status", gap),
        (7, "status", valid),
    ]);
    let fetches = |i: &FakeIssuer| {
        let (fresh, not_modified) = i.hits("/v1/status-lists/1");
        fresh + not_modified
    };
    let list_fetches = fetches(&issuer);
    let v = Verifier::builder(issuer.url.clone()).build().unwrap();
    let token = |idx: u64| issuer.token(0, idx, |_| {});
    assert!(
        eventually(WAIT, || code(&v, &token(9)) == "revoked"),
        "the valid event was not applied"
    );
    for idx in [5, 6, 7, 8, 10] {
        assert_eq!(
            code(&v, &token(idx)),
            "ok",
            "index {idx} changed by an event that must not apply"
        );
    }
    assert!(
        eventually(WAIT, || fetches(&issuer) > list_fetches + 1),
        "a gap makes the verifier refetch the list"
    );
    // The refetched list (version 1) does not undo the applied event (version 2).
    v.refresh(WAIT).unwrap();
    assert_eq!(code(&v, &token(9)), "revoked");
    let status = v.push_status();
    assert!(status.enabled);
    assert!(status.last_event_age.is_some_and(|age| age < WAIT));
}

#[test]
fn push_status_says_when_there_is_no_link() {
    let issuer = FakeIssuer::start(); // discovery names no stream
    let v = Verifier::builder(issuer.url.clone()).build().unwrap();
    assert!(!v.push_status().enabled);
    assert!(!v.push_status().connected);
    let mut with_stream = FakeIssuer::start();
    with_stream.stream = true;
    with_stream.publish();
    let off = Verifier::builder(with_stream.url.clone())
        .push(false)
        .build()
        .unwrap();
    assert!(!off.push_status().enabled, "push(false) turns it off");
    let offline = Verifier::offline(issuer.url.clone(), issuer.jwks())
        .build()
        .unwrap();
    assert_eq!(
        offline.push_status(),
        gatepass::PushStatus {
            enabled: false,
            connected: false,
            last_event_age: None
        }
    );
}

#[test]
fn the_first_snapshot_is_acknowledged_so_a_reconnect_can_resume() {
    // The stream is offered from the start; the link must not connect before keys are loaded,
    // or the signed snapshot cannot be verified and a reconnect has no Last-Event-ID.
    let mut issuer = FakeIssuer::start();
    issuer.stream = true;
    issuer.publish();
    let uri = issuer.list_uri("1");
    let list = StatusList::new(1, 1024).unwrap();
    issuer.set(
        "/v1/status-lists/1",
        issuer.signed_list_at("1", &list, 1, now()),
    );
    let snapshot = json!({"iss": issuer.url, "iat": now(), "type": "snapshot", "seq": 7,
        "lists": {uri: 1}, "resumed": false});
    issuer.serve_stream(&[(
        7,
        "snapshot",
        issuer.event(0, gatepass::STATUS_EVENT_TYPE, &snapshot),
    )]);
    // Slow answers: the verifier's first load takes several requests; a link opened before it
    // finished would get its snapshot before the keys to check it.
    issuer.set_delay(Duration::from_millis(100));
    let v = Verifier::builder(issuer.url.clone()).build().unwrap();
    // Each session ends after the snapshot; the very first reconnect must carry its id.
    assert!(eventually(WAIT, || issuer.last_event_ids().len() >= 2));
    let ids = issuer.last_event_ids();
    assert_eq!(ids[0], "", "the first connection has nothing to resume");
    assert_eq!(
        ids[1], "7",
        "the first snapshot was not acknowledged: {ids:?}"
    );
    assert!(v.push_status().last_event_age.is_some());
}
