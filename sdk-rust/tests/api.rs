//! The offline API beyond the vectors: the cache never skips expiry or revocation, options
//! behave as documented, and nothing prints a token.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use gatepass::clock::ManualClock;
use gatepass::{ErrorCode, Verifier};
use serde_json::Value;

fn case(name: &str) -> Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    for file in std::fs::read_dir(dir).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        if let Some(c) = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
        {
            return c.clone();
        }
    }
    panic!("no vector {name}");
}

fn offline(c: &Value, clock: Arc<ManualClock>, cache: usize) -> Verifier {
    let mut b = Verifier::offline(c["issuer"].as_str().unwrap(), c["jwks"].as_str().unwrap())
        .clock(clock)
        .cache_size(cache);
    for (uri, jwt) in c["status_lists"].as_object().unwrap() {
        b = b.status_list(uri, jwt.as_str().unwrap());
    }
    b.build().unwrap()
}

#[test]
fn a_cached_token_still_expires() {
    let c = case("eddsa_valid");
    let clock = Arc::new(ManualClock::new(c["now"].as_i64().unwrap()));
    let v = offline(&c, Arc::clone(&clock), 100);
    let token = c["token"].as_str().unwrap();
    let exp = v.verify(token).unwrap().expires_at().unwrap();
    clock.set(exp + 61);
    assert_eq!(v.verify(token).unwrap_err().kind(), ErrorCode::Expired);
}

#[test]
fn a_cached_token_still_needs_a_live_status_list() {
    // The list of these vectors expires an hour after "now"; this token never does.
    let c = case("never_expires");
    let clock = Arc::new(ManualClock::new(c["now"].as_i64().unwrap()));
    let v = offline(&c, Arc::clone(&clock), 100);
    let token = c["token"].as_str().unwrap();
    v.verify(token).unwrap();
    clock.advance(3600 + 61);
    assert_eq!(v.verify(token).unwrap_err().code(), "status_unavailable");
}

#[test]
fn cache_off_and_on_agree_on_every_outcome() {
    for name in [
        "eddsa_valid",
        "status_revoked",
        "require_missing_scope",
        "eddsa_s_plus_l",
        "exp_past_leeway",
    ] {
        let c = case(name);
        let clock = Arc::new(ManualClock::new(c["now"].as_i64().unwrap()));
        let (off, on) = (offline(&c, Arc::clone(&clock), 0), offline(&c, clock, 10));
        let token = c["token"].as_str().unwrap();
        for _ in 0..3 {
            assert_eq!(
                off.verify(token).map(|c| c.token_id().to_owned()),
                on.verify(token).map(|c| c.token_id().to_owned()),
                "{name}"
            );
        }
    }
}

#[test]
fn require_accepts_owned_and_borrowed_scopes() {
    let c = case("eddsa_valid");
    let v = offline(
        &c,
        Arc::new(ManualClock::new(c["now"].as_i64().unwrap())),
        10,
    );
    let token = c["token"].as_str().unwrap();
    let owned = vec![String::from("user:read")];
    assert!(v.require(token, &owned, Some("acme")).is_ok());
    assert!(v.require::<&str>(token, &[], None).is_ok());
}

#[test]
fn errors_and_debug_output_never_show_the_token() {
    let c = case("eddsa_flipped_bit");
    let v = offline(
        &c,
        Arc::new(ManualClock::new(c["now"].as_i64().unwrap())),
        10,
    );
    let token = c["token"].as_str().unwrap();
    let err = v.verify(token).unwrap_err();
    let texts = [err.to_string(), format!("{err:?}"), format!("{v:?}")];
    for text in texts {
        for part in token.trim_start_matches("gp_").split('.') {
            assert!(!text.contains(part), "{text}");
        }
    }
    let ok = case("eddsa_valid");
    let v = offline(
        &ok,
        Arc::new(ManualClock::new(ok["now"].as_i64().unwrap())),
        10,
    );
    let claims = v.verify(ok["token"].as_str().unwrap()).unwrap();
    assert!(format!("{claims:?}").contains("user_42"));
    assert!(
        !format!("{claims:?}").contains(ok["token"].as_str().unwrap().split('.').nth(1).unwrap())
    );
}

