//! `/v1/workspaces` (platform API, scope `platform:admin`): a product's backend provisions a
//! workspace per customer. Handlers parse, call `crate::workspaces` and shape the answer.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::tokens::typed;
use super::{page_limit, ApiJson};
use crate::auth::Auth;
use crate::db::{self, queries::workspaces as q};
use crate::problem::{responses, ApiError};
use crate::scopes::PLATFORM_ADMIN;
use crate::state::{now, AppState};
use crate::tokens::text;
use crate::workspaces::{self as service, WorkspaceInfo};

/// Body of `POST /v1/workspaces`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkspace {
    /// 1–100 characters of `A–Z a–z 0–9 _ - . :`; the `ws` of its tokens.
    pub id: String,
    /// Display name, up to 200 characters.
    pub name: Option<String>,
    /// The longest expiry its tokens may have (1–3650 days); null or absent: no cap.
    #[schema(minimum = 1, maximum = 3650)]
    pub max_expires_in_days: Option<i64>,
}

/// Body of `PATCH /v1/workspaces/{id}`: absent members stay as they are, null clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWorkspace {
    /// New display name (string), or null to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Value>,
    /// New cap in days (1–3650), or null for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub max_expires_in_days: Option<Value>,
}

/// A member that is present, null included (serde reads a null `Option` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// A page of workspaces.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspacePage {
    /// By id.
    pub workspaces: Vec<WorkspaceInfo>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/workspaces`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// `POST /v1/workspaces`: idempotent by id.
#[utoipa::path(post, operation_id = "createWorkspace", path = "/v1/workspaces", tag = "platform", security(("bearer" = [])), request_body = CreateWorkspace,
    description = "Create a workspace (platform:admin). The same id with the same settings answers 200 with the existing one; with other settings 409.",
    responses((status = 201, description = "Created", body = WorkspaceInfo), (status = 200, description = "It existed with these settings", body = WorkspaceInfo),
        responses::Unauthorized, responses::Forbidden, responses::Conflict, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateWorkspace>,
) -> Result<Response, ApiError> {
    let caller = auth.require(PLATFORM_ADMIN)?.clone();
    let settings =
        service::settings(req.name, req.max_expires_in_days).map_err(ApiError::validation)?;
    let forget = req.id.clone();
    let (info, created) = db::run(&state.pool, move |c| {
        service::create(c, &caller, &req.id, &settings, now())
    })
    .await?;
    state.workspace_caps.remove(&forget);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(typed(status, &info))
}

/// `GET /v1/workspaces`.
#[utoipa::path(get, operation_id = "listWorkspaces", path = "/v1/workspaces", tag = "platform", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "A page of workspaces, by id", body = WorkspacePage), responses::Unauthorized, responses::Forbidden, responses::Invalid))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    auth.require(PLATFORM_ADMIN)?;
    let limit = page_limit(query.limit)?;
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|id| service::is_valid_id(id))
                .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this API returned"))?,
        ),
    };
    let rows = db::run(&state.pool, move |c| {
        q::page(c, after.as_deref(), limit + 1).map_err(ApiError::from)
    })
    .await?;
    let (rows, next_cursor) = super::page_of(rows, limit, |r| URL_SAFE_NO_PAD.encode(&r.id));
    Ok(typed(
        StatusCode::OK,
        &WorkspacePage {
            workspaces: rows.iter().map(WorkspaceInfo::from).collect(),
            next_cursor,
        },
    ))
}

/// `GET /v1/workspaces/{id}`.
#[utoipa::path(get, operation_id = "getWorkspace", path = "/v1/workspaces/{id}", tag = "platform", security(("bearer" = [])), params(("id" = String, Path, description = "Workspace id")),
    responses((status = 200, description = "The workspace", body = WorkspaceInfo), responses::Unauthorized, responses::Forbidden, responses::NotFound))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth.require(PLATFORM_ADMIN)?;
    let unknown = ApiError::not_found(format!("no workspace \"{}\"", text::shown(&id)));
    if !service::is_valid_id(&id) {
        return Err(unknown);
    }
    let row = db::run(&state.pool, move |c| q::get(c, &id).map_err(ApiError::from)).await?;
    let row = row.ok_or(unknown)?;
    Ok(typed(StatusCode::OK, &WorkspaceInfo::from(&row)))
}

/// `PATCH /v1/workspaces/{id}`.
#[utoipa::path(patch, operation_id = "updateWorkspace", path = "/v1/workspaces/{id}", tag = "platform", security(("bearer" = [])), params(("id" = String, Path, description = "Workspace id")),
    request_body = UpdateWorkspace,
    responses((status = 200, description = "The workspace as it is now", body = WorkspaceInfo), responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateWorkspace>,
) -> Result<Response, ApiError> {
    let caller = auth.require(PLATFORM_ADMIN)?.clone();
    let forget = id.clone();
    let info = db::run(&state.pool, move |c| {
        let current = if service::is_valid_id(&id) {
            q::get(c, &id)?
        } else {
            None
        }
        .ok_or_else(|| ApiError::not_found(format!("no workspace \"{id}\"")))?;
        let name = match req.name {
            None => current.name.clone(),
            Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => return Err(ApiError::invalid("name", "must be a string or null")),
        };
        let days = match req.max_expires_in_days {
            None => current.max_expiry_days,
            Some(Value::Null) => None,
            Some(v) => Some(v.as_i64().ok_or_else(|| {
                ApiError::invalid("max_expires_in_days", "must be an integer or null")
            })?),
        };
        let settings = service::settings(name, days).map_err(ApiError::validation)?;
        service::update(c, &caller, &id, &settings, now())
    })
    .await?;
    // This replica's next mint reads the new cap; other replicas' mints find it changed when
    // they store (see `tokens::service::mint_limits`).
    state.workspace_caps.remove(&forget);
    Ok(typed(StatusCode::OK, &info))
}
