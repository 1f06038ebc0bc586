//! `/v1/tokens`: create, list, read, revoke and rotate one token.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use super::{decode_cursor, page_limit, private_json, ApiJson};
use crate::auth::Auth;
use crate::db::models::TokenRow;
use crate::db::queries::{tokens as q, workspaces as ws_q};
use crate::db::{self, DbConn};
use crate::problem::{responses, ApiError};
use crate::scopes::{TOKENS_READ, TOKENS_WRITE};
use crate::state::{now, AppState};
use crate::tokens::requests::{authorize, create_spec, CreateRequest};
use crate::tokens::view::{NewToken, TokenInfo, TokenPage};
use crate::tokens::{self, view, Caller, MintSpec};

/// The largest grace period of a rotation: 30 days.
pub const MAX_GRACE_SECONDS: u64 = 2_592_000;

/// The secret with its info: the only time the secret is shown.
pub fn with_secret(secret: &str, row: &TokenRow, now: i64) -> NewToken {
    NewToken {
        token: secret.to_owned(),
        info: view::info(row, now),
        previous: None,
    }
}

/// A JSON body of a typed answer, not cacheable.
pub fn typed<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    private_json(status, serde_json::to_value(body).unwrap_or(Value::Null))
}

/// The workspace's maximum expiry in days (configuration wins over the stored value).
pub fn expiry_cap(
    state: &AppState,
    conn: &mut DbConn,
    workspace: &str,
) -> Result<Option<i64>, ApiError> {
    if let Some(days) = state.config.max_expiry_days.get(workspace) {
        return Ok(Some(i64::from(*days)));
    }
    Ok(ws_q::get(conn, workspace)?.and_then(|w| w.max_expiry_days))
}

/// `POST /v1/tokens`.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", security(("bearer" = [])), request_body = CreateRequest,
    description = "Create a token (needs tokens:write). Only scopes the caller holds; another subject needs tokens:admin.",
    responses((status = 201, description = "The new token; the secret is shown this once", body = NewToken), responses::Unauthorized, responses::Forbidden, responses::Invalid))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateRequest>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    let s = state.clone();
    let (secret, row) = db::run(&state.pool, move |conn| {
        let cap = expiry_cap(&s, conn, &caller.workspace)?;
        let spec = create_spec(req, &caller, &s.catalog, cap)?;
        let key = std::sync::Arc::clone(&s.keys.load().active);
        crate::db::write_tx(conn, |c| {
            let now = now();
            let (secret, row) = tokens::mint(c, &s.config, &key, &spec, now)?;
            tokens::audit(
                c,
                &row.workspace,
                "token.created",
                Some(&row.id),
                Some(&caller),
                json!({"name": row.name, "scopes": row.scopes}),
                now,
            )?;
            Ok::<_, ApiError>((secret, row))
        })
    })
    .await?;
    Ok(typed(
        StatusCode::CREATED,
        &with_secret(&secret, &row, now()),
    ))
}

/// Query of `GET /v1/tokens`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// active, expired, revoked or all (default).
    status: Option<String>,
    /// Only this subject's tokens (others than one's own need tokens:admin).
    subject: Option<String>,
    /// Page size, 1–200 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// `GET /v1/tokens`: newest first, cursor-paginated.
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens", security(("bearer" = [])), params(ListQuery),
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
    let subject = match (query.subject, caller.is_admin()) {
        (Some(s), true) => Some(s),
        (Some(s), false) if s == caller.subject => Some(s),
        (Some(_), false) => return Err(ApiError::insufficient_scope(crate::scopes::TOKENS_ADMIN)),
        (None, true) => None,
        (None, false) => Some(caller.subject.clone()),
    };
    let limit = page_limit(query.limit)?;
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let rows = db::run(&state.pool, move |c| {
        q::page(
            c,
            &caller.workspace,
            subject.as_deref(),
            status,
            now(),
            after,
            limit + 1,
        )
        .map_err(ApiError::from)
    })
    .await?;
    let (rows, next) = super::page_of(rows, limit, |r| (r.created_at, r.id.as_str()));
    let now = now();
    Ok(typed(
        StatusCode::OK,
        &TokenPage {
            tokens: rows.iter().map(|r| view::info(r, now)).collect(),
            next_cursor: next,
        },
    ))
}

/// Loads a token the caller may see, or 404 (tokens out of reach are not revealed).
pub fn visible(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<TokenRow, ApiError> {
    q::get(conn, id)?
        .filter(|r| caller.can_see(r))
        .ok_or_else(|| ApiError::not_found(format!("no token \"{id}\" that you can see")))
}

/// `GET /v1/tokens/{id}`.
#[utoipa::path(get, path = "/v1/tokens/{id}", tag = "tokens", security(("bearer" = [])), params(("id" = String, Path, description = "Token id")),
    responses((status = 200, description = "Token info", body = TokenInfo), responses::Unauthorized, responses::Forbidden, responses::NotFound))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_READ)?.clone();
    let row = db::run(&state.pool, move |c| visible(c, &caller, &id)).await?;
    Ok(typed(StatusCode::OK, &view::info(&row, now())))
}

