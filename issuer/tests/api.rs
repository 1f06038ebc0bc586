//! HTTP-level tests of every route, success and error, run once on SQLite and once on PostgreSQL.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::{json, Value};
use support::{claims_of, independent_status, Backend, TestApp};

fn problem_type(r: &support::Reply) -> &str {
    r.body["type"].as_str().unwrap_or("")
}

async fn discovery_jwks_and_status_lists(backend: Backend) {
    let app = TestApp::new(backend);
    let d = app
        .call("GET", "/.well-known/gatepass-configuration", None, None)
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body["issuer"], "http://issuer.test");
    assert_eq!(
        d.body["jwks_uri"],
        "http://issuer.test/.well-known/jwks.json"
    );
    assert_eq!(d.body["token_prefix"], "gp_");
    assert_eq!(d.body["token_type"], "gatepass+jwt");
    assert_eq!(
        d.body["status_stream_uri"],
        "http://issuer.test/v1/status-stream"
    );
    assert_eq!(
        d.body["status_list_ttl"], 60,
        "the default: the bound when push is down"
    );
    assert_eq!(d.body["algorithms"], json!(["EdDSA"]));
    assert!(d.body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "user:write" && s["implies"] == json!(["user:read"])));
    assert_eq!(d.body["presets"].as_array().unwrap().len(), 4);

    let j = app.call("GET", "/.well-known/jwks.json", None, None).await;
    assert_eq!(j.status, StatusCode::OK);
    let etag = j.headers["etag"].to_str().unwrap().to_owned();
    assert!(j.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=60"));
    let key = &j.body["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("OKP"), Some("EdDSA"), Some("sig"))
    );
    assert_eq!(
        key["kid"].as_str(),
        gatepass::jwk_thumbprint(key).as_deref(),
        "kid is the RFC 7638 thumbprint"
    );
    let again = app
        .call_with(
            "GET",
            "/.well-known/jwks.json",
            None,
            None,
            &[("If-None-Match", &etag)],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    let index = app.call("GET", "/v1/status-lists", None, None).await;
    assert_eq!(
        index.body["lists"],
        json!(["http://issuer.test/v1/status-lists/1"])
    );
    let list = app.call("GET", "/v1/status-lists/1", None, None).await;
    assert_eq!(list.headers["content-type"], "application/statuslist+jwt");
    let list_etag = list.headers["etag"].to_str().unwrap().to_owned();
    let cached = app
        .call_with(
            "GET",
            "/v1/status-lists/1",
            None,
            None,
            &[("If-None-Match", &list_etag)],
        )
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert_eq!(
        app.call("GET", "/v1/status-lists/9", None, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The served list passes the SDK's own checks (signature, typ, sub, encoding).
    gatepass::status_list::LoadedList::from_jwt(
        "http://issuer.test/v1/status-lists/1",
        list.text.as_bytes(),
        &gatepass::KeySet::from_json(j.text.as_bytes()).unwrap(),
    )
    .unwrap();
}

async fn me_and_authentication_errors(backend: Backend) {
    let app = TestApp::new(backend);
    let me = app.get("/v1/me", &app.admin).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        (me.body["subject"].as_str(), me.body["workspace"].as_str()),
        (Some("admin"), Some("default"))
    );
    assert_eq!(me.body["expires_at"], Value::Null);
    assert_eq!(me.body["name"], "Bootstrap admin token");

    let missing = app.call("GET", "/v1/me", None, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        missing.headers["www-authenticate"],
        "Bearer realm=\"gatepass\""
    );
    assert_eq!(missing.headers["content-type"], "application/problem+json");

    let garbage = app.get("/v1/me", "gp_not.a.token").await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
    let www = garbage.headers["www-authenticate"].to_str().unwrap();
    assert!(www.contains("error=\"invalid_token\""), "{www}");
    assert_eq!(problem_type(&garbage), "urn:gatepass:problem:invalid_token");
    assert_eq!(garbage.body["code"], "malformed");
    assert!(
        !garbage.text.contains("not.a.token"),
        "errors never echo the token"
    );

    let basic = app
        .call_with(
            "GET",
            "/v1/me",
            None,
            None,
            &[("Authorization", "Basic YTpi")],
        )
        .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.call("GET", "/nope", None, None).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn create_validates_and_enforces_scope_rules(backend: Backend) {
    let app = TestApp::new(backend);
    let (token, id) = app.create(json!({"name": "  CI deploy ", "scopes": ["user:write"], "expires_in_days": 30, "description": "deploys"})).await;
    let claims = claims_of(&token);
    assert_eq!(
        claims["scope"], "user:read user:write",
        "implications expanded"
    );
    assert_eq!(claims["jti"], id.as_str());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        30 * 86_400
    );
    let info = app.get(&format!("/v1/tokens/{id}"), &app.admin).await;
    assert_eq!(info.body["name"], "CI deploy");
    assert_eq!(info.body["status"], "active");
    assert_eq!(
        info.body["hint"],
        format!("gp_…{}", &token[token.len() - 4..])
    );
    assert!(
        info.body.get("token").is_none(),
        "the secret is never returned again"
    );

    let bad = app
        .post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "", "scopes": ["nope"], "expires_in_days": 0}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "scopes", "expires_in_days"]);
    let long = app
        .post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "x".repeat(101), "scopes": ["user:read"]}),
        )
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_field = app
        .post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "a", "scopes": ["user:read"], "expires": 3}),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::UNPROCESSABLE_ENTITY);
    let not_json = app
        .call_with(
            "POST",
            "/v1/tokens",
            Some(&app.admin.clone()),
            None,
            &[("Content-Type", "application/json")],
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);

    // A tokens:write token may mint only what it holds, only for its own subject.
    let (writer, _) = app
        .create(
            json!({"name": "writer", "scopes": ["tokens:write", "user:read"], "subject": "alice"}),
        )
        .await;
    let escalate = app
        .post(
            "/v1/tokens",
            &writer,
            json!({"name": "x", "scopes": ["admin:write"]}),
        )
        .await;
    assert_eq!(escalate.status, StatusCode::FORBIDDEN);
    assert!(escalate.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("insufficient_scope"));
    let other = app
        .post(
            "/v1/tokens",
            &writer,
            json!({"name": "x", "scopes": ["user:read"], "subject": "bob"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let (own, _) = app
        .create_as(&writer, json!({"name": "mine", "scopes": ["user:read"]}))
        .await;
    assert_eq!(claims_of(&own)["sub"], "alice");
    assert_eq!(claims_of(&own)["ws"], "default");
    let preset = app
        .post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "p", "preset": "admin-full"}),
        )
        .await;
    assert_eq!(
        preset.body["scopes"],
        json!(["admin:read", "admin:write"]),
        "the seed catalog: Admin (Full) is admin:write (with admin:read), no user scopes"
    );

    // Without tokens:write there is no creating at all.
    let (reader, _) = app
        .create(json!({"name": "reader", "scopes": ["user:read"]}))
        .await;
    let denied = app
        .post(
            "/v1/tokens",
            &reader,
            json!({"name": "x", "scopes": ["user:read"]}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        denied.headers["www-authenticate"],
        "Bearer realm=\"gatepass\", error=\"insufficient_scope\", scope=\"tokens:write\""
    );
}

