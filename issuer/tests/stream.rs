//! The push channel on the wire (`GET /v1/status-stream`): signed events any JOSE library can
//! check, replay from `Last-Event-ID` (from memory and from the database), an in-band gap when it
//! cannot replay, and a subscriber that falls behind is cut off rather than skipped past events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use support::{Backend, TestApp};
use tower::ServiceExt;

/// One parsed SSE event.
#[derive(Debug)]
struct Sse {
    id: i64,
    name: String,
    data: String,
}

fn payload(jws: &str) -> Value {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    serde_json::from_slice(&b64.decode(jws.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

/// An open stream: its body, read frame by frame, and what has not been parsed yet.
struct Stream {
    body: Body,
    buffer: String,
}

impl Stream {
    async fn open(app: &TestApp, last_event_id: Option<i64>) -> Stream {
        let mut request = Request::builder().uri("/v1/status-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = gatepass_issuer::router::app(app.state.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Stream {
            body: response.into_body(),
            buffer: String::new(),
        }
    }

    /// The next event, `None` when the stream ended, waiting at most 10 s.
    async fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                        .map(str::to_owned)
                };
                if let (Some(id), Some(name), Some(data)) =
                    (field("id"), field("event"), field("data"))
                {
                    return Some(Sse {
                        id: id.parse().unwrap(),
                        name,
                        data,
                    });
                }
                continue; // a comment or the retry hint
            }
            let frame = tokio::time::timeout(std::time::Duration::from_secs(10), self.body.frame())
                .await
                .expect("the stream went silent")?;
            let bytes = frame.unwrap().into_data().unwrap();
            self.buffer.push_str(std::str::from_utf8(&bytes).unwrap());
        }
    }

    /// Events up to and including the snapshot.
    async fn until_snapshot(&mut self) -> (Vec<Sse>, Value) {
        let mut before = Vec::new();
        loop {
            let event = self.next().await.expect("a snapshot");
            if event.name == "snapshot" {
                return (before, payload(&event.data));
            }
            before.push(event);
        }
    }
}

async fn revoke_one(app: &TestApp) -> i64 {
    let (secret, id) = app
        .create(json!({"name": "to revoke", "scopes": ["user:read"]}))
        .await;
    let r = app
        .call(
            "POST",
            &format!("/v1/tokens/{id}/revoke"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    support::claims_of(&secret)["status"]["status_list"]["idx"]
        .as_i64()
        .unwrap()
}

async fn events_are_signed_replayed_and_never_skipped(backend: Backend) {
    let app = TestApp::with(backend, |c| c.stream_buffer = 16);
    let state = &app.state;
    let mut stream = Stream::open(&app, None).await;
    let (replayed, snapshot) = stream.until_snapshot().await;
    assert!(replayed.is_empty());
    assert_eq!(snapshot["type"], "snapshot");
    assert_eq!(snapshot["resumed"], false);
    assert_eq!(snapshot["lists"]["http://issuer.test/v1/status-lists/1"], 0);
    let start = snapshot["seq"].as_i64().unwrap();

    // One revocation: one signed event, which an independent JOSE library verifies.
    let idx = revoke_one(&app).await;
    gatepass_issuer::stream::feed::catch_up(state)
        .await
        .unwrap();
    let event = stream.next().await.unwrap();
    assert_eq!((event.name.as_str(), event.id), ("status", start + 1));
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_str(
        &app.call("GET", "/.well-known/jwks.json", None, None)
            .await
            .text,
    )
    .unwrap();
    let header = jsonwebtoken::decode_header(&event.data).unwrap();
    assert_eq!(header.typ.as_deref(), Some("gatepass-event+jwt"));
    let key =
        jsonwebtoken::DecodingKey::from_jwk(jwks.find(header.kid.as_deref().unwrap()).unwrap())
            .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.set_issuer(&["http://issuer.test"]);
    let claims = jsonwebtoken::decode::<Value>(&event.data, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["type"], "status");
    assert_eq!(claims["list"], "http://issuer.test/v1/status-lists/1");
    assert_eq!(claims["version"], 1);
    assert_eq!(claims["idx"], json!([idx]));
    // The list JWT carries the same version.
    let list = app.call("GET", "/v1/status-lists/1", None, None).await;
    assert_eq!(payload(&list.text)["version"], 1);

    // A subscriber that does not read while 20 events pass (buffer 16) is cut off...
    for _ in 0..20 {
        revoke_one(&app).await;
    }
    gatepass_issuer::stream::feed::catch_up(state)
        .await
        .unwrap();
    assert!(
        stream.next().await.is_none(),
        "a lagging subscriber must be disconnected"
    );

    // ...and resumes with Last-Event-ID: every missed event (from the database: more than the
    // ring holds), in order, then the snapshot says the replay covered the gap.
    let mut resumed = Stream::open(&app, Some(start + 1)).await;
    let (missed, snapshot) = resumed.until_snapshot().await;
    let ids: Vec<i64> = missed.iter().map(|e| e.id).collect();
    assert_eq!(ids, ((start + 2)..=(start + 21)).collect::<Vec<_>>());
    assert_eq!(snapshot["resumed"], true);
    assert_eq!(
        snapshot["lists"]["http://issuer.test/v1/status-lists/1"],
        21
    );
    // From the ring (the last few events).
    let mut recent = Stream::open(&app, Some(start + 18)).await;
    let (missed, snapshot) = recent.until_snapshot().await;
    assert_eq!(missed.len(), 3);
    assert_eq!(snapshot["resumed"], true);

    // Further back than the log keeps: said in-band, the client refetches instead.
    app.sql(&format!(
        "DELETE FROM status_events WHERE seq <= {}",
        start + 10
    ));
    let mut too_old = Stream::open(&app, Some(start + 1)).await;
    let (missed, snapshot) = too_old.until_snapshot().await;
    assert!(missed.is_empty());
    assert_eq!(snapshot["resumed"], false);
}

async fn a_new_list_is_announced_before_tokens_use_it(backend: Backend) {
    let app = TestApp::with(backend, |c| c.status_list_capacity = 1024);
    let mut stream = Stream::open(&app, None).await;
    let _ = stream.until_snapshot().await;
    app.sql("UPDATE status_lists SET used = 600 WHERE id = '1'");
    app.forget_reserved_slots();
    app.create(json!({"name": "crosses half", "scopes": ["user:read"]}))
        .await;
    gatepass_issuer::stream::feed::catch_up(&app.state)
        .await
        .unwrap();
    let event = stream.next().await.unwrap();
    let claims = payload(&event.data);
    assert_eq!(claims["list"], "http://issuer.test/v1/status-lists/2");
    assert_eq!(claims["version"], 0);
    assert_eq!(claims["idx"], json!([]));
}

on_both_backends!(
    events_are_signed_replayed_and_never_skipped,
    a_new_list_is_announced_before_tokens_use_it,
);
