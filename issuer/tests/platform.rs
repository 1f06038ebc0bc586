//! The platform API a product's backend uses: a platform credential (refused by product APIs,
//! useless for user tokens) provisions workspaces, idempotently, with audit events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{Backend, TestApp};

async fn the_platform_credential_provisions_and_nothing_else(backend: Backend) {
    let app = TestApp::new(backend);
    let platform = app.platform_token();

    // Product APIs refuse it: its audience is the platform's.
    let jwks = app
        .call("GET", "/.well-known/jwks.json", None, None)
        .await
        .text;
    let product = gatepass::Verifier::offline("http://issuer.test", jwks.as_bytes())
        .status_list(
            "http://issuer.test/v1/status-lists/1",
            app.call("GET", "/v1/status-lists/1", None, None)
                .await
                .text
                .as_bytes(),
        )
        .build()
        .unwrap();
    assert_eq!(
        product.verify(&platform).unwrap_err().code(),
        "wrong_audience"
    );
    assert!(product.verify(&app.admin).is_ok());
    // It cannot read or mint user tokens.
    for (method, path, body) in [
        ("GET", "/v1/tokens", None),
        (
            "POST",
            "/v1/tokens",
            Some(json!({"name": "x", "scopes": ["user:read"]})),
        ),
        ("GET", "/v1/audit-events", None),
    ] {
        let r = app.call(method, path, Some(&platform), body).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            r.text
        );
    }
    // And user tokens, even tokens:admin, cannot provision.
    let r = app
        .call("GET", "/v1/workspaces", Some(&app.admin), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("platform:admin"));

    // Create: 201, then the same again: 200 with the existing one; other settings: 409.
    let body = json!({"id": "ws_acme", "name": "Acme Inc.", "max_expires_in_days": 90});
    let created = app.post("/v1/workspaces", &platform, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["name"], "Acme Inc.");
    assert_eq!(created.body["max_expires_in_days"], 90);
    let again = app.post("/v1/workspaces", &platform, body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, created.body);
    let other = app
        .post(
            "/v1/workspaces",
            &platform,
            json!({"id": "ws_acme", "name": "Other"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::CONFLICT, "{}", other.text);
    // Concurrent creates of one id: one 201, the other 200, never an error.
    let (a, b) = tokio::join!(
        app.post("/v1/workspaces", &platform, json!({"id": "ws_race"})),
        app.post("/v1/workspaces", &platform, json!({"id": "ws_race"}))
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201], "{} / {}", a.text, b.text);

    // Validation.
    for (body, field) in [
        (json!({"id": "has space"}), "id"),
        (json!({"id": "*"}), "id"),
        (
            json!({"id": "ok", "max_expires_in_days": 0}),
            "max_expires_in_days",
        ),
        (json!({"id": "ok", "name": "\u{202E}evil"}), "name"),
    ] {
        let r = app.post("/v1/workspaces", &platform, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        assert_eq!(r.body["errors"][0]["field"], field, "{body}");
    }

    // Read, list (paged), update (absent stays, null clears).
    let one = app.get("/v1/workspaces/ws_acme", &platform).await;
    assert_eq!(one.body, created.body);
    assert_eq!(
        app.get("/v1/workspaces/nope", &platform).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/v1/workspaces/a%00b", &platform).await.status,
        StatusCode::NOT_FOUND
    );
    let page = app.get("/v1/workspaces?limit=2", &platform).await;
    let ids: Vec<&str> = page.body["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["default", "ws_acme"]);
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/v1/workspaces?limit=2&cursor={cursor}"),
            &platform,
        )
        .await;
    assert_eq!(rest.body["workspaces"][0]["id"], "ws_race");
    assert!(rest.body["next_cursor"].is_null());
    let patched = app
        .call(
            "PATCH",
            "/v1/workspaces/ws_acme",
            Some(&platform),
            Some(json!({"max_expires_in_days": null})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.body["name"], "Acme Inc.", "absent: unchanged");
    assert!(
        patched.body["max_expires_in_days"].is_null(),
        "null: cleared"
    );
    let bad = app
        .call(
            "PATCH",
            "/v1/workspaces/ws_acme",
            Some(&platform),
            Some(json!({"max_expires_in_days": "soon"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app
        .call(
            "PATCH",
            "/v1/workspaces/nope",
            Some(&platform),
            Some(json!({})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Audited, in the workspace's own trail.
    let events = app.number(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_events WHERE workspace = 'ws_acme' AND action IN ('workspace.created', 'workspace.updated')",
    );
    assert_eq!(events, 2);
}

on_both_backends!(the_platform_credential_provisions_and_nothing_else);