/// Revokes every id (all visible to `caller`, or nothing changes), then republishes the lists.
pub fn revoke_all(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
    ids: &[String],
) -> Result<Vec<TokenRow>, ApiError> {
    let rows = crate::db::write_tx(conn, |c| {
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            let row = visible(c, caller, id)?;
            tokens::revoke_in_tx(c, &row.id, &row.status_list, now(), Some(caller))?;
            rows.push(q::get(c, id)?.unwrap_or(row));
        }
        Ok::<_, ApiError>(rows)
    })?;
    publish(state, conn);
    Ok(rows)
}

/// Rebuilds changed lists right away, so this replica (and its own API) serves the change.
pub fn publish(state: &AppState, conn: &mut DbConn) {
    if let Err(e) = crate::sync::sync_lists(state, conn, false) {
        tracing::warn!(error = %e, "rebuilding status lists failed; the background sync will retry");
    }
}

/// `POST /v1/tokens/{id}/revoke`: idempotent; revocation is final.
#[utoipa::path(post, path = "/v1/tokens/{id}/revoke", tag = "tokens", security(("bearer" = [])), params(("id" = String, Path, description = "Token id")),
    responses((status = 200, description = "The revoked token", body = TokenInfo), responses::Unauthorized, responses::Forbidden, responses::NotFound))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    let s = state.clone();
    let rows = db::run(&state.pool, move |c| revoke_all(&s, c, &caller, &[id])).await?;
    Ok(typed(StatusCode::OK, &view::info(&rows[0], now())))
}

/// Body of the rotate calls.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    /// Keep the old token working this long (0–2,592,000 s); default 0: revoke at once.
    #[serde(default)]
    pub grace_period_seconds: Option<u64>,
    /// Batch only: the tokens to rotate.
    #[serde(default)]
    pub ids: Option<Vec<String>>,
}

/// Rotates every id in one transaction (all or nothing). Returns `(secret, new row)` pairs.
pub fn rotate_all(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
    ids: &[String],
    grace: u64,
) -> Result<Vec<(String, TokenRow)>, ApiError> {
    if grace > MAX_GRACE_SECONDS {
        return Err(ApiError::invalid(
            "grace_period_seconds",
            format!("must be 0 to {MAX_GRACE_SECONDS}"),
        ));
    }
    let key = std::sync::Arc::clone(&state.keys.load().active);
    let out = crate::db::write_tx(conn, |c| {
        let now = now();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let old = visible(c, caller, id)?;
            if old.revoked_at.is_some() {
                return Err(ApiError::conflict(
                    "token_revoked",
                    format!("token \"{id}\" is revoked; a revoked token cannot be rotated"),
                ));
            }
            if let Some(next) = &old.rotated_to {
                return Err(ApiError::conflict(
                    "token_rotated",
                    format!("token \"{id}\" was already rotated to \"{next}\""),
                ));
            }
            let scopes: Vec<String> = old
                .scopes
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            authorize(caller, &scopes, &old.subject)?;
            let spec = MintSpec {
                workspace: old.workspace.clone(),
                subject: old.subject.clone(),
                name: old.name.clone(),
                description: old.description.clone(),
                scopes,
                lifetime_secs: old.lifetime_secs,
                created_by: Some(caller.token_id.clone()),
                rotated_from: Some(old.id.clone()),
            };
            let (secret, new) = tokens::mint(c, &state.config, &key, &spec, now)?;
            q::set_rotated_to(c, &old.id, &new.id)?;
            if grace == 0 {
                tokens::revoke_in_tx(c, &old.id, &old.status_list, now, Some(caller))?;
            } else {
                q::schedule_revocation(c, &old.id, now + grace as i64)?;
            }
            crate::metrics::METRICS.rotated.inc();
            tokens::audit(
                c,
                &old.workspace,
                "token.rotated",
                Some(&old.id),
                Some(caller),
                json!({"new_token": new.id, "grace_period_seconds": grace}),
                now,
            )?;
            out.push((secret, new));
        }
        Ok::<_, ApiError>(out)
    })?;
    publish(state, conn);
    Ok(out)
}

/// `POST /v1/tokens/{id}/rotate`.
#[utoipa::path(post, path = "/v1/tokens/{id}/rotate", tag = "tokens", security(("bearer" = [])), params(("id" = String, Path, description = "Token id")),
    request_body(content = Option<RotateRequest>, description = "Optional; an empty body revokes the old token at once"),
    description = "A new token with the same name, description, subject, scopes and lifetime (from now); the old one is revoked now or after the grace period. Renews expired tokens; refuses revoked ones.",
    responses((status = 201, description = "The new token, and the old one's info in `previous`", body = NewToken), responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict, responses::Invalid))]
pub async fn rotate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let caller = auth.require(TOKENS_WRITE)?.clone();
    let req: RotateRequest = super::optional_json(&body)?;
    if req.ids.is_some() {
        return Err(ApiError::invalid(
            "ids",
            "belongs to POST /v1/tokens/rotate",
        ));
    }
    let s = state.clone();
    let (secret, row, old) = db::run(&state.pool, move |c| {
        let mut rotated = rotate_all(
            &s,
            c,
            &caller,
            std::slice::from_ref(&id),
            req.grace_period_seconds.unwrap_or(0),
        )?;
        let (secret, row) = rotated.remove(0);
        let old = q::get(c, &id)?;
        Ok::<_, ApiError>((secret, row, old))
    })
    .await?;
    let now = now();
    let mut body = with_secret(&secret, &row, now);
    body.previous = old.map(|o| view::info(&o, now));
    Ok(typed(StatusCode::CREATED, &body))
}
