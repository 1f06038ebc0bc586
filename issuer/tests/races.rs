//! Correctness under concurrency: requests raced on real parallel connections (each request's
//! database work runs on its own pooled connection), repeated until the old defects showed.
//! PostgreSQL is where they showed; SQLite runs the same scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::{json, Value};
use support::{claims_of, Backend, TestApp};

const ROUNDS: usize = 20;

fn no_server_error(r: &support::Reply, what: &str) {
    assert!(r.status.as_u16() < 500, "{what}: {} {}", r.status, r.text);
}

async fn token(app: &TestApp, name: &str) -> (String, String) {
    app.create(json!({"name": name, "scopes": ["user:read"]}))
        .await
}

/// Two rotations of one token at once: one wins (201), the other is refused (409); the token
/// has exactly one successor.
async fn concurrent_rotations_have_one_winner(backend: Backend) {
    let app = TestApp::new(backend);
    for round in 0..ROUNDS {
        let (_, id) = token(&app, &format!("r{round}")).await;
        let path = format!("/v1/tokens/{id}/rotate");
        let (a, b) = tokio::join!(
            app.post(&path, &app.admin, json!({})),
            app.post(&path, &app.admin, json!({}))
        );
        no_server_error(&a, "rotation a");
        no_server_error(&b, "rotation b");
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [201, 409],
            "round {round}: {} / {}",
            a.text,
            b.text
        );
        let successors = app.number(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tokens WHERE rotated_from = '{id}'"
        ));
        assert_eq!(successors, 1, "round {round}: two live successors");
    }
}

/// A rotation racing a revocation: either the rotation came first (and revoked the old token
/// itself: the revocation changes nothing), or the revocation came first and the rotation is
/// refused. Never a successor of a token revoked before it was rotated, never a 500.
async fn rotation_racing_revocation_is_serialized(backend: Backend) {
    let app = TestApp::new(backend);
    for round in 0..ROUNDS {
        let (_, id) = token(&app, &format!("rr{round}")).await;
        let (rotate_path, revoke_path) = (
            format!("/v1/tokens/{id}/rotate"),
            format!("/v1/tokens/{id}/revoke"),
        );
        let (rotated, revoked) = tokio::join!(
            app.post(&rotate_path, &app.admin, json!({})),
            app.call("POST", &revoke_path, Some(&app.admin), None)
        );
        no_server_error(&rotated, "rotation");
        no_server_error(&revoked, "revocation");
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
        let revocations = app.number(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_events WHERE token_id = '{id}' AND action = 'token.revoked'"
        ));
        match rotated.status {
            StatusCode::CREATED => {
                assert_eq!(
                    revocations, 0,
                    "round {round}: rotated after it was revoked"
                );
                let new = rotated.body["token"].as_str().unwrap();
                assert_eq!(app.get("/v1/me", new).await.status, StatusCode::OK);
            }
            StatusCode::CONFLICT => {
                assert_eq!(revocations, 1, "round {round}");
                assert_eq!(
                    app.number(&format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tokens WHERE rotated_from = '{id}'")),
                    0,
                    "round {round}: a refused rotation left a successor"
                );
            }
            other => panic!("round {round}: rotation answered {other}: {}", rotated.text),
        }
    }
}