async fn workspace_expiry_cap(backend: Backend) {
    let app = TestApp::with(backend, |c| {
        c.max_expiry_days.insert("default".into(), 90);
    });
    let never = app
        .post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "n", "scopes": ["user:read"]}),
        )
        .await;
    assert_eq!(never.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(never.text.contains("at most 90 days"), "{}", never.text);
    let long = app
        .post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "n", "scopes": ["user:read"], "expires_in_days": 365}),
        )
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.create(json!({"name": "n", "scopes": ["user:read"], "expires_in_days": 90}))
        .await;
    // The page learns the cap from the catalog, to offer only what the issuer accepts.
    let catalog = app.get("/v1/scopes", &app.admin).await;
    assert_eq!(catalog.body["max_expires_in_days"], 90);
}

/// A replica remembers a workspace's cap and mints without reading it; the statement that stores
/// the token checks it still holds. A cap another replica (or the CLI) changed holds from the
/// next mint on: lowered, a longer token is refused and nothing is stored; raised, it is allowed.
async fn a_cap_changed_elsewhere_holds_for_the_next_mint(backend: Backend) {
    let app = TestApp::new(backend);
    let create = |days: i64| {
        app.post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "n", "scopes": ["user:read"], "expires_in_days": days}),
        )
    };
    let tokens = || app.number("SELECT count(*) AS n FROM tokens");
    assert_eq!(create(90).await.status, StatusCode::CREATED, "no cap yet");
    assert_eq!(
        app.state.workspace_caps.get("default"),
        Some(None),
        "remembered"
    );

    // Lowered behind this replica's back: the remembered "no cap" no longer holds.
    app.sql("UPDATE workspaces SET max_expiry_days = 30 WHERE id = 'default'");
    let before = tokens();
    let refused = create(90).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    assert!(refused.text.contains("at most 30 days"), "{}", refused.text);
    assert_eq!(tokens(), before, "nothing stored");
    let (kept, _) = app
        .create(json!({"name": "n", "scopes": ["user:read"], "expires_in_days": 30}))
        .await;
    let claims = claims_of(&kept);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        30 * 86_400
    );

    // Lowered again while 30 is remembered: a 30-day mint must not be stored under 30.
    app.sql("UPDATE workspaces SET max_expiry_days = 7 WHERE id = 'default'");
    let before = tokens();
    assert_eq!(create(30).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(tokens(), before, "nothing stored");

    // Raised behind its back: a refusal by the remembered cap is decided again.
    app.sql("UPDATE workspaces SET max_expiry_days = 365 WHERE id = 'default'");
    assert_eq!(create(300).await.status, StatusCode::CREATED);
    assert_eq!(app.state.workspace_caps.get("default"), Some(Some(365)));
}

