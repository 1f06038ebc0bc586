//! `POST /v1/tokens/revoke` and `POST /v1/tokens/rotate`: up to 1000 ids, all or nothing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::tokens::typed;
use super::ApiJson;
use crate::auth::Auth;
use crate::db;
use crate::problem::{responses, ApiError};
use crate::scopes::TOKENS_WRITE;
use crate::state::{now, AppState};
use crate::tokens::service;
use crate::tokens::view::{self, RevokedBatch, RotatedBatch};

/// The most ids one batch call takes.
pub const MAX_BATCH: usize = 1000;

/// Body of `POST /v1/tokens/revoke`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// 1 to 1000 distinct token ids.
    #[schema(min_items = 1, max_items = 1000)]
    ids: Vec<String>,
}

/// Body of `POST /v1/tokens/rotate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRotateRequest {
    /// 1 to 1000 distinct token ids.
    #[schema(min_items = 1, max_items = 1000)]
    ids: Vec<String>,
    /// Keep the old tokens working this long (0–2,592,000 s); default 0: revoke at once.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2_592_000)]
    grace_period_seconds: Option<u64>,
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
#[utoipa::path(post, operation_id = "revokeTokens", path = "/v1/tokens/revoke", tag = "tokens", security(("bearer" = [])), request_body = RevokeRequest,
    responses((status = 200, description = "All revoked", body = RevokedBatch), responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    check_ids(&req.ids)?;
    let s = state.clone();
    let rows = db::run(&state.pool, move |c| {
        service::revoke(&s, c, Some(&caller), &req.ids, &serde_json::json!({}))
    })
    .await?;
    let now = now();
    Ok(typed(
        StatusCode::OK,
        &RevokedBatch {
            revoked: rows.iter().map(|r| view::info(r, now)).collect(),
        },
    ))
}

/// Rotates every listed token, or none; returns every new secret once.
#[utoipa::path(post, operation_id = "rotateTokens", path = "/v1/tokens/rotate", tag = "tokens", security(("bearer" = [])), request_body = BatchRotateRequest,
    responses((status = 201, description = "All rotated", body = RotatedBatch), responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn rotate(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<BatchRotateRequest>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    let ids = req.ids;
    check_ids(&ids)?;
    let grace = req.grace_period_seconds.unwrap_or(0);
    let s = state.clone();
    let rotated = db::run(&state.pool, move |c| {
        service::rotate(&s, c, &caller, &ids, grace)
    })
    .await?;
    let now = now();
    Ok(typed(
        StatusCode::CREATED,
        &RotatedBatch {
            rotated: rotated.iter().map(|r| view::created(&r.new, now)).collect(),
        },
    ))
}
