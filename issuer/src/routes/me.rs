//! `GET /v1/me`: who the presented token is (the "Test token" call). Needs no scope.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::auth::Auth;
use crate::db::{self, queries::tokens as q};
use crate::problem::ApiError;
use crate::state::{rfc3339, AppState};

/// The presented token's identity.
pub async fn me(State(state): State<AppState>, Auth(caller): Auth) -> Result<Response, ApiError> {
    let id = caller.token_id.clone();
    let row = db::run(&state.pool, move |c| q::get(c, &id).map_err(ApiError::from))
        .await?
        .ok_or_else(ApiError::unknown_token)?;
    Ok(super::private_json(
        StatusCode::OK,
        json!({
            "token_id": row.id,
            "name": row.name,
            "subject": caller.subject,
            "workspace": caller.workspace,
            "scopes": caller.scopes,
            "expires_at": row.expires_at.map(rfc3339),
        }),
    ))
}