/// The management page: served from the binary with strict security headers, revalidated by
/// ETag, and its catalog call says when a workspace has no expiry cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_served_with_strict_security_headers() {
    let app = TestApp::new(Backend::Sqlite);
    let page = app.call("GET", "/", None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert!(page
        .text
        .contains("<script type=\"module\" src=\"assets/app.js\">"));
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert_eq!(page.headers["x-content-type-options"], "nosniff");

    let script = app.call("GET", "/assets/app.js", None, None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(
        script.headers["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(script.headers["cache-control"], "no-cache");
    assert_eq!(script.headers["content-security-policy"], csp);
    let etag = script.headers["etag"].to_str().unwrap().to_owned();
    let again = app
        .call_with(
            "GET",
            "/assets/app.js",
            None,
            None,
            &[("If-None-Match", &etag)],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.text.is_empty());

    let missing = app.call("GET", "/assets/../Cargo.toml", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let missing = app.call("GET", "/assets/nope.js", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.headers["content-type"], "application/problem+json");

    let catalog = app.get("/v1/scopes", &app.admin).await;
    assert_eq!(catalog.status, StatusCode::OK);
    assert!(catalog.body["max_expires_in_days"].is_null());
}

async fn listing_is_paginated_filtered_and_scoped(backend: Backend) {
    let app = TestApp::new(backend);
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            app.create(
                json!({"name": format!("t{i}"), "scopes": ["user:read"], "subject": "alice"}),
            )
            .await
            .1,
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/tokens?subject=alice&limit=3&cursor={c}"),
            None => "/v1/tokens?subject=alice&limit=3".into(),
        };
        let page = app.get(&path, &app.admin).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        seen.extend(
            page.body["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned()),
        );
        if seen.len() == 3 {
            // Tokens created while paging do not shift the pages after the cursor.
            app.create(json!({"name": "late", "scopes": ["user:read"], "subject": "alice"}))
                .await;
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids, "newest first, each exactly once");

    app.post(
        &format!("/v1/tokens/{}/revoke", ids[0]),
        &app.admin,
        json!({}),
    )
    .await;
    let revoked = app.get("/v1/tokens?status=revoked", &app.admin).await;
    assert_eq!(revoked.body["tokens"].as_array().unwrap().len(), 1);
    let active = app
        .get("/v1/tokens?status=active&subject=alice", &app.admin)
        .await;
    assert_eq!(active.body["tokens"].as_array().unwrap().len(), 7);
    assert_eq!(
        app.get("/v1/tokens?status=weird", &app.admin).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/v1/tokens?limit=201", &app.admin).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/v1/tokens?cursor=zzz", &app.admin).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Without tokens:admin a caller sees its own tokens only.
    let (bob, bob_id) = app
        .create(json!({"name": "bob", "scopes": ["tokens:read"], "subject": "bob"}))
        .await;
    let own = app.get("/v1/tokens", &bob).await;
    let listed: Vec<&str> = own.body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [bob_id.as_str()]);
    assert_eq!(
        app.get("/v1/tokens?subject=alice", &bob).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/v1/tokens/{}", ids[1]), &bob)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn revocation_is_immediate_idempotent_and_published(backend: Backend) {
    let app = TestApp::new(backend);
    let (token, id) = app
        .create(json!({"name": "r", "scopes": ["user:read"]}))
        .await;
    assert_eq!(app.get("/v1/me", &token).await.status, StatusCode::OK);
    let idx = claims_of(&token)["status"]["status_list"]["idx"]
        .as_u64()
        .unwrap();
    let before = app.call("GET", "/v1/status-lists/1", None, None).await;
    assert_eq!(independent_status(&before.text, idx), 0);

    let r = app
        .post(&format!("/v1/tokens/{id}/revoke"), &app.admin, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "revoked");
    let again = app
        .post(&format!("/v1/tokens/{id}/revoke"), &app.admin, json!({}))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.body["revoked_at"], r.body["revoked_at"],
        "revocation is final and idempotent"
    );

    let me = app.get("/v1/me", &token).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.body["code"], "revoked");
    assert!(me.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("revoked"));
    let after = app.call("GET", "/v1/status-lists/1", None, None).await;
    assert_ne!(after.headers["etag"], before.headers["etag"]);
    assert_eq!(
        independent_status(&after.text, idx),
        1,
        "the served list has the bit set"
    );
    assert_eq!(
        app.post("/v1/tokens/tok_missing/revoke", &app.admin, json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn batch_revoke_is_all_or_nothing(backend: Backend) {
    let app = TestApp::new(backend);
    let (a, a_id) = app
        .create(json!({"name": "a", "scopes": ["user:read"]}))
        .await;
    let (_, b_id) = app
        .create(json!({"name": "b", "scopes": ["user:read"]}))
        .await;
    let partial = app
        .post(
            "/v1/tokens/revoke",
            &app.admin,
            json!({"ids": [a_id, "tok_missing"]}),
        )
        .await;
    assert_eq!(partial.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/v1/me", &a).await.status,
        StatusCode::OK,
        "nothing was revoked"
    );
    assert_eq!(
        app.post("/v1/tokens/revoke", &app.admin, json!({"ids": []}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post(
            "/v1/tokens/revoke",
            &app.admin,
            json!({"ids": [a_id, a_id]})
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let too_many: Vec<String> = (0..1001).map(|i| format!("tok_{i}")).collect();
    assert_eq!(
        app.post("/v1/tokens/revoke", &app.admin, json!({"ids": too_many}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let ok = app
        .post(
            "/v1/tokens/revoke",
            &app.admin,
            json!({"ids": [a_id, b_id]}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["revoked"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/v1/me", &a).await.status, StatusCode::UNAUTHORIZED);
}

async fn rotation_renews_and_revokes(backend: Backend) {
    let app = TestApp::new(backend);
    let (old, old_id) = app.create(json!({"name": "svc", "description": "d", "scopes": ["user:write"], "expires_in_days": 90, "subject": "svc"})).await;
    let r = app
        .post(
            &format!("/v1/tokens/{old_id}/rotate"),
            &app.admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let new = r.body["token"].as_str().unwrap();
    assert_eq!(
        (
            r.body["name"].as_str(),
            r.body["description"].as_str(),
            r.body["subject"].as_str()
        ),
        (Some("svc"), Some("d"), Some("svc"))
    );
    assert_eq!(r.body["scopes"], json!(["user:read", "user:write"]));
    assert_eq!(r.body["rotated_from"], old_id.as_str());
    assert_eq!(r.body["previous"]["rotated_to"], r.body["id"]);
    assert_eq!(r.body["previous"]["status"], "revoked");
    let c = claims_of(new);
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        90 * 86_400,
        "same lifetime, from now"
    );
    assert_eq!(
        app.get("/v1/me", &old).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/v1/me", new).await.status, StatusCode::OK);
    let twice = app
        .post(
            &format!("/v1/tokens/{old_id}/rotate"),
            &app.admin,
            json!({}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // Never stays never.
    let (_, forever) = app
        .create(json!({"name": "forever", "scopes": ["user:read"]}))
        .await;
    let r = app
        .call(
            "POST",
            &format!("/v1/tokens/{forever}/rotate"),
            Some(&app.admin.clone()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "an empty body is fine");
    assert!(claims_of(r.body["token"].as_str().unwrap())
        .get("exp")
        .is_none());

    // Grace period: the old token keeps working until revokes_at.
    let (graced, graced_id) = app
        .create(json!({"name": "g", "scopes": ["user:read"], "expires_in_days": 1}))
        .await;
    let r = app
        .post(
            &format!("/v1/tokens/{graced_id}/rotate"),
            &app.admin,
            json!({"grace_period_seconds": 3600}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["previous"]["status"], "active");
    assert!(r.body["previous"]["revokes_at"].is_string());
    assert_eq!(app.get("/v1/me", &graced).await.status, StatusCode::OK);
    // When revokes_at passes, any replica's background sync carries it out.
    app.sql(&format!(
        "UPDATE tokens SET revokes_at = 1 WHERE id = '{graced_id}'"
    ));
    gatepass_issuer::sync::tick(&app.state).unwrap();
    assert_eq!(
        app.get("/v1/me", &graced).await.status,
        StatusCode::UNAUTHORIZED
    );
    let bad_grace = app
        .post(
            &format!("/v1/tokens/{forever}/rotate"),
            &app.admin,
            json!({"grace_period_seconds": 2_592_001}),
        )
        .await;
    assert_eq!(bad_grace.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Expired tokens can be renewed; revoked ones cannot be rotated.
    let (_, expired) = app
        .create(json!({"name": "e", "scopes": ["user:read"], "expires_in_days": 7}))
        .await;
    app.sql(&format!(
        "UPDATE tokens SET expires_at = 10 WHERE id = '{expired}'"
    ));
    let info = app.get(&format!("/v1/tokens/{expired}"), &app.admin).await;
    assert_eq!(info.body["status"], "expired");
    let renewed = app
        .post(
            &format!("/v1/tokens/{expired}/rotate"),
            &app.admin,
            json!({}),
        )
        .await;
    assert_eq!(renewed.status, StatusCode::CREATED);
    let (_, revoked) = app
        .create(json!({"name": "x", "scopes": ["user:read"]}))
        .await;
    app.post(
        &format!("/v1/tokens/{revoked}/revoke"),
        &app.admin,
        json!({}),
    )
    .await;
    let refused = app
        .post(
            &format!("/v1/tokens/{revoked}/rotate"),
            &app.admin,
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(problem_type(&refused), "urn:gatepass:problem:token_revoked");
}

async fn batch_rotate_is_all_or_nothing(backend: Backend) {
    let app = TestApp::new(backend);
    let (a, a_id) = app
        .create(json!({"name": "a", "scopes": ["user:read"]}))
        .await;
    let (_, b_id) = app
        .create(json!({"name": "b", "scopes": ["user:read"]}))
        .await;
    let (_, dead) = app
        .create(json!({"name": "dead", "scopes": ["user:read"]}))
        .await;
    app.post(&format!("/v1/tokens/{dead}/revoke"), &app.admin, json!({}))
        .await;
    let refused = app
        .post(
            "/v1/tokens/rotate",
            &app.admin,
            json!({"ids": [a_id, dead]}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(
        app.get("/v1/me", &a).await.status,
        StatusCode::OK,
        "nothing rotated"
    );
    let ok = app
        .post(
            "/v1/tokens/rotate",
            &app.admin,
            json!({"ids": [a_id, b_id]}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let rotated = ok.body["rotated"].as_array().unwrap();
    assert_eq!(rotated.len(), 2);
    for t in rotated {
        assert_eq!(
            app.get("/v1/me", t["token"].as_str().unwrap()).await.status,
            StatusCode::OK
        );
        // Each old token links to its own successor, not to another of the batch.
        let old = t["rotated_from"].as_str().unwrap();
        let old = app.get(&format!("/v1/tokens/{old}"), &app.admin).await;
        assert_eq!(old.body["rotated_to"], t["id"]);
        assert_eq!(old.body["name"], t["name"]);
    }
    assert_eq!(app.get("/v1/me", &a).await.status, StatusCode::UNAUTHORIZED);
}

async fn audit_usage_scopes_and_health(backend: Backend) {
    let app = TestApp::new(backend);
    let (t, id) = app
        .create(json!({"name": "audited", "scopes": ["user:read"]}))
        .await;
    app.post(&format!("/v1/tokens/{id}/revoke"), &app.admin, json!({}))
        .await;
    let events = app.get("/v1/audit-events?limit=2", &app.admin).await;
    assert_eq!(events.status, StatusCode::OK);
    let actions: Vec<&str> = events.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["token.revoked", "token.created"]);
    assert_eq!(events.body["events"][0]["actor_subject"], "admin");
    assert!(
        events.body["next_cursor"].is_string(),
        "the bootstrap event is on the next page"
    );
    let (reader, _) = app
        .create(json!({"name": "reader", "scopes": ["tokens:read"]}))
        .await;
    assert_eq!(
        app.get("/v1/audit-events", &reader).await.status,
        StatusCode::FORBIDDEN
    );
    drop(t);

    // Usage reports move last_used_at forward only, for the reporter's workspace.
    let (reporter, _) = app
        .create(json!({"name": "sdk", "scopes": ["usage:report"]}))
        .await;
    let (_, used) = app
        .create(json!({"name": "used", "scopes": ["user:read"]}))
        .await;
    let r = app.post("/v1/usage", &reporter, json!({"seen": [{"jti": used, "at": "2026-01-02T03:04:05Z"}, {"jti": "tok_unknown", "at": "2026-01-02T03:04:05Z"}]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["updated"], 1);
    app.post(
        "/v1/usage",
        &reporter,
        json!({"seen": [{"jti": used, "at": "2025-01-01T00:00:00Z"}]}),
    )
    .await;
    let info = app.get(&format!("/v1/tokens/{used}"), &app.admin).await;
    assert_eq!(info.body["last_used_at"], "2026-01-02T03:04:05Z");
    assert_eq!(
        app.post(
            "/v1/usage",
            &app.admin,
            json!({"seen": [{"jti": used, "at": "yesterday"}]})
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post("/v1/usage", &reader, json!({"seen": []}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Management calls move last_used_at too, in batches.
    let (caller, caller_id) = app
        .create(json!({"name": "caller", "scopes": ["user:read"]}))
        .await;
    app.get("/v1/me", &caller).await;
    let before = app
        .get(&format!("/v1/tokens/{caller_id}"), &app.admin)
        .await;
    assert_eq!(
        before.body["last_used_at"],
        Value::Null,
        "not written per request"
    );
    gatepass_issuer::sync::tick(&app.state).unwrap();
    let after = app
        .get(&format!("/v1/tokens/{caller_id}"), &app.admin)
        .await;
    assert!(after.body["last_used_at"].is_string());

    let scopes = app.get("/v1/scopes", &reader).await;
    assert_eq!(scopes.status, StatusCode::OK);
    assert!(scopes.body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "tokens:admin"));
    assert_eq!(
        app.call("GET", "/healthz", None, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("GET", "/readyz", None, None).await.status,
        StatusCode::OK
    );
}

async fn tokens_verify_with_an_independent_jose_library(backend: Backend) {
    let app = TestApp::with(backend, |c| c.audiences = vec!["api".into()]);
    let (token, _) = app
        .create(json!({"name": "interop", "scopes": ["user:read"], "expires_in_days": 1}))
        .await;
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_str(
        &app.call("GET", "/.well-known/jwks.json", None, None)
            .await
            .text,
    )
    .unwrap();
    let jws = token.strip_prefix("gp_").unwrap();
    let header = jsonwebtoken::decode_header(jws).unwrap();
    assert_eq!(header.typ.as_deref(), Some("gatepass+jwt"));
    let key =
        jsonwebtoken::DecodingKey::from_jwk(jwks.find(header.kid.as_deref().unwrap()).unwrap())
            .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_issuer(&["http://issuer.test"]);
    validation.set_audience(&["api"]);
    let data = jsonwebtoken::decode::<Value>(jws, &key, &validation).unwrap();
    assert_eq!(data.claims["aud"], "api");
    assert_eq!(
        app.get("/v1/me", &token).await.status,
        StatusCode::OK,
        "the issuer accepts its own audience-bound tokens"
    );
}

/// PostgreSQL goes away: readiness and the API say so with 503, while everything verifiers
/// need (JWKS, status lists) is still served from memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_down_is_503_and_verification_data_stays_up() {
    let app = TestApp::with(Backend::Postgres, |c| c.db_pool_size = 2);
    let (token, _) = app
        .create(json!({"name": "before", "scopes": ["user:read"], "expires_in_days": 1}))
        .await;
    app.drop_database();
    let ready = app.call("GET", "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    let create = app
        .post(
            "/v1/tokens",
            &app.admin,
            json!({"name": "x", "scopes": ["user:read"]}),
        )
        .await;
    assert_eq!(
        create.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        create.text
    );
    assert_eq!(
        problem_type(&create),
        "urn:gatepass:problem:storage_unavailable"
    );
    assert_eq!(
        app.call("GET", "/.well-known/jwks.json", None, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("GET", "/v1/status-lists/1", None, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("GET", "/healthz", None, None).await.status,
        StatusCode::OK
    );
    // The issuer's own verifier still answers: a bad token is still a 401, not a 503.
    assert_eq!(
        app.get("/v1/me", "gp_x.y.z").await.status,
        StatusCode::UNAUTHORIZED
    );
    drop(token);
}

async fn openapi_and_metrics(backend: Backend) {
    let app = TestApp::new(backend);
    app.create(json!({"name": "m", "scopes": ["user:read"]}))
        .await;
    let doc = app.call("GET", "/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(
        doc.body["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc.body["openapi"]
    );
    let paths = doc.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/.well-known/gatepass-configuration", "get"),
        ("/.well-known/jwks.json", "get"),
        ("/v1/status-lists", "get"),
        ("/v1/status-lists/{list}", "get"),
        ("/v1/me", "get"),
        ("/v1/tokens", "post"),
        ("/v1/tokens", "get"),
        ("/", "get"),
        ("/assets/{file}", "get"),
        ("/v1/tokens/revoke", "post"),
        ("/v1/tokens/rotate", "post"),
        ("/v1/tokens/{id}", "get"),
        ("/v1/tokens/{id}/revoke", "post"),
        ("/v1/tokens/{id}/rotate", "post"),
        ("/v1/scopes", "get"),
        ("/v1/audit-events", "get"),
        ("/v1/usage", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    // Every operation has an operationId, unique (OpenAPI requires it; client generators name
    // their functions by it and drop duplicates).
    let mut ids = std::collections::BTreeSet::new();
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let id = operation["operationId"].as_str();
            let id = id.unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
        }
    }
    let schemas = doc.body["components"]["schemas"].as_object().unwrap();
    for name in [
        "TokenInfo",
        "NewToken",
        "TokenPage",
        "CreateRequest",
        "RotateRequest",
        "RevokeRequest",
        "UsageReport",
        "Problem",
        "Me",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    assert_eq!(
        doc.body["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // Shared error answers are described as problem+json with the Problem schema.
    for (path, method, status) in [
        ("/v1/tokens", "post", "401"),
        ("/v1/tokens/{id}/rotate", "post", "409"),
        ("/v1/usage", "post", "422"),
    ] {
        let schema = &doc.body["paths"][path][method]["responses"][status]["content"]
            ["application/problem+json"]["schema"]["$ref"];
        assert_eq!(
            schema, "#/components/schemas/Problem",
            "{method} {path} {status}"
        );
    }

    let metrics = app.call("GET", "/metrics", None, None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.text.contains("gatepass_tokens_minted_total"),
        "{}",
        metrics.text
    );
    assert!(
        metrics.text.contains("route=\"/v1/tokens\""),
        "requests are labelled by route template"
    );
    assert!(metrics
        .text
        .contains("gatepass_http_request_duration_seconds_bucket"));
    assert!(
        !metrics.text.contains(&app.admin[3..20]),
        "no token in metrics"
    );
}

async fn the_next_list_is_published_before_the_current_one_fills(backend: Backend) {
    let app = TestApp::new(backend); // capacity 4096: the next list is made at half use (2048)
    app.sql("UPDATE status_lists SET used = 2047 WHERE id = '1'");
    app.forget_reserved_slots();
    let (first, _) = app
        .create(json!({"name": "half of list 1", "scopes": ["user:read"]}))
        .await;
    let list_of = |t: &str| {
        claims_of(t)["status"]["status_list"]["uri"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(list_of(&first).ends_with("/1"));
    let (still_first, _) = app
        .create(json!({"name": "list 2 is made now, but is too young", "scopes": ["user:read"]}))
        .await;
    assert!(
        list_of(&still_first).ends_with("/1"),
        "list 1 has room and every replica knows it"
    );
    let index = app.call("GET", "/v1/status-lists", None, None).await;
    assert_eq!(
        index.body["lists"],
        json!([
            "http://issuer.test/v1/status-lists/1",
            "http://issuer.test/v1/status-lists/2"
        ]),
        "listed before any token uses it"
    );
    app.sql("UPDATE status_lists SET used = capacity WHERE id = '1'");
    app.forget_reserved_slots();
    let (second, _) = app
        .create(json!({"name": "first in list 2", "scopes": ["user:read"]}))
        .await;
    assert!(list_of(&second).ends_with("/2"));
    assert_eq!(app.get("/v1/me", &second).await.status, StatusCode::OK);
}

/// A revocation rebuilds the lists it changed, reading only their rows (at 100 lists of a
/// million tokens, reading every list per revocation was most of its cost). A list another
/// replica changed is followed by the background sync.
async fn a_revocation_rebuilds_only_its_own_lists(backend: Backend) {
    let app = TestApp::new(backend);
    let (_, in_first) = app
        .create(json!({"name": "in list 1", "scopes": ["user:read"]}))
        .await;
    app.sql("UPDATE status_lists SET used = capacity WHERE id = '1'");
    app.forget_reserved_slots();
    let (second, in_second) = app
        .create(json!({"name": "in list 2", "scopes": ["user:read"]}))
        .await;
    let list = |t: &str| claims_of(t)["status"]["status_list"]["uri"].clone();
    assert_eq!(list(&second), "http://issuer.test/v1/status-lists/2");
    let served = |id: &str| app.state.lists.get(id).expect("served").version;
    let stored = |id: &str| {
        app.number(&format!(
            "SELECT version AS n FROM status_lists WHERE id = '{id}'"
        ))
    };
    // Another replica's change to list 1, not yet seen here.
    app.sql("UPDATE status_lists SET version = version + 1 WHERE id = '1'");
    let list_one_before = served("1");
    assert_eq!(stored("1"), list_one_before + 1);

    let r = app.revoke(&in_second).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(served("2"), stored("2"), "its own list is served at once");
    assert_eq!(
        app.get("/v1/me", &second).await.body["code"],
        "revoked",
        "and the issuer's own verifier has it"
    );
    assert_eq!(served("1"), list_one_before, "list 1 was not read");

    gatepass_issuer::sync::tick(&app.state).unwrap();
    assert_eq!(
        served("1"),
        stored("1"),
        "the background sync follows list 1"
    );
    // A revocation in list 1 rebuilds list 1 alone, too.
    let list_two = app.state.lists.get("2").unwrap();
    let r = app.revoke(&in_first).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(served("1"), stored("1"));
    assert!(
        std::sync::Arc::ptr_eq(&app.state.lists.get("2").unwrap(), &list_two),
        "list 2 was not rebuilt"
    );
}

/// After a revocation the list is rebuilt from the bits it held and the indexes the event log
/// names since (a few rows), not from every revoked token of the list; where the log lacks a
/// version it is read in full. Either way the bits equal a build from scratch.
async fn a_list_is_rebuilt_from_the_log_since_the_version_held(backend: Backend) {
    use gatepass_issuer::sync::{sync_lists, Lists};
    let app = TestApp::new(backend);
    let mut ids = Vec::new();
    for i in 0..6 {
        let (_, id) = app
            .create(json!({"name": format!("t{i}"), "scopes": ["user:read"]}))
            .await;
        ids.push(id);
    }
    let served_bits = || app.state.lists.get("1").unwrap().chunks.bits().to_vec();
    let from_scratch = || {
        let mut conn = gatepass_issuer::db::get(&app.state.pool).unwrap();
        let row = gatepass_issuer::db::queries::lists::get_many(&mut conn, &["1".to_owned()])
            .unwrap()
            .remove(0);
        let key = app.state.keys.load().signing(gatepass_issuer::state::now());
        let built = gatepass_issuer::status::build(
            &mut conn,
            &row,
            None,
            &key,
            &app.state.config.issuer_url,
            60,
            gatepass_issuer::state::now(),
        )
        .unwrap();
        built.chunks.bits().to_vec()
    };
    for id in &ids[..2] {
        assert_eq!(app.revoke(id).await.status, StatusCode::OK);
        assert_eq!(served_bits(), from_scratch());
    }
    // A revocation written behind the log's back (no event): the next rebuild, from the log,
    // does not see it, which shows it did not read the tokens...
    app.sql(&format!(
        "UPDATE tokens SET revoked_at = 1 WHERE id = '{}'",
        ids[2]
    ));
    assert_eq!(app.revoke(&ids[3]).await.status, StatusCode::OK);
    assert_ne!(served_bits(), from_scratch(), "built from the log alone");
    // ...and a re-signing at the same version reads the list in full, which reconciles.
    let mut conn = gatepass_issuer::db::get(&app.state.pool).unwrap();
    sync_lists(&app.state, &mut conn, Lists::All).unwrap();
    assert_eq!(served_bits(), from_scratch());
    // The log pruned of the list's versions: read in full.
    app.sql("DELETE FROM status_events WHERE list = '1'");
    assert_eq!(app.revoke(&ids[4]).await.status, StatusCode::OK);
    assert_eq!(served_bits(), from_scratch());
    assert_eq!(app.revoke(&ids[5]).await.status, StatusCode::OK);
    assert_eq!(served_bits(), from_scratch());
}

async fn signing_keys_rotate_by_age(backend: Backend) {
    let app = TestApp::with(backend, |c| c.key_rotation_days = 30.0);
    let (old_token, _) = app
        .create(json!({"name": "old", "scopes": ["user:read"]}))
        .await;
    gatepass_issuer::sync::tick(&app.state).unwrap();
    assert_eq!(app.state.keys.load().kids.len(), 1, "a young key is kept");
    app.sql("UPDATE signing_keys SET created_at = created_at - 31 * 86400, activates_at = activates_at - 31 * 86400");
    gatepass_issuer::sync::tick(&app.state).unwrap();
    let kid = |t: &str| {
        use base64::Engine as _;
        let h: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(t[3..].split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        h["kid"].as_str().unwrap().to_owned()
    };
    let ring = app.state.keys.load_full();
    assert_eq!(ring.kids.len(), 2, "the next key is published at once");
    let now = gatepass_issuer::state::now();
    let (next, activates_at) = ring.next(now).expect("a next key");
    let next_kid = next.kid().to_owned();
    let delay = app.state.config.key_activation_delay();
    assert!(
        (activates_at - now - delay).abs() <= 2,
        "{activates_at} {now} {delay}"
    );
    let jwks = app.call("GET", "/.well-known/jwks.json", None, None).await;
    assert!(jwks.text.contains(&next_kid), "in the JWKS before it signs");
    // ...but it signs nothing until its stored activation time.
    let (still_old, _) = app
        .create(json!({"name": "still old", "scopes": ["user:read"]}))
        .await;
    assert_eq!(kid(&still_old), kid(&old_token));
    // Every replica switches at that stored moment (here: moved into the past).
    app.sql(&format!(
        "UPDATE signing_keys SET activates_at = {} WHERE kid = '{next_kid}'",
        now - 1
    ));
    gatepass_issuer::sync::tick(&app.state).unwrap();
    let (new_token, _) = app
        .create(json!({"name": "new", "scopes": ["user:read"]}))
        .await;
    assert_eq!(kid(&new_token), next_kid);
    assert_eq!(app.get("/v1/me", &old_token).await.status, StatusCode::OK);
    assert_eq!(app.get("/v1/me", &new_token).await.status, StatusCode::OK);
}

/// The issuer refuses a token with the same bytes as every SDK helper (`gatepass::http`, which
/// the shared vectors hold the Python and Node helpers to): status, challenge and body.
async fn refusals_are_the_sdk_helpers_answer(backend: Backend) {
    let app = TestApp::new(backend);
    let none: [&str; 0] = [];
    let same = |r: &support::Reply, want: &gatepass::http::Rejection| {
        assert_eq!(r.status.as_u16(), want.status());
        assert_eq!(r.headers["www-authenticate"], want.www_authenticate());
        assert_eq!(r.headers["content-type"], gatepass::http::PROBLEM_JSON);
        assert_eq!(r.headers["cache-control"], "no-store");
        assert_eq!(r.text, want.body());
    };
    for header in [None, Some("Bearer"), Some("Bearer "), Some("Basic abc")] {
        let r = match header {
            None => app.call("GET", "/v1/me", None, None).await,
            Some(h) => {
                app.call_with("GET", "/v1/me", None, None, &[("Authorization", h)])
                    .await
            }
        };
        same(&r, &gatepass::http::Rejection::missing_token());
    }
    let (token, id) = app
        .create(json!({"name": "x", "scopes": ["user:read"]}))
        .await;
    app.post(&format!("/v1/tokens/{id}/revoke"), &app.admin, json!({}))
        .await;
    let jwks = app
        .call("GET", "/.well-known/jwks.json", None, None)
        .await
        .text;
    let list = app.call("GET", "/v1/status-lists/1", None, None).await.text;
    let verifier = gatepass::Verifier::offline("http://issuer.test", jwks.as_bytes())
        .status_list("http://issuer.test/v1/status-lists/1", list.as_bytes())
        .build()
        .unwrap();
    for presented in [
        token.clone(),
        format!("{token}x"),
        "gp_not.a.token".to_owned(),
    ] {
        let err = verifier.verify(&presented).unwrap_err();
        let r = app.get("/v1/me", &presented).await;
        same(&r, &gatepass::http::Rejection::for_error(&err, &none));
    }
}

on_both_backends!(
    the_next_list_is_published_before_the_current_one_fills,
    a_list_is_rebuilt_from_the_log_since_the_version_held,
    a_cap_changed_elsewhere_holds_for_the_next_mint,
    a_revocation_rebuilds_only_its_own_lists,
    signing_keys_rotate_by_age,
    openapi_and_metrics,
    discovery_jwks_and_status_lists,
    me_and_authentication_errors,
    create_validates_and_enforces_scope_rules,
    workspace_expiry_cap,
    listing_is_paginated_filtered_and_scoped,
    revocation_is_immediate_idempotent_and_published,
    batch_revoke_is_all_or_nothing,
    rotation_renews_and_revokes,
    batch_rotate_is_all_or_nothing,
    audit_usage_scopes_and_health,
    tokens_verify_with_an_independent_jose_library,
    refusals_are_the_sdk_helpers_answer,
);
