//! Rules and input hygiene found missing by review: a token never outlives its maker, rotation
//! honours the workspace cap, text fields are plain text, no input produces a 5xx, and every
//! error answer is problem+json (413, 415, 405 included).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::{json, Value};
use support::{Backend, Reply, TestApp};

fn is_problem(r: &Reply) {
    assert_eq!(
        r.headers.get("content-type").map(|v| v.to_str().unwrap()),
        Some("application/problem+json"),
        "{} {}",
        r.status,
        r.text
    );
    assert_eq!(
        r.body["status"].as_u64(),
        Some(u64::from(r.status.as_u16()))
    );
}

fn field_errors(r: &Reply) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn expires_at(body: &Value) -> i64 {
    let text = body["expires_at"].as_str().expect("an expiry");
    humantime::parse_rfc3339(text)
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn now() -> i64 {
    gatepass_issuer::state::now()
}

async fn a_token_never_outlives_its_maker(backend: Backend) {
    let app = TestApp::new(backend);
    let (short, short_id) = app
        .create(json!({"name": "one day", "scopes": ["user:read", "tokens:write"], "expires_in_days": 1}))
        .await;
    let maker_exp = app.get(&format!("/v1/tokens/{short_id}"), &app.admin).await;
    let maker_exp = expires_at(&maker_exp.body);
    let never = app
        .post(
            "/v1/tokens",
            &short,
            json!({"name": "forever", "scopes": ["user:read"]}),
        )
        .await;
    assert_eq!(
        never.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        never.text
    );
    assert_eq!(field_errors(&never), ["expires_in_days"]);
    assert!(never.text.contains("cannot outlive"), "{}", never.text);
    let longer = app
        .post(
            "/v1/tokens",
            &short,
            json!({"name": "two days", "scopes": ["user:read"], "expires_in_days": 2}),
        )
        .await;
    assert_eq!(longer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let same = app
        .post(
            "/v1/tokens",
            &short,
            json!({"name": "one day too", "scopes": ["user:read"], "expires_in_days": 1}),
        )
        .await;
    assert_eq!(same.status, StatusCode::CREATED, "{}", same.text);
    assert!(expires_at(&same.body) <= maker_exp, "outlives its maker");
    // The page learns the limit from /v1/scopes.
    let scopes = app.get("/v1/scopes", &short).await;
    assert_eq!(scopes.body["max_expires_in_days"], 1);
    assert_eq!(scopes.body["expiry_cap_reason"], "creator");
    // Rotating a never-expiring token with the short-lived one cuts the successor too.
    let (_, forever_id) = app
        .create(json!({"name": "forever", "scopes": ["user:read"]}))
        .await;
    app.sql(&format!(
        "UPDATE tokens SET subject = 'admin' WHERE id = '{forever_id}'"
    ));
    let short_admin = app
        .create(json!({"name": "short admin", "scopes": ["user:read", "tokens:admin"], "expires_in_days": 1}))
        .await
        .0;
    let rotated = app
        .post(
            &format!("/v1/tokens/{forever_id}/rotate"),
            &short_admin,
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::CREATED, "{}", rotated.text);
    assert_eq!(rotated.body["expiry_capped_by"], "creator");
    assert!(expires_at(&rotated.body) <= now() + 86_400 + 5);
    // What a token made can be found (and revoked) through created_by.
    let made = app
        .get(&format!("/v1/tokens?created_by={short_id}"), &app.admin)
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let ids: Vec<&str> = made.body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [same.body["id"].as_str().unwrap()]);
    let bad = app.get("/v1/tokens?created_by=nope", &app.admin).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn rotation_honours_the_workspace_cap(backend: Backend) {
    let app = TestApp::new(backend);
    let (_, id) = app
        .create(json!({"name": "forever", "scopes": ["user:read"]}))
        .await;
    app.sql("UPDATE workspaces SET max_expiry_days = 30 WHERE id = 'default'");
    let rotated = app
        .post(&format!("/v1/tokens/{id}/rotate"), &app.admin, json!({}))
        .await;
    assert_eq!(rotated.status, StatusCode::CREATED, "{}", rotated.text);
    assert_eq!(rotated.body["expiry_capped_by"], "workspace");
    let exp = expires_at(&rotated.body);
    assert!((now() + 30 * 86_400 - exp).abs() < 10, "{exp}");
    // A rotation within the cap says nothing.
    let again = app
        .post(
            &format!("/v1/tokens/{}/rotate", rotated.body["id"].as_str().unwrap()),
            &app.admin,
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert!(
        again.body.get("expiry_capped_by").is_none(),
        "{}",
        again.text
    );
}

async fn text_fields_are_plain_text_and_no_input_is_a_server_error(backend: Backend) {
    let app = TestApp::new(backend);
    for (body, field) in [
        (
            json!({"name": "nul\u{0}name", "scopes": ["user:read"]}),
            "name",
        ),
        (
            json!({"name": "\u{202E}txt.exe", "scopes": ["user:read"]}),
            "name",
        ),
        (
            json!({"name": "\u{200B}\u{200D} ", "scopes": ["user:read"]}),
            "name",
        ),
        (
            json!({"name": "ok", "description": "esc\u{1b}[31m", "scopes": ["user:read"]}),
            "description",
        ),
        (
            json!({"name": "ok", "subject": "bob\u{0}", "scopes": ["user:read"]}),
            "subject",
        ),
        (
            json!({"name": "ok", "subject": "\u{2066}bob", "scopes": ["user:read"]}),
            "subject",
        ),
    ] {
        let r = app.post("/v1/tokens", &app.admin, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        assert_eq!(field_errors(&r), [field], "{body}");
        is_problem(&r);
    }
    let multi_line = app
        .post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "ok", "description": "line one\nline two", "scopes": ["user:read"]}),
        )
        .await;
    assert_eq!(
        multi_line.status,
        StatusCode::CREATED,
        "{}",
        multi_line.text
    );
    let nul = "tok_%00AAAAAAAAAAAAAAAAAAAAAAAAA";
    for (method, path) in [
        ("GET", format!("/v1/tokens/{nul}")),
        ("POST", format!("/v1/tokens/{nul}/revoke")),
        ("POST", format!("/v1/tokens/{nul}/rotate")),
        ("GET", "/v1/tokens?subject=a%00b".to_owned()),
        ("GET", "/v1/tokens?cursor=MTIzOmEAYg".to_owned()),
        ("GET", "/v1/audit-events?cursor=MTIzOmEAYg".to_owned()),
    ] {
        let r = app.call(method, &path, Some(&app.admin), None).await;
        assert!(
            r.status.is_client_error(),
            "{method} {path}: {} {}",
            r.status,
            r.text
        );
        is_problem(&r);
    }
    let batch = app
        .post(
            "/v1/tokens/revoke",
            &app.admin,
            json!({"ids": ["tok_\u{0}"]}),
        )
        .await;
    assert_eq!(batch.status, StatusCode::NOT_FOUND, "{}", batch.text);
    let usage = app
        .post(
            "/v1/usage",
            &app.admin,
            json!({"seen": [{"jti": "tok_\u{0}x", "at": "2026-01-01T00:00:00Z"}]}),
        )
        .await;
    assert_eq!(usage.status, StatusCode::OK, "{}", usage.text);
    assert_eq!(usage.body["updated"], 0);
}

async fn usage_times_are_exactly_rfc3339(backend: Backend) {
    let app = TestApp::new(backend);
    let (_, id) = app
        .create(json!({"name": "used", "scopes": ["user:read"]}))
        .await;
    let report = |at: &str| json!({"seen": [{"jti": id, "at": at}]});
    let offset = app
        .post("/v1/usage", &app.admin, report("2026-01-01T01:00:00+01:00"))
        .await;
    assert_eq!(offset.status, StatusCode::OK, "{}", offset.text);
    assert_eq!(offset.body["updated"], 1);
    let info = app.get(&format!("/v1/tokens/{id}"), &app.admin).await;
    assert_eq!(info.body["last_used_at"], "2026-01-01T00:00:00Z");
    for loose in ["1971-01-01 00:00:00", "2026-01-01T00:00:00", "2026-01-01"] {
        let r = app.post("/v1/usage", &app.admin, report(loose)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{loose}: {}",
            r.text
        );
        assert_eq!(field_errors(&r), ["seen[0].at"]);
    }
}

async fn size_type_and_method_errors_are_problems(backend: Backend) {
    let app = TestApp::new(backend);
    let (_, id) = app
        .create(json!({"name": "target", "scopes": ["user:read"]}))
        .await;
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(2 << 20)).into_bytes();
    for path in [
        "/v1/tokens".to_owned(),
        format!("/v1/tokens/{id}/rotate"),
        "/v1/tokens/revoke".to_owned(),
    ] {
        let r = app
            .call_raw(
                "POST",
                &path,
                Some(&app.admin),
                Some("application/json"),
                huge.clone(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            r.text
        );
        is_problem(&r);
    }
    let body = br#"{"name": "x", "scopes": ["user:read"]}"#.to_vec();
    for content_type in [None, Some("text/plain")] {
        let r = app
            .call_raw(
                "POST",
                "/v1/tokens",
                Some(&app.admin),
                content_type,
                body.clone(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {}",
            r.text
        );
        is_problem(&r);
    }
    let rotate = format!("/v1/tokens/{id}/rotate");
    let r = app
        .call_raw(
            "POST",
            &rotate,
            Some(&app.admin),
            Some("text/plain"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.text);
    let r = app
        .call_raw(
            "POST",
            &rotate,
            Some(&app.admin),
            Some("application/json"),
            b"{".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    is_problem(&r);
    let r = app
        .call_raw("POST", &rotate, Some(&app.admin), None, Vec::new())
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "an empty body needs no type: {}",
        r.text
    );
    for (method, path) in [
        ("OPTIONS", "/v1/tokens"),
        ("DELETE", "/v1/tokens"),
        ("PUT", "/v1/me"),
    ] {
        let r = app.call(method, path, Some(&app.admin), None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        is_problem(&r);
        assert!(
            r.headers.get("allow").is_some(),
            "{method} {path} names what is allowed"
        );
    }
}

on_both_backends!(
    a_token_never_outlives_its_maker,
    rotation_honours_the_workspace_cap,
    text_fields_are_plain_text_and_no_input_is_a_server_error,
    usage_times_are_exactly_rfc3339,
    size_type_and_method_errors_are_problems,
);

/// A product may frame the page only from the origins the deployment names (`frame_ancestors`);
/// by default nobody may, in old browsers too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framing_is_refused_unless_the_deployment_allows_an_origin() {
    let closed = TestApp::new(Backend::Sqlite);
    let page = closed.call("GET", "/", None, None).await;
    let csp = page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers["x-frame-options"], "DENY");
    let open = TestApp::with(Backend::Sqlite, |c| {
        c.frame_ancestors = vec!["https://app.product.example".into()];
    });
    for path in ["/", "/assets/app.js"] {
        let r = open.call("GET", path, None, None).await;
        let csp = r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("frame-ancestors https://app.product.example;"),
            "{path}: {csp}"
        );
        assert!(
            r.headers.get("x-frame-options").is_none(),
            "X-Frame-Options cannot name origins"
        );
    }
}

/// Status lists, JWKS and discovery are served gzip-compressed to clients that ask (the SDKs
/// do), with their own ETag and `Vary: Accept-Encoding`; conditional requests still answer 304.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_documents_are_served_compressed_on_request() {
    use std::io::Read;
    let app = TestApp::new(Backend::Sqlite);
    for path in [
        "/v1/status-lists/1",
        "/.well-known/jwks.json",
        "/.well-known/gatepass-configuration",
        "/v1/status-lists",
    ] {
        let plain = app.call("GET", path, None, None).await;
        assert_eq!(plain.status, StatusCode::OK);
        assert!(plain.headers.get("content-encoding").is_none());
        // A status list also has two forms (JWT, CWT), chosen by `Accept`.
        let vary = if path == "/v1/status-lists/1" {
            "accept, accept-encoding"
        } else {
            "accept-encoding"
        };
        assert_eq!(plain.headers["vary"], vary);
        let gz = app
            .call_with(
                "GET",
                path,
                None,
                None,
                &[("Accept-Encoding", "br;q=0.9, gzip")],
            )
            .await;
        assert_eq!(gz.headers["content-encoding"], "gzip", "{path}");
        assert_eq!(gz.headers["vary"], vary);
        let etag = gz.headers["etag"].to_str().unwrap().to_owned();
        assert_ne!(
            etag,
            plain.headers["etag"].to_str().unwrap(),
            "another representation, another ETag"
        );
        let bytes = gz.bytes.clone();
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain.text, "{path}: the same document");
        for tag in [etag.as_str(), plain.headers["etag"].to_str().unwrap()] {
            let again = app
                .call_with(
                    "GET",
                    path,
                    None,
                    None,
                    &[("Accept-Encoding", "gzip"), ("If-None-Match", tag)],
                )
                .await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path} {tag}");
        }
        let refused = app
            .call_with(
                "GET",
                path,
                None,
                None,
                &[("Accept-Encoding", "gzip;q=0, identity")],
            )
            .await;
        assert!(
            refused.headers.get("content-encoding").is_none(),
            "q=0 refuses gzip"
        );
    }
}

