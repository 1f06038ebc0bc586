//! Webhooks: who may register endpoints, signed deliveries in order per token with no secret
//! in them, retries with the same `webhook-id`, expiry notices driven by a test clock, and two
//! replicas that never deliver one event twice at the same time. (A kill -9 of the issuer
//! mid-delivery is in `process.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use gatepass_issuer::state::now;
use gatepass_issuer::webhooks::{deliver, notices, worker};
use serde_json::{json, Value};
use support::receiver::{Received, Receiver};
use support::{Backend, TestApp};

/// Registers an endpoint for `events` with `token`; returns (id, secret).
async fn register(
    app: &TestApp,
    token: &str,
    url: &str,
    events: &[&str],
    ws: Option<&str>,
) -> (String, String) {
    let mut body = json!({"url": url, "events": events});
    if let Some(ws) = ws {
        body["workspace"] = json!(ws);
    }
    let r = app.post("/v1/webhooks", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.headers["cache-control"], "no-store");
    (
        r.body["id"].as_str().unwrap().to_owned(),
        r.body["secret"].as_str().unwrap().to_owned(),
    )
}

/// Runs worker rounds (clock at `at()` each time) until `done` holds for what `rx` accepted.
async fn deliver_until(
    app: &TestApp,
    rx: &Receiver,
    mut at: impl FnMut() -> i64,
    done: impl Fn(&[Received]) -> bool,
) {
    // Bounded by time, not by rounds: on a loaded machine a round can find the endpoint's
    // answer still in flight.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let state = app.state.clone();
        let t = at();
        tokio::task::spawn_blocking(move || {
            let agent = deliver::agent(&deliver::Policy::of(&state.config));
            worker::round(&state, &agent, t, false).unwrap()
        })
        .await
        .unwrap();
        if done(&rx.accepted()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "not delivered; the receiver got {:?}",
        rx.all()
            .iter()
            .map(|r| (r.answered, r.json()))
            .collect::<Vec<_>>()
    );
}

/// The deliveries about `token`, each event once (at least once means a retry after a timeout
/// under load may bring an event twice; its `webhook-id` tells).
/// Creates `n` tokens (`{prefix}0`, …) and revokes them in one batch; returns their ids.
async fn create_and_revoke(app: &TestApp, prefix: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let body = json!({"name": format!("{prefix}{i}"), "scopes": ["user:read"]});
        ids.push(app.create(body).await.1);
    }
    let r = app
        .post("/v1/tokens/revoke", &app.admin, json!({"ids": ids}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    ids
}

fn about<'a>(got: &'a [Received], token: &str) -> Vec<&'a Received> {
    let mut seen = std::collections::HashSet::new();
    got.iter()
        .filter(|r| r.json()["data"]["id"] == token && seen.insert(r.id.clone()))
        .collect()
}

