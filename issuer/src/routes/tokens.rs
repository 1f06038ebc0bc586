//! `/v1/tokens`: create, list, read, revoke and rotate one token. Handlers parse, call the
//! token service (`tokens::service`) and shape the answer.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use super::{page_after, page_limit, private_json, ApiJson, OptionalJson};
use crate::auth::Auth;
use crate::db;
use crate::db::queries::tokens as q;
use crate::problem::{responses, ApiError};
use crate::scopes::{TOKENS_READ, TOKENS_WRITE};
use crate::state::{now, AppState};
use crate::tokens::error::ServiceError;
use crate::tokens::requests::{create_spec, CreateRequest};
use crate::tokens::service;
use crate::tokens::text::is_plausible_id;
use crate::tokens::view::{self, NewToken, TokenInfo, TokenPage};

/// A JSON body of a typed answer, not cacheable.
pub fn typed<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    private_json(status, serde_json::to_value(body).unwrap_or(Value::Null))
}

/// `POST /v1/tokens`.
#[utoipa::path(post, operation_id = "createToken", path = "/v1/tokens", tag = "tokens", security(("bearer" = [])), request_body = CreateRequest,
    description = "Create a token (needs tokens:write). Only scopes the caller holds; another subject needs tokens:admin; never longer than the workspace cap or the caller's own expiry.",
    responses((status = 201, description = "The new token; the secret is shown this once", body = NewToken), responses::Unauthorized, responses::Forbidden, responses::Conflict, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateRequest>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    let s = state.clone();
    let created = db::run(&state.pool, move |conn| {
        let attempt = |conn: &mut db::DbConn, remember: bool| {
            let (limits, cap) = service::mint_limits(&s, conn, &caller, remember)?;
            let created =
                create_spec(req.clone(), &caller, &s.catalog, limits, now()).and_then(|spec| {
                    service::create(
                        &s,
                        conn,
                        Some(&caller),
                        &[spec],
                        &json!({}),
                        cap.seen.as_ref(),
                    )
                });
            Ok::<_, ServiceError>((created, cap.remembered))
        };
        match attempt(conn, true)? {
            // The cap remembered here was out of date (another replica changed it), or a
            // refusal may come from it: decide again with the stored cap.
            (Err(e), true) if may_follow_from_the_cap(&e) => attempt(conn, false)?.0,
            (result, _) => result,
        }
    })
    .await?;
    Ok(typed(
        StatusCode::CREATED,
        &view::created(&created[0], now()),
    ))
}

/// Whether a create refusal may come from a remembered workspace cap that is out of date.
fn may_follow_from_the_cap(e: &ServiceError) -> bool {
    match e {
        ServiceError::Invalid(_) => true,
        ServiceError::Conflict { code, .. } => *code == service::CAP_CHANGED,
        _ => false,
    }
}

/// Query of `GET /v1/tokens`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// active, expired, revoked or all (default).
    #[param(pattern = "^(active|expired|revoked|all)$")]
    status: Option<String>,
    /// Only this subject's tokens (others than one's own need tokens:admin).
    subject: Option<String>,
    /// Only tokens created by this token id (e.g. to revoke everything a leaked token made).
    #[param(pattern = "^tok_[0-9A-Z]{26}$")]
    created_by: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// `GET /v1/tokens`: newest first, cursor-paginated.