/// A client that prefers `application/statuslist+cwt` (the SDKs do) gets the list as a signed
/// CWT: the same statuses as the JWT, about the size of the compressed bits, never gzipped,
/// with its own ETag; a JWT's ETag does not make a CWT request 304.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_are_served_as_cwt_on_request() {
    let app = TestApp::new(Backend::Sqlite);
    let (_, id) = app
        .create(json!({"name": "cwt", "scopes": ["user:read"]}))
        .await;
    let revoked = app
        .post(&format!("/v1/tokens/{id}/revoke"), &app.admin, json!({}))
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    let idx = app.number(&format!(
        "SELECT status_idx AS n FROM tokens WHERE id = '{id}'"
    )) as u64;
    let uri = "http://issuer.test/v1/status-lists/1";
    let path = "/v1/status-lists/1";
    let keys = gatepass::KeySet::from_json(
        app.call("GET", "/.well-known/jwks.json", None, None)
            .await
            .text
            .as_bytes(),
    )
    .unwrap();
    let jwt = app.call("GET", path, None, None).await;
    let sdk_accept = "application/statuslist+cwt, application/statuslist+jwt;q=0.9";
    let cwt = app
        .call_with(
            "GET",
            path,
            None,
            None,
            &[("Accept", sdk_accept), ("Accept-Encoding", "gzip")],
        )
        .await;
    assert_eq!(cwt.status, StatusCode::OK);
    assert_eq!(cwt.headers["content-type"], "application/statuslist+cwt");
    assert!(
        cwt.headers.get("content-encoding").is_none(),
        "zlib data is not gzipped again"
    );
    assert_eq!(cwt.headers["vary"], "accept, accept-encoding");
    let cwt_etag = cwt.headers["etag"].to_str().unwrap().to_owned();
    let jwt_etag = jwt.headers["etag"].to_str().unwrap().to_owned();
    assert_ne!(cwt_etag, jwt_etag);

    use gatepass::status_list::LoadedList;
    let from_cwt = LoadedList::from_cwt(uri, &cwt.bytes, &keys).unwrap();
    let from_jwt = LoadedList::from_jwt(uri, jwt.text.as_bytes(), &keys).unwrap();
    assert_eq!(from_cwt.list().as_bytes(), from_jwt.list().as_bytes());
    assert_eq!(
        from_cwt.list().get(idx),
        Some(1),
        "the revocation is in the CWT"
    );
    assert_eq!(from_cwt.version(), from_jwt.version());
    assert_eq!(from_cwt.issued_at(), from_jwt.issued_at());
    assert_eq!(from_cwt.expires_at(), from_jwt.expires_at());
    assert_eq!(from_cwt.ttl(), from_jwt.ttl());
    assert!(cwt.bytes.len() < jwt.bytes.len());
    // Signed for this URI only.
    assert!(
        LoadedList::from_cwt("http://issuer.test/v1/status-lists/2", &cwt.bytes, &keys).is_err()
    );
    // Any change to the signed bytes is refused.
    let mut tampered = cwt.bytes.to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(LoadedList::from_cwt(uri, &tampered, &keys).is_err());

    for (accept, etag, expect) in [
        (sdk_accept, cwt_etag.as_str(), StatusCode::NOT_MODIFIED),
        (sdk_accept, jwt_etag.as_str(), StatusCode::OK),
        (
            "application/statuslist+jwt",
            cwt_etag.as_str(),
            StatusCode::OK,
        ),
        (
            "application/statuslist+jwt",
            jwt_etag.as_str(),
            StatusCode::NOT_MODIFIED,
        ),
    ] {
        let again = app
            .call_with(
                "GET",
                path,
                None,
                None,
                &[("Accept", accept), ("If-None-Match", etag)],
            )
            .await;
        assert_eq!(
            again.status, expect,
            "Accept {accept}, If-None-Match {etag}"
        );
    }
    // Clients that do not ask for CWT keep getting the JWT.
    for accept in [
        "*/*",
        "application/json",
        "application/statuslist+jwt",
        "text/html",
    ] {
        let r = app
            .call_with("GET", path, None, None, &[("Accept", accept)])
            .await;
        assert_eq!(
            r.headers["content-type"], "application/statuslist+jwt",
            "{accept}"
        );
    }
}
