//! The example service over an offline verifier built from the shared example data: 200 with
//! the scope, 401 and 403 answers shaped exactly as docs/api.md ("Errors") describes.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

fn service() -> (axum::Router, String) {
    let (jwks, uri, list, token) = gatepass::doc_example();
    let verifier = gatepass::Verifier::offline("https://issuer.example", jwks)
        .status_list(uri, list)
        .build()
        .unwrap();
    (gatepass_example_axum::app(verifier), token)
}

async fn call(
    app: &axum::Router,
    method: &str,
    auth: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut request = Request::builder().method(method).uri("/notes");
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    let request = match body {
        Some(b) => request
            .header("Content-Type", "application/json")
            .body(Body::from(b.to_owned())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn read_and_write_with_the_scopes() {
    let (app, token) = service();
    let bearer = format!("Bearer {token}");
    let (status, _, body) = call(&app, "POST", Some(&bearer), Some("\"hello\"")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = call(&app, "GET", Some(&bearer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"], "user_42");
    assert_eq!(body["workspace"], "acme");
    assert_eq!(body["notes"], serde_json::json!(["user_42: hello"]));
}

#[tokio::test]
async fn a_missing_scope_is_403_insufficient_scope() {
    let (app, token) = service();
    let (status, headers, body) =
        call(&app, "DELETE", Some(&format!("Bearer {token}")), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let www = headers["www-authenticate"].to_str().unwrap();
    assert!(
        www.starts_with("Bearer realm=\"gatepass\", error=\"insufficient_scope\""),
        "{www}"
    );
    assert!(www.ends_with("scope=\"admin:write\""), "{www}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["type"], "urn:gatepass:problem:insufficient_scope");
    assert_eq!(body["code"], "insufficient_scope");
}

#[tokio::test]
async fn no_or_bad_token_is_401() {
    let (app, token) = service();
    let (status, headers, body) = call(&app, "GET", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["www-authenticate"], "Bearer realm=\"gatepass\"");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["type"], "urn:gatepass:problem:missing_token");

    let (status, _, _) = call(&app, "GET", Some(&format!("Basic {token}")), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // One changed character in the middle of the signature (the last one could leave
    // non-canonical base64url, which is `malformed` instead).
    let at = token.len() - 20;
    let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
    let (status, headers, body) = call(&app, "GET", Some(&format!("Bearer {forged}")), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let www = headers["www-authenticate"].to_str().unwrap();
    assert!(
        www.starts_with("Bearer realm=\"gatepass\", error=\"invalid_token\""),
        "{www}"
    );
    assert_eq!(body["code"], "bad_signature");
    assert!(
        !body.to_string().contains(&forged),
        "errors never echo the token"
    );
}