async fn endpoints_are_managed_by_admins_of_their_reach(backend: Backend) {
    let app = TestApp::new(backend);
    let platform = app.platform_token();
    let r = app
        .post("/v1/workspaces", &platform, json!({"id": "ws_other"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // A workspace admin registers for its own workspace (the default) and sees only those.
    let (own, secret) = register(
        &app,
        &app.admin,
        "https://api.example.com/hooks",
        &["token.revoked", "token.created"],
        None,
    )
    .await;
    assert!(secret.starts_with("whsec_"));
    let shown = app.get(&format!("/v1/webhooks/{own}"), &app.admin).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["workspace"], "default");
    assert_eq!(
        shown.body["events"],
        json!(["token.created", "token.revoked"])
    );
    assert!(
        shown.body.get("secret").is_none(),
        "the secret is shown once"
    );
    let r = app
        .post("/v1/webhooks", &app.admin, json!({"url": "https://a.example/h", "events": ["token.created"], "workspace": "ws_other"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // The platform credential registers for any workspace, or every one, and sees them all.
    let (everywhere, _) = register(
        &app,
        &platform,
        "https://p.example/h",
        &["token.expired"],
        None,
    )
    .await;
    let (other, _) = register(
        &app,
        &platform,
        "http://127.0.0.1:9/h",
        &["token.created"],
        Some("ws_other"),
    )
    .await;
    let all = app.get("/v1/webhooks", &platform).await;
    let ids: Vec<&str> = all.body["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![own.as_str(), everywhere.as_str(), other.as_str()]);
    let mine = app.get("/v1/webhooks", &app.admin).await;
    assert_eq!(mine.body["webhooks"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&format!("/v1/webhooks/{other}"), &app.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(
            "DELETE",
            &format!("/v1/webhooks/{other}"),
            Some(&app.admin),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // A member (tokens:write, no tokens:admin) manages none.
    let (member, _) = app
        .create(json!({"name": "m", "scopes": ["tokens:write"]}))
        .await;
    for (method, path, body) in [
        ("GET", "/v1/webhooks".to_owned(), None),
        (
            "POST",
            "/v1/webhooks".to_owned(),
            Some(json!({"url": "https://a.example/h", "events": ["token.created"]})),
        ),
        ("GET", format!("/v1/webhooks/{own}/deliveries"), None),
    ] {
        let r = app.call(method, &path, Some(&member), body).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            r.text
        );
    }

    // Every invalid field is named; nothing is stored.
    let r = app
        .post("/v1/webhooks", &platform, json!({"url": "http://hooks.example.com/x", "events": ["token.deleted"], "workspace": "nope", "description": "a\u{0}b"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["url", "events", "description", "workspace"],
        "{}",
        r.text
    );
    for body in [
        json!({"url": "https://a.example/h", "events": []}),
        json!({"url": "https://a.example/h#x", "events": ["token.created"]}),
        json!({"url": "https://u:p@a.example/h", "events": ["token.created"]}),
    ] {
        let r = app.post("/v1/webhooks", &platform, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
    }
    let r = app.get("/v1/webhooks/wh_nope%01", &platform).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/v1/webhooks/{own}/deliveries?state=lost"),
            &platform,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Removing one: 204, then 404; audited.
    let r = app
        .call(
            "DELETE",
            &format!("/v1/webhooks/{own}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/v1/webhooks/{own}"), &app.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let audited = app.number("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_events WHERE action IN ('webhook.created', 'webhook.deleted')");
    assert_eq!(audited, 4);
}

async fn token_events_arrive_signed_in_order_without_secrets(backend: Backend) {
    let app = TestApp::new(backend);
    let platform = app.platform_token();
    let rx = Receiver::start(0);
    let (hook, secret) = register(
        &app,
        &platform,
        &rx.url,
        &["token.created", "token.revoked", "token.rotated"],
        None,
    )
    .await;
    let elsewhere = Receiver::start(0);
    app.post("/v1/workspaces", &platform, json!({"id": "ws_other"}))
        .await;
    register(
        &app,
        &platform,
        &elsewhere.url,
        &["token.created"],
        Some("ws_other"),
    )
    .await;

    let (first_secret, first) = app
        .create(json!({"name": "ci", "scopes": ["user:read"], "expires_in_days": 30}))
        .await;
    let r = app
        .post(&format!("/v1/tokens/{first}/rotate"), &app.admin, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let second_secret = r.body["token"].as_str().unwrap().to_owned();
    let second = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/v1/tokens/{second}/revoke"),
            &app.admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    deliver_until(&app, &rx, now, |got| {
        about(got, &first).len() >= 2 && !about(got, &second).is_empty()
    })
    .await;
    let got = rx.accepted();
    // In order per token (tokens are independent: the successor's revocation may overtake).
    let mut ours = about(&got, &first);
    let types: Vec<Value> = ours.iter().map(|r| r.json()["type"].clone()).collect();
    assert_eq!(types, vec![json!("token.created"), json!("token.rotated")]);
    ours.extend(about(&got, &second));
    for r in &got {
        assert!(r.signed_by(&secret), "signature of {}", r.id);
        assert!(r.id.starts_with("evt_"));
        assert!((r.timestamp.parse::<i64>().unwrap() - now()).abs() < 60);
        for s in [&first_secret, &second_secret, &app.admin, &platform] {
            assert!(!r.body.contains(s.as_str()), "a delivery carries no secret");
        }
        let body = r.json();
        assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
        assert_ne!(
            body["data"]["workspace"], "*",
            "platform credentials are not announced"
        );
    }
    assert!(
        !got[0].signed_by("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        "another secret does not verify"
    );
    let created = ours[0].json();
    assert_eq!(created["data"]["name"], "ci");
    assert_eq!(created["data"]["scopes"], json!(["user:read"]));
    assert_eq!(created["data"]["subject"], "admin");
    assert!(created["data"]["expires_at"].is_string());
    assert!(created["data"]["actor"]["subject"].is_string());
    let rotated = ours[1].json();
    assert_eq!(rotated["data"]["rotated_to"], json!(second));
    assert!(rotated["data"]["revoked_at"].is_string());
    let revoked = ours[2].json();
    assert_eq!(revoked["data"]["rotated_from"], json!(first));
    assert!(revoked["data"]["revoked_at"].is_string());
    // The other workspace's endpoint heard nothing of these.
    assert!(elsewhere.all().is_empty());

    // The deliveries as the API shows them: each delivered, with every attempt the receiver saw
    // (one, unless a timeout under load made a retry).
    let page = app
        .get(&format!("/v1/webhooks/{hook}/deliveries"), &platform)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let deliveries = page.body["deliveries"].as_array().unwrap();
    let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(deliveries.len(), ids.len());
    for d in deliveries {
        assert_eq!(d["state"], "delivered", "{d}");
        let attempts = d["attempts"].as_array().unwrap();
        let seen = got.iter().filter(|r| d["id"] == r.id.as_str()).count();
        assert_eq!(attempts.len(), seen, "{d}");
        assert_eq!(attempts.last().unwrap()["status"], 204);
    }
    // Paged newest first.
    let one = app
        .get(
            &format!("/v1/webhooks/{hook}/deliveries?limit=1"),
            &platform,
        )
        .await;
    assert_eq!(one.body["deliveries"][0]["id"], deliveries[0]["id"]);
    let cursor = one.body["next_cursor"].as_str().unwrap();
    let next = app
        .get(
            &format!("/v1/webhooks/{hook}/deliveries?limit=1&cursor={cursor}"),
            &platform,
        )
        .await;
    assert_eq!(next.body["deliveries"][0]["id"], deliveries[1]["id"]);
}

async fn a_failing_endpoint_gets_retries_with_the_same_id(backend: Backend) {
    let app = TestApp::with(backend, |c| c.webhook_retry_secs = vec![1]);
    let platform = app.platform_token();
    let rx = Receiver::start(3);
    let (hook, secret) = register(&app, &platform, &rx.url, &["token.created"], None).await;
    let (_, id) = app
        .create(json!({"name": "flaky", "scopes": ["user:read"]}))
        .await;

    // A test clock two seconds ahead per round, so each retry is due at the next.
    let mut t = now();
    deliver_until(
        &app,
        &rx,
        || {
            t += 2;
            t
        },
        |got| got.len() == 1,
    )
    .await;
    let all = rx.all();
    // 3 failures then success; each attempt signed anew, with the event's id every time.
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(all
        .iter()
        .all(|r| r.id == all[0].id && r.signed_by(&secret)));
    let stamps: Vec<&str> = all.iter().map(|r| r.timestamp.as_str()).collect();
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "each attempt stamped anew: {stamps:?}"
    );
    assert_eq!(rx.accepted()[0].json()["data"]["id"], json!(id));

    let page = app
        .get(
            &format!("/v1/webhooks/{hook}/deliveries?state=delivered"),
            &platform,
        )
        .await;
    let flaky = page.body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["token_id"] == json!(id))
        .unwrap()
        .clone();
    let statuses: Vec<Value> = flaky["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        vec![json!(500), json!(500), json!(500), json!(204)],
        "{flaky}"
    );
    assert!(flaky["attempts"][0]["error"]
        .as_str()
        .unwrap()
        .contains("500"));
    assert!(flaky["next_attempt_at"].is_null());
}

async fn expiry_notices_fire_once_per_threshold(backend: Backend) {
    let app = TestApp::new(backend);
    let platform = app.platform_token();
    let rx = Receiver::start(0);
    register(
        &app,
        &platform,
        &rx.url,
        &["token.expiring", "token.expired"],
        None,
    )
    .await;
    let (_, month) = app
        .create(json!({"name": "month", "scopes": ["user:read"], "expires_in_days": 30}))
        .await;
    let (_, short) = app
        .create(json!({"name": "short", "scopes": ["user:read"], "expires_in_days": 3}))
        .await;
    let (_, revoked) = app
        .create(json!({"name": "gone", "scopes": ["user:read"], "expires_in_days": 30}))
        .await;
    app.create(json!({"name": "forever", "scopes": ["user:read"]}))
        .await;
    app.post(
        &format!("/v1/tokens/{revoked}/revoke"),
        &app.admin,
        json!({}),
    )
    .await;

    let day = 86_400;
    let t0 = now();
    let exp = app.number(&format!(
        "SELECT expires_at AS n FROM tokens WHERE id = '{month}'"
    ));
    let raise = |at: i64| {
        let state = app.state.clone();
        move || {
            let mut conn = gatepass_issuer::db::get(&state.pool).unwrap();
            notices::raise_due(&mut conn, at).unwrap()
        }
    };
    let run = |f: Box<dyn FnOnce() -> usize + Send>| async move {
        tokio::task::spawn_blocking(f).await.unwrap()
    };
    assert_eq!(
        run(Box::new(raise(t0))).await,
        0,
        "the first round starts the clock"
    );
    // 23 days on: the month token's 7-day notice; the 3-day token expired on the way (its
    // 1-day notice and its expiry, each once; no 7-day notice: it was born inside it).
    assert_eq!(run(Box::new(raise(exp - 7 * day + 60))).await, 3);
    assert_eq!(run(Box::new(raise(exp - 7 * day + 60))).await, 0, "once");
    assert_eq!(run(Box::new(raise(exp - 7 * day + 120))).await, 0);
    assert_eq!(run(Box::new(raise(exp - day + 60))).await, 1);
    assert_eq!(run(Box::new(raise(exp + 60))).await, 1);
    assert_eq!(run(Box::new(raise(exp + 30 * day))).await, 0);
    let count = |id: &str, action: &str| {
        app.number(&format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_events WHERE token_id = '{id}' AND action = '{action}'"))
    };
    assert_eq!(
        (
            count(&month, "token.expiring"),
            count(&month, "token.expired")
        ),
        (2, 1)
    );
    assert_eq!(
        (
            count(&short, "token.expiring"),
            count(&short, "token.expired")
        ),
        (1, 1)
    );
    assert_eq!(
        count(&revoked, "token.expiring") + count(&revoked, "token.expired"),
        0
    );

    // The clock moves a second per round: a token's next event is due once its earlier one is
    // answered, at the time of that answer.
    let mut round = 0;
    deliver_until(
        &app,
        &rx,
        || {
            round += 1;
            exp + 30 * day + round
        },
        |got| about(got, &month).len() + about(got, &short).len() >= 5,
    )
    .await;
    let got = rx.accepted();
    let said = |id: &str| -> Vec<(Value, Value)> {
        about(&got, id)
            .iter()
            .map(|r| {
                (
                    r.json()["type"].clone(),
                    r.json()["data"]["expires_in_days"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        said(&month),
        vec![
            (json!("token.expiring"), json!(7)),
            (json!("token.expiring"), json!(1)),
            (json!("token.expired"), Value::Null)
        ]
    );
    assert_eq!(
        said(&short),
        vec![
            (json!("token.expiring"), json!(1)),
            (json!("token.expired"), Value::Null)
        ]
    );
}

async fn two_replicas_deliver_each_event_once(backend: Backend) {
    let app = TestApp::new(backend);
    let replica = app.replica();
    let platform = app.platform_token();
    let rx = Receiver::start(0);
    let (hook, _) = register(
        &app,
        &platform,
        &rx.url,
        &["token.created", "token.revoked"],
        None,
    )
    .await;
    let ids = create_and_revoke(&app, "t", 15).await;

    // Both replicas run rounds at the same time until everything is out.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for state in [app.state.clone(), replica.state.clone()] {
        let stop = stop.clone();
        workers.push(std::thread::spawn(move || {
            let agent = deliver::agent(&deliver::Policy::of(&state.config));
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                worker::round(&state, &agent, now(), false).unwrap();
                std::thread::sleep(Duration::from_millis(10));
            }
        }));
    }
    // Until every event is in (a retry after a timeout under load may bring one twice).
    rx.wait_for(Duration::from_secs(120), |got| {
        let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len() >= 30
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let got = rx.all();
    let mut seen: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 30, "every event");
    // Each request the receiver got is an attempt the issuer recorded: no event went out twice
    // at once (a retry after a timeout under load is a recorded attempt of its own).
    let page = app
        .get(
            &format!("/v1/webhooks/{hook}/deliveries?limit=200"),
            &platform,
        )
        .await;
    for d in page.body["deliveries"].as_array().unwrap() {
        let received = got.iter().filter(|r| d["id"] == r.id.as_str()).count();
        assert_eq!(received, d["attempts"].as_array().unwrap().len(), "{d}");
    }
    for id in &ids {
        let types: Vec<Value> = about(&got, id)
            .iter()
            .map(|r| r.json()["type"].clone())
            .collect();
        assert_eq!(
            types,
            vec![json!("token.created"), json!("token.revoked")],
            "in order for {id}"
        );
    }
}

/// A failing endpoint with a backlog (a later event of each token waiting behind a failed
/// earlier one, more of them than a round looks at) does not hold up deliveries to others.
async fn a_failing_endpoint_does_not_hold_up_others(backend: Backend) {
    let app = TestApp::with(backend, |c| c.webhook_retry_secs = vec![3600]);
    let platform = app.platform_token();
    let down = Receiver::start(usize::MAX);
    let up = Receiver::start(0);
    for rx in [&down, &up] {
        register(
            &app,
            &platform,
            &rx.url,
            &["token.created", "token.revoked"],
            None,
        )
        .await;
    }
    create_and_revoke(&app, "b", 70).await;
    deliver_until(&app, &up, now, |got| got.len() >= 140).await;
    // 70 revocations now wait behind 70 failed creations on the failing endpoint; a new event
    // still reaches the healthy one.
    let (_, late) = app
        .create(json!({"name": "late", "scopes": ["user:read"]}))
        .await;
    deliver_until(&app, &up, now, |got| !about(got, &late).is_empty()).await;
    assert!(down.accepted().is_empty());
}

on_both_backends!(
    endpoints_are_managed_by_admins_of_their_reach,
    token_events_arrive_signed_in_order_without_secrets,
    a_failing_endpoint_gets_retries_with_the_same_id,
    expiry_notices_fire_once_per_threshold,
    two_replicas_deliver_each_event_once,
    a_failing_endpoint_does_not_hold_up_others,
);
