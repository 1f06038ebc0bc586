//! `GET /v1/scopes`: the catalog and presets.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::problem::responses;
use crate::state::AppState;

/// The catalog (any valid token may read it).
#[utoipa::path(get, path = "/v1/scopes", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, description = "Scopes (name, description, category, implies) and presets (id, label, scopes)", body = Object), responses::Unauthorized))]
pub async fn catalog(State(state): State<AppState>, _auth: Auth) -> Json<Value> {
    Json(json!({
        "scopes": state.catalog.scopes(),
        "presets": state.catalog.presets(),
    }))
}
