//! `GET /.well-known/gatepass-configuration` and `GET /.well-known/jwks.json` (docs/protocol.md, "Discovery and keys").

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use crate::keys::etag_of;
use crate::state::AppState;

/// Discovery: everything an SDK needs, from the issuer URL alone.
#[utoipa::path(get, operation_id = "getConfiguration", path = "/.well-known/gatepass-configuration", tag = "discovery",
    responses((status = 200, description = "issuer, jwks_uri, status_lists_uri, status_stream_uri (the push channel), token_prefix, token_type, algorithms, status_list_ttl, scopes, presets", body = Object), (status = 304, description = "Not modified (If-None-Match)")))]
pub async fn configuration(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let c = &state.config;
    let scopes: Vec<_> = state
        .catalog
        .scopes()
        .iter()
        .map(|s| json!({"name": s.name, "description": s.description, "category": s.category, "implies": s.implies}))
        .collect();
    let presets: Vec<_> = state
        .catalog
        .presets()
        .iter()
        .map(|p| json!({"id": p.id, "label": p.label, "scopes": p.scopes}))
        .collect();
    let body = json!({
        "issuer": c.issuer_url,
        "jwks_uri": format!("{}/.well-known/jwks.json", c.issuer_url),
        "status_lists_uri": format!("{}/v1/status-lists", c.issuer_url),
        "status_stream_uri": format!("{}{}", c.issuer_url, crate::stream::sse::PATH),
        "token_prefix": c.token_prefix,
        "token_type": gatepass::TOKEN_TYPE,
        "algorithms": [c.algorithm.jose_name()],
        "status_list_ttl": c.status_list_ttl,
        "scopes": scopes,
        "presets": presets,
        "management_api": format!("{}/v1", c.issuer_url),
    })
    .to_string();
    super::cached(
        &headers,
        &etag_of(body.as_bytes()),
        c.status_list_ttl,
        "application/json",
        body,
    )
}

/// The JWKS: every key that can still verify a live token.
#[utoipa::path(get, operation_id = "getJwks", path = "/.well-known/jwks.json", tag = "discovery",
    responses((status = 200, description = "RFC 7517 key set; kid = RFC 7638 thumbprint", body = Object, content_type = "application/jwk-set+json"), (status = 304, description = "Not modified (If-None-Match)")))]
pub async fn jwks(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let jwks = std::sync::Arc::clone(&state.keys.load().jwks);
    super::cached(
        &headers,
        &jwks.etag,
        state.config.status_list_ttl,
        "application/jwk-set+json",
        jwks.json.clone(),
    )
}
