//! `GET /v1/scopes`: the catalog and presets.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::db;
use crate::problem::{responses, ApiError};
use crate::state::AppState;

/// The catalog (any valid token may read it).
#[utoipa::path(get, path = "/v1/scopes", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, description = "Scopes (name, description, category, implies), presets (id, label, scopes) and max_expires_in_days, the caller's workspace cap on expires_in_days (null: none)", body = Object), responses::Unauthorized))]
pub async fn catalog(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<Value>, ApiError> {
    let s = state.clone();
    let cap = db::run(&state.pool, move |conn| {
        super::tokens::expiry_cap(&s, conn, &caller.workspace)
    })
    .await?;
    Ok(Json(json!({
        "scopes": state.catalog.scopes(),
        "presets": state.catalog.presets(),
        "max_expires_in_days": cap,
    })))
}