/// Batches that cross (revoke A, B, C while rotating C, B, A; single revokes and rotations
/// beside them) lock in one order: no deadlock ever reaches the client.
async fn crossing_batches_never_fail_with_a_server_error(backend: Backend) {
    let app = TestApp::new(backend);
    for round in 0..ROUNDS {
        let mut ids = Vec::new();
        for i in 0..4 {
            ids.push(token(&app, &format!("x{round}-{i}")).await.1);
        }
        let reversed: Vec<String> = ids.iter().rev().cloned().collect();
        let (revoke_path, rotate_path) = (
            format!("/v1/tokens/{}/revoke", ids[2]),
            format!("/v1/tokens/{}/rotate", ids[1]),
        );
        let (revoke, rotate, one_revoke, one_rotate) = tokio::join!(
            app.post("/v1/tokens/revoke", &app.admin, json!({"ids": ids})),
            app.post("/v1/tokens/rotate", &app.admin, json!({"ids": reversed})),
            app.call("POST", &revoke_path, Some(&app.admin), None),
            app.post(&rotate_path, &app.admin, json!({})),
        );
        for (r, what) in [
            (&revoke, "batch revoke"),
            (&rotate, "batch rotate"),
            (&one_revoke, "revoke"),
            (&one_rotate, "rotate"),
        ] {
            no_server_error(r, &format!("round {round} {what}"));
        }
        assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.text);
        // Every token ends revoked (by the batch or by its rotation); successors of a rotation
        // that won are alive.
        let live = app.number(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tokens WHERE id IN ('{}') AND revoked_at IS NULL",
            ids.join("','")
        ));
        assert_eq!(live, 0, "round {round}");
    }
}

/// At the smallest capacity, tokens minted in a burst from several clients only ever point at
/// lists this issuer already serves, and each works at once; `used` counts exactly the tokens
/// and the slots held in reserve.
async fn every_token_points_at_a_published_list(backend: Backend) {
    let app = TestApp::with(backend, |c| c.status_list_capacity = 1024);
    let streams = (0..4).map(|s| {
        let app = &app;
        async move {
            let mut lists = Vec::new();
            for i in 0..300 {
                let (secret, _) = token(app, &format!("burst {s}-{i}")).await;
                let uri = claims_of(&secret)["status"]["status_list"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let path = uri.trim_start_matches("http://issuer.test").to_owned();
                let list = app.call("GET", &path, None, None).await;
                assert_eq!(
                    list.status,
                    StatusCode::OK,
                    "{path} not served when {i} was minted"
                );
                let index = app.call("GET", "/v1/status-lists", None, None).await;
                assert!(
                    index.body["lists"]
                        .as_array()
                        .unwrap()
                        .contains(&Value::String(uri.clone())),
                    "{uri} not in the index"
                );
                let me = app.get("/v1/me", &secret).await;
                assert_eq!(me.status, StatusCode::OK, "{}", me.text);
                lists.push(path);
            }
            lists
        }
    });
    let all: Vec<String> = futures_join(streams).await.concat();
    assert!(
        all.iter().any(|p| p.ends_with("/2")),
        "1200 tokens span two lists"
    );
    let tokens = app.number("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tokens");
    let used = app.number("SELECT CAST(SUM(used) AS BIGINT) AS n FROM status_lists");
    let held = app.state.reserve.len() as i64;
    assert_eq!(
        used,
        tokens + held,
        "used counts exactly the tokens that exist and the slots this issuer holds in reserve"
    );
    let distinct = app.number(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT DISTINCT status_list, status_idx FROM tokens) AS t",
    );
    assert_eq!(distinct, tokens, "no index handed out twice");
}

async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.collect();
    let mut out = Vec::new();
    // Poll them together: join_all without the futures crate.
    let mut pinned: Vec<_> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, r) in pinned.iter_mut().zip(results.iter_mut()) {
            if r.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *r = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    for r in results {
        out.push(r.unwrap());
    }
    out
}

/// A token placed in a list one replica has just made is accepted by another replica at once
/// (it loads the list from the store on first sight).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_accepts_a_token_in_a_list_another_replica_just_made() {
    let a = TestApp::new(Backend::Postgres);
    let b = a.replica();
    a.sql("UPDATE status_lists SET used = capacity");
    // Nor does `a` hold slots it reserved in list 1 before.
    a.forget_reserved_slots();
    let (secret, _) = token(&a, "in a brand-new list").await;
    assert!(claims_of(&secret)["status"]["status_list"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("/2"));
    let me = b.get("/v1/me", &secret).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
}

on_both_backends!(
    concurrent_rotations_have_one_winner,
    rotation_racing_revocation_is_serialized,
    crossing_batches_never_fail_with_a_server_error,
    every_token_points_at_a_published_list,
);