#[utoipa::path(get, operation_id = "listTokens", path = "/v1/tokens", tag = "tokens", security(("bearer" = [])), params(ListQuery),
    description = "List tokens (needs tokens:read): your own, or every token of the workspace with tokens:admin.",
    responses((status = 200, description = "A page of tokens", body = TokenPage), responses::Unauthorized, responses::Forbidden, responses::Invalid))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let caller = auth.require(TOKENS_READ)?.clone();
    let status = match query.status.as_deref().unwrap_or("all") {
        "active" => q::StatusFilter::Active,
        "expired" => q::StatusFilter::Expired,
        "revoked" => q::StatusFilter::Revoked,
        "all" => q::StatusFilter::All,
        _ => {
            return Err(ApiError::invalid(
                "status",
                "must be active, expired, revoked or all",
            ))
        }
    };
    if query
        .subject
        .as_deref()
        .is_some_and(|s| !is_plausible_id(s, 200))
    {
        return Err(ApiError::invalid(
            "subject",
            "must be 1 to 200 characters of plain text",
        ));
    }
    if query
        .created_by
        .as_deref()
        .is_some_and(|id| !service::is_token_id(id))
    {
        return Err(ApiError::invalid("created_by", "must be a token id"));
    }
    let subject = match (query.subject, caller.is_admin()) {
        (Some(s), true) => Some(s),
        (Some(s), false) if s == caller.subject => Some(s),
        (Some(_), false) => return Err(ApiError::insufficient_scope(crate::scopes::TOKENS_ADMIN)),
        (None, true) => None,
        (None, false) => Some(caller.subject.clone()),
    };
    let limit = page_limit(query.limit)?;
    let after = page_after(query.cursor.as_deref())?;
    let created_by = query.created_by;
    let rows = db::run(&state.pool, move |c| {
        q::page(
            c,
            &q::Filter {
                workspace: Some(&caller.workspace),
                subject: subject.as_deref(),
                created_by: created_by.as_deref(),
                status,
            },
            now(),
            after,
            limit + 1,
        )
        .map_err(ApiError::from)
    })
    .await?;
    let (rows, next) = super::page_of(rows, limit, |r| super::encode_cursor(r.created_at, &r.id));
    let now = now();
    Ok(typed(
        StatusCode::OK,
        &TokenPage {
            tokens: rows.iter().map(|r| view::info(r, now)).collect(),
            next_cursor: next,
        },
    ))
}

/// `GET /v1/tokens/{id}`.
#[utoipa::path(get, operation_id = "getToken", path = "/v1/tokens/{id}", tag = "tokens", security(("bearer" = [])), params(("id" = String, Path, description = "Token id")),
    responses((status = 200, description = "Token info", body = TokenInfo), responses::Unauthorized, responses::Forbidden, responses::NotFound))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_READ)?.clone();
    let row = db::run(&state.pool, move |c| service::visible(c, &caller, &id)).await?;
    Ok(typed(StatusCode::OK, &view::info(&row, now())))
}

/// `POST /v1/tokens/{id}/revoke`: idempotent; revocation is final.
#[utoipa::path(post, operation_id = "revokeToken", path = "/v1/tokens/{id}/revoke", tag = "tokens", security(("bearer" = [])), params(("id" = String, Path, description = "Token id")),
    description = "Revoke a token (needs tokens:write). Idempotent; tokens it created stay valid (list them with created_by to revoke them too).",
    responses((status = 200, description = "The revoked token", body = TokenInfo), responses::Unauthorized, responses::Forbidden, responses::NotFound))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    let s = state.clone();
    let rows = db::run(&state.pool, move |c| {
        service::revoke(&s, c, Some(&caller), &[id], &json!({}))
    })
    .await?;
    Ok(typed(StatusCode::OK, &view::info(&rows[0], now())))
}

/// Body of `POST /v1/tokens/{id}/rotate` (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    /// Keep the old token working this long (0–2,592,000 s); default 0: revoke at once.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2_592_000)]
    pub grace_period_seconds: Option<u64>,
}

/// `POST /v1/tokens/{id}/rotate`.
#[utoipa::path(post, operation_id = "rotateToken", path = "/v1/tokens/{id}/rotate", tag = "tokens", security(("bearer" = [])), params(("id" = String, Path, description = "Token id")),
    request_body(content = Option<RotateRequest>, description = "Optional; an empty body revokes the old token at once"),
    description = "A new token with the same name, description, subject, scopes and lifetime (from now, cut to the workspace cap and the caller's expiry); the old one is revoked now or after the grace period. Renews expired tokens; refuses revoked ones.",
    responses((status = 201, description = "The new token, and the old one's info in `previous`", body = NewToken), responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn rotate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    OptionalJson(req): OptionalJson<RotateRequest>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    let s = state.clone();
    let grace = req.grace_period_seconds.unwrap_or(0);
    let mut rotated = db::run(&state.pool, move |c| {
        service::rotate(&s, c, &caller, std::slice::from_ref(&id), grace)
    })
    .await?;
    let one = rotated.remove(0);
    let now = now();
    let mut body = view::created(&one.new, now);
    body.previous = Some(view::info(&one.old, now));
    Ok(typed(StatusCode::CREATED, &body))
}
