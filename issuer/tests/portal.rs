//! Portal sessions: a product's backend sends its signed-in user to the token page without the
//! user holding a gatepass token: one-time code in the URL fragment, exchanged once for a short
//! session that works only on the management API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{Backend, TestApp};

const PRODUCT: &str = "https://app.product.example";

/// The portal's exchange call, as the page makes it: no credentials, just the code.
async fn exchange(app: &TestApp, code: &str) -> support::Reply {
    app.call(
        "POST",
        "/v1/portal-sessions/exchange",
        None,
        Some(json!({ "code": code })),
    )
    .await
}

fn code_of(url: &str) -> String {
    url.split_once("#portal=")
        .expect("a #portal= fragment")
        .1
        .to_owned()
}

async fn a_user_reaches_their_tokens_through_the_product(backend: Backend) {
    let app = TestApp::with(backend, |c| {
        c.portal_return_origins = vec![PRODUCT.into()];
        c.product_name = Some("Product".into());
    });
    let platform = app.platform_token();
    let ws = app
        .post("/v1/workspaces", &platform, json!({"id": "ws_42"}))
        .await;
    assert_eq!(ws.status, StatusCode::CREATED);
    let open = |subject: &str, role: &str| json!({"workspace": "ws_42", "subject": subject, "return_url": format!("{PRODUCT}/settings"), "role": role});
    let opened = app
        .post("/v1/portal-sessions", &platform, open("user_42", "member"))
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let url = opened.body["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://issuer.test/#portal="),
        "the code rides in the fragment: {url}"
    );
    let code = code_of(url);

    // The page exchanges the code, once.
    let session = exchange(&app, &code).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.text);
    assert_eq!(session.body["subject"], "user_42");
    assert_eq!(session.body["product_name"], "Product");
    assert_eq!(session.body["return_url"], format!("{PRODUCT}/settings"));
    let secret = session.body["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("gps_"));
    let again = exchange(&app, &code).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.body["type"], "urn:gatepass:problem:portal_code_used");
    let unknown = exchange(&app, "nope").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // The session manages user_42's tokens; what it creates may outlive it.
    let me = app.get("/v1/me", &secret).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["subject"], "user_42");
    let made = app
        .post(
            "/v1/tokens",
            &secret,
            json!({"name": "from the portal", "scopes": ["user:read"], "expires_in_days": 90}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.body["subject"], "user_42");
    assert_eq!(made.body["workspace"], "ws_42");
    assert!(
        made.body.get("expiry_capped_by").is_none(),
        "a session is no token: no creator cap"
    );
    let listed = app.get("/v1/tokens", &secret).await;
    assert_eq!(listed.body["tokens"].as_array().unwrap().len(), 1);
    // A member sees only their own tokens.
    let others = app.get("/v1/tokens?subject=user_7", &secret).await;
    assert_eq!(others.status, StatusCode::FORBIDDEN);
    // A session is not an API token: an SDK verifier refuses it.
    let jwks = app
        .call("GET", "/.well-known/jwks.json", None, None)
        .await
        .text;
    let product = gatepass::Verifier::offline("http://issuer.test", jwks.as_bytes())
        .build()
        .unwrap();
    assert_eq!(product.verify(&secret).unwrap_err().code(), "malformed");
    // Nor can it open sessions or provision.
    assert_eq!(
        app.post("/v1/portal-sessions", &secret, open("user_42", "member"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // An admin session sees every token of the workspace.
    let admin_code = code_of(
        app.post("/v1/portal-sessions", &platform, open("boss", "admin"))
            .await
            .body["url"]
            .as_str()
            .unwrap(),
    );
    let admin = exchange(&app, &admin_code).await;
    let admin_secret = admin.body["token"].as_str().unwrap();
    let all = app.get("/v1/tokens?subject=user_42", admin_secret).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.body["tokens"].as_array().unwrap().len(), 1);

    // Expired links and ended sessions.
    let late = code_of(
        app.post("/v1/portal-sessions", &platform, open("user_42", "member"))
            .await
            .body["url"]
            .as_str()
            .unwrap(),
    );
    app.sql("UPDATE portal_sessions SET code_expires_at = 0 WHERE exchanged_at IS NULL");
    let expired = exchange(&app, &late).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert_eq!(
        expired.body["type"],
        "urn:gatepass:problem:portal_code_expired"
    );
    app.sql("UPDATE portal_sessions SET expires_at = 0");
    let over = app.get("/v1/tokens", &secret).await;
    assert_eq!(over.status, StatusCode::UNAUTHORIZED);
    assert!(over.text.contains("ended"), "{}", over.text);

    // What a product may ask for.
    for (body, field) in [
        (
            json!({"workspace": "nope", "subject": "u", "return_url": format!("{PRODUCT}/")}),
            "workspace",
        ),
        (
            json!({"workspace": "ws_42", "subject": "u", "return_url": "https://evil.example/"}),
            "return_url",
        ),
        (
            json!({"workspace": "ws_42", "subject": "u", "return_url": "javascript:alert(1)"}),
            "return_url",
        ),
        (
            json!({"workspace": "ws_42", "subject": "u\u{0}", "return_url": format!("{PRODUCT}/")}),
            "subject",
        ),
        (
            json!({"workspace": "ws_42", "subject": "u", "return_url": format!("{PRODUCT}/"), "role": "owner"}),
            "role",
        ),
    ] {
        let r = app
            .post("/v1/portal-sessions", &platform, body.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        assert_eq!(r.body["errors"][0]["field"], field, "{body}");
    }
    // User tokens cannot open sessions.
    assert_eq!(
        app.post("/v1/portal-sessions", &app.admin, open("u", "member"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn a_code_is_exchanged_once_even_when_raced(backend: Backend) {
    let app = TestApp::with(backend, |c| c.portal_return_origins = vec![PRODUCT.into()]);
    let platform = app.platform_token();
    for _ in 0..10 {
        let opened = app
            .post(
                "/v1/portal-sessions",
                &platform,
                json!({"workspace": "default", "subject": "u", "return_url": PRODUCT}),
            )
            .await;
        let code = code_of(opened.body["url"].as_str().unwrap());
        let (a, b) = tokio::join!(exchange(&app, &code), exchange(&app, &code));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 410], "{} / {}", a.text, b.text);
    }
}

on_both_backends!(
    a_user_reaches_their_tokens_through_the_product,
    a_code_is_exchanged_once_even_when_raced,
);
