//! `GET /v1/scopes`: the catalog and presets.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::db;
use crate::problem::{responses, ApiError};
use crate::state::{now, rfc3339, AppState};

/// The catalog (any valid token may read it).
#[utoipa::path(get, operation_id = "getScopes", path = "/v1/scopes", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, description = "Scopes (name, description, category, implies), presets (id, label, scopes); max_expires_in_days, the longest expiry the caller may choose (null: none), with expiry_cap_reason `workspace` (its cap) or `creator` (the caller's own token expires at token_expires_at)", body = Object), responses::Unauthorized))]
pub async fn catalog(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<Value>, ApiError> {
    let s = state.clone();
    let expires_at = caller.expires_at;
    let limits = db::run(&state.pool, move |conn| {
        crate::tokens::service::expiry_limits(&s, conn, &caller).map_err(ApiError::from)
    })
    .await?;
    let max = limits.max_days(now());
    Ok(Json(json!({
        "scopes": state.catalog.scopes(),
        "presets": state.catalog.presets(),
        "max_expires_in_days": max.map(|(days, _)| days),
        "expiry_cap_reason": max.map(|(_, by)| by),
        "token_expires_at": expires_at.map(rfc3339),
    })))
}