#[test]
fn introspection_and_offline_refresh() {
    let c = case("eddsa_valid");
    let v = offline(&c, Arc::new(ManualClock::new(0)), 10);
    assert_eq!(v.issuer(), "https://issuer.example");
    assert_eq!(v.key_ids().len(), 2);
    assert_eq!(
        v.status_list_uris(),
        ["https://issuer.example/v1/status-lists/1"]
    );
    v.refresh(Duration::from_millis(1)).unwrap();
    v.close();
    assert_eq!(gatepass::MAX_TOKEN_BYTES, 8192);
}

#[test]
fn the_same_uri_twice_is_a_configuration_error() {
    let c = case("eddsa_valid");
    let (uri, jwt) = c["status_lists"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let err = Verifier::offline("https://issuer.example", c["jwks"].as_str().unwrap())
        .status_list(uri, jwt.as_str().unwrap())
        .status_list(uri, jwt.as_str().unwrap())
        .build()
        .unwrap_err();
    assert!(err.message().contains("twice"), "{err}");
}

/// An independent JOSE implementation (jsonwebtoken) accepts every token the vectors call
/// valid — so the tokens really are standard JWS, checkable against the JWKS.
#[test]
fn valid_vector_tokens_verify_with_jsonwebtoken() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut checked = 0;
    for file in std::fs::read_dir(dir).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for c in doc["cases"].as_array().unwrap() {
            if c["expect"].get("claims").is_none() || c["options"]["prefix"] != "gp_" {
                continue;
            }
            if c["name"] == "eddsa_header_named_ed25519" {
                continue; // jsonwebtoken does not know RFC 9864's "Ed25519" name
            }
            let token = c["token"].as_str().unwrap().trim_start_matches("gp_");
            let header = jsonwebtoken::decode_header(token).unwrap();
            let jwks: jsonwebtoken::jwk::JwkSet =
                serde_json::from_str(c["jwks"].as_str().unwrap()).unwrap();
            let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
            let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
            let mut validation = jsonwebtoken::Validation::new(header.alg);
            validation.validate_exp = false;
            validation.validate_aud = false;
            validation.required_spec_claims.clear();
            jsonwebtoken::decode::<Value>(token, &key, &validation)
                .unwrap_or_else(|e| panic!("{}: {e}", c["name"]));
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} tokens checked");
}

#[test]
fn lists_and_keys_can_be_updated_in_place() {
    let c = case("eddsa_valid");
    let (uri, jwt) = c["status_lists"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let jwks: Value = serde_json::from_str(c["jwks"].as_str().unwrap()).unwrap();
    let v = Verifier::offline("https://issuer.example", c["jwks"].as_str().unwrap())
        .clock(ManualClock::new(c["now"].as_i64().unwrap()))
        .build()
        .unwrap();
    let token = c["token"].as_str().unwrap();
    assert_eq!(v.verify(token).unwrap_err().code(), "status_unavailable");
    assert!(v.update_status_list(uri, "garbage").is_err());
    v.update_status_list(uri, jwt.as_str().unwrap()).unwrap();
    assert!(v.verify(token).is_ok());
    // Drop the Ed25519 key: the cached token must stop verifying at once.
    let es_only = serde_json::json!({"keys": [jwks["keys"][1]]}).to_string();
    assert!(v.update_jwks("not json").is_err());
    assert!(v.verify(token).is_ok(), "a failed update changes nothing");
    v.update_jwks(es_only).unwrap();
    assert_eq!(v.verify(token).unwrap_err().code(), "unsupported_algorithm");
}
