//! `GET /v1/audit-events` (tokens:admin): who created, revoked or rotated what, when.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;

use super::{page_after, page_limit, private_json};
use crate::auth::Auth;
use crate::db::{self, queries::audit as q};
use crate::problem::{responses, ApiError};
use crate::scopes::TOKENS_ADMIN;
use crate::state::{rfc3339, AppState};

/// Query of the call.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Newest first, cursor-paginated.
#[utoipa::path(get, operation_id = "listAuditEvents", path = "/v1/audit-events", tag = "tokens", security(("bearer" = [])), params(AuditQuery),
    description = "Who created, revoked or rotated what, when, from which token (needs tokens:admin).",
    responses((status = 200, description = "`{events: [...], next_cursor}`", body = Object), responses::Unauthorized, responses::Forbidden, responses::Invalid))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let caller = auth.require(TOKENS_ADMIN)?.clone();
    let limit = page_limit(query.limit)?;
    let after = page_after(query.cursor.as_deref())?;
    let rows = db::run(&state.pool, move |c| {
        q::page(c, Some(&caller.workspace), None, after, limit + 1).map_err(ApiError::from)
    })
    .await?;
    let (rows, next) = super::page_of(rows, limit, |r| super::encode_cursor(r.at, &r.id));
    let events: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "at": rfc3339(r.at), "action": r.action, "token_id": r.token_id,
                "actor_token": r.actor_token, "actor_subject": r.actor_subject,
                "detail": serde_json::from_str::<Value>(&r.detail).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(private_json(
        StatusCode::OK,
        json!({"events": events, "next_cursor": next}),
    ))
}
