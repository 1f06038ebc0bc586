//! `GET /v1/me`: who the presented token is (the "Test token" call). Needs no scope.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::Auth;
use crate::db::{self, queries::tokens as q};
use crate::problem::{responses, ApiError};
use crate::state::{rfc3339, AppState};
use crate::tokens::view::Me;

/// The presented token's identity.
#[utoipa::path(get, operation_id = "getMe", path = "/v1/me", tag = "tokens", security(("bearer" = [])), description = "Who the presented token is (the \"Test token\" call); needs no scope.",
    responses((status = 200, description = "The token's identity", body = Me), responses::Unauthorized))]
pub async fn me(State(state): State<AppState>, Auth(caller): Auth) -> Result<Response, ApiError> {
    if let Some(ends) = caller.session_expires_at {
        // A portal session: no token row to read.
        let me = Me {
            token_id: caller.token_id,
            name: "Token settings session".into(),
            subject: caller.subject,
            workspace: caller.workspace,
            scopes: caller.scopes,
            expires_at: Some(rfc3339(ends)),
        };
        return Ok(super::tokens::typed(StatusCode::OK, &me));
    }
    let (name, expires_at) = match state.me_cache.get(&caller.token_id) {
        Some(hit) => hit,
        None => {
            let id = caller.token_id.clone();
            let row = db::run(&state.pool, move |c| q::get(c, &id).map_err(ApiError::from))
                .await?
                .ok_or_else(ApiError::unknown_token)?;
            state
                .me_cache
                .insert(row.id, (row.name.clone(), row.expires_at));
            (row.name, row.expires_at)
        }
    };
    let me = Me {
        token_id: caller.token_id,
        name,
        subject: caller.subject,
        workspace: caller.workspace,
        scopes: caller.scopes,
        expires_at: expires_at.map(rfc3339),
    };
    Ok(super::tokens::typed(StatusCode::OK, &me))
}
