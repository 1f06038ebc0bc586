//! `POST /v1/tokens/revoke` and `POST /v1/tokens/rotate`: up to 1000 ids, all or nothing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::tokens::{revoke_all, rotate_all, with_secret, RotateRequest};
use super::{private_json, ApiJson};
use crate::auth::Auth;
use crate::db;
use crate::problem::ApiError;
use crate::scopes::TOKENS_WRITE;
use crate::state::{now, AppState};
use crate::tokens::view;

/// The most ids one batch call takes.
pub const MAX_BATCH: usize = 1000;

/// Body of `POST /v1/tokens/revoke`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    ids: Vec<String>,
}

fn check_ids(ids: &[String]) -> Result<(), ApiError> {
    if ids.is_empty() || ids.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "ids",
            format!("give 1 to {MAX_BATCH} token ids (got {})", ids.len()),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(ApiError::invalid(
            "ids",
            format!("\"{dup}\" is listed twice"),
        ));
    }
    Ok(())
}

/// Revokes every listed token, or none (404 names the first id out of reach).
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    check_ids(&req.ids)?;
    let s = state.clone();
    let rows = db::run(&state.pool, move |c| revoke_all(&s, c, &caller, &req.ids)).await?;
    let now = now();
    Ok(private_json(
        StatusCode::OK,
        json!({"revoked": rows.iter().map(|r| view::info(r, now)).collect::<Vec<_>>()}),
    ))
}

/// Rotates every listed token, or none; returns every new secret once.
pub async fn rotate(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<RotateRequest>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    let ids = req.ids.clone().unwrap_or_default();
    check_ids(&ids)?;
    let grace = req.grace_period_seconds.unwrap_or(0);
    let s = state.clone();
    let rotated = db::run(&state.pool, move |c| {
        rotate_all(&s, c, &caller, &ids, grace)
    })
    .await?;
    let now = now();
    Ok(private_json(
        StatusCode::CREATED,
        json!({"rotated": rotated.iter().map(|(secret, row)| with_secret(secret, row, now)).collect::<Vec<_>>()}),
    ))
}
