//! `/v1/webhooks`: register endpoints (platform credential, or a workspace admin for its own
//! workspace), list and remove them, and see their deliveries. See `crate::webhooks`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::tokens::typed;
use super::{encode_cursor, page_after, page_limit, page_of, ApiJson};
use crate::auth::Auth;
use crate::db::models::{AttemptRow, DeliveryRow};
use crate::db::queries::webhooks as q;
use crate::db::{self};
use crate::problem::{responses, ApiError};
use crate::state::{now, rfc3339, AppState};
use crate::webhooks::endpoints::{self, NewWebhook, WebhookInfo};

/// Body of `POST /v1/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where deliveries are posted: `https://…` (`http://` only to 127.0.0.1, ::1 or
    /// localhost), at most 2000 bytes, no user name or fragment. (The pattern is what the
    /// document promises; the API accepts any URL `check_url` does, query strings included.)
    #[schema(
        max_length = 2000,
        pattern = r"^(https://[A-Za-z0-9.-]+(:[0-9]{1,4})?|http://(127\.0\.0\.1|\[::1\]|localhost)(:[0-9]{1,4})?)(/[A-Za-z0-9._~/-]*)?$"
    )]
    pub url: String,
    /// The events wanted: `token.created`, `token.revoked`, `token.rotated`, `token.expiring`,
    /// `token.expired` (at least one).
    #[schema(min_items = 1)]
    pub events: Vec<String>,
    /// Only this workspace's events. A workspace admin may name only its own (the default); the
    /// platform credential any, or none for every workspace.
    pub workspace: Option<String>,
    /// Free text, up to 500 characters.
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

/// A registered endpoint with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookInfo,
    /// `whsec_…`: verifies `webhook-signature` (Standard Webhooks). Shown only now.
    pub secret: String,
}

/// The endpoints the caller manages.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// By registration time.
    pub webhooks: Vec<WebhookInfo>,
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptInfo {
    /// 1, 2, …
    pub attempt: i64,
    /// When it was made, RFC 3339.
    pub at: String,
    /// The endpoint's HTTP status; null when no answer came.
    pub status: Option<i64>,
    /// Why it failed; null for a 2xx.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// One event for one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryInfo {
    /// The event id: the `webhook-id` header of every attempt.
    pub id: String,
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The token it is about.
    pub token_id: Option<String>,
    /// `pending` (will be tried at `next_attempt_at`), `delivered`, or `failed` (given up).
    pub state: String,
    /// When the event happened, RFC 3339.
    pub created_at: String,
    /// The next attempt of a pending delivery.
    pub next_attempt_at: Option<String>,
    /// When the endpoint accepted it.
    pub delivered_at: Option<String>,
    /// Every attempt so far, oldest first.
    pub attempts: Vec<AttemptInfo>,
}

/// A page of deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    /// Newest first.
    pub deliveries: Vec<DeliveryInfo>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/webhooks/{id}/deliveries`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Only `pending`, `delivered` or `failed` deliveries.
    #[param(pattern = "^(pending|delivered|failed)$")]
    state: Option<String>,
}

/// `POST /v1/webhooks`.
#[utoipa::path(post, operation_id = "createWebhook", path = "/v1/webhooks", tag = "webhooks", security(("bearer" = [])), request_body = CreateWebhook,
    description = "Register an endpoint (platform:admin, or tokens:admin for its own workspace). Deliveries follow Standard Webhooks; the secret is shown once.",
    responses((status = 201, description = "Registered", body = CreatedWebhook), responses::Unauthorized, responses::Forbidden, responses::Conflict, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateWebhook>,
) -> Result<Response, ApiError> {
    let s = state.clone();
    let (webhook, secret) = db::run(&state.pool, move |c| {
        let new = NewWebhook {
            url: req.url,
            events: req.events,
            workspace: req.workspace,
            description: req.description,
        };
        endpoints::register(c, &s.kek, &auth.0, new, now())
    })
    .await?;
    Ok(typed(
        StatusCode::CREATED,
        &CreatedWebhook { webhook, secret },
    ))
}

/// `GET /v1/webhooks`.
#[utoipa::path(get, operation_id = "listWebhooks", path = "/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, description = "The endpoints the caller manages", body = WebhookList), responses::Unauthorized, responses::Forbidden))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    let webhooks = db::run(&state.pool, move |c| endpoints::list(c, &auth.0)).await?;
    Ok(typed(StatusCode::OK, &WebhookList { webhooks }))
}

/// `GET /v1/webhooks/{id}`.
#[utoipa::path(get, operation_id = "getWebhook", path = "/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, description = "The endpoint", body = WebhookInfo), responses::Unauthorized, responses::Forbidden, responses::NotFound))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = db::run(&state.pool, move |c| endpoints::get(c, &auth.0, &id)).await?;
    Ok(typed(StatusCode::OK, &WebhookInfo::from(&row)))
}

/// `DELETE /v1/webhooks/{id}`.
#[utoipa::path(delete, operation_id = "deleteWebhook", path = "/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Webhook id")),
    description = "Remove an endpoint; its pending deliveries are dropped.",
    responses((status = 204, description = "Removed"), responses::Unauthorized, responses::Forbidden, responses::NotFound))]
pub async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    db::run(&state.pool, move |c| {
        endpoints::remove(c, &auth.0, &id, now())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /v1/webhooks/{id}/deliveries`.
#[utoipa::path(get, operation_id = "listWebhookDeliveries", path = "/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Webhook id"), DeliveryQuery),
    responses((status = 200, description = "Deliveries, newest first, with their attempts", body = DeliveryPage), responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Invalid))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    query: Result<Query<DeliveryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let limit = page_limit(query.limit)?;
    let after = page_after(query.cursor.as_deref())?;
    let filter = match query.state.as_deref() {
        None => None,
        Some(s @ (q::PENDING | q::DELIVERED | q::FAILED)) => Some(s.to_owned()),
        Some(_) => {
            return Err(ApiError::invalid(
                "state",
                "must be pending, delivered or failed",
            ))
        }
    };
    let (rows, attempts) = db::run(&state.pool, move |c| {
        let hook = endpoints::get(c, &auth.0, &id)?;
        let rows = q::deliveries_page(c, &hook.id, filter.as_deref(), after, limit + 1)?;
        let ids: Vec<String> = rows.iter().map(|r| r.event_id.clone()).collect();
        let attempts = q::attempts(c, &hook.id, &ids)?;
        Ok::<_, ApiError>((rows, attempts))
    })
    .await?;
    let (rows, next_cursor) = page_of(rows, limit, |r| encode_cursor(r.created_at, &r.event_id));
    let mut by_event: HashMap<String, Vec<AttemptRow>> = HashMap::new();
    for a in attempts {
        by_event.entry(a.event_id.clone()).or_default().push(a);
    }
    let deliveries = rows
        .into_iter()
        .map(|r| {
            let attempts = by_event.remove(&r.event_id).unwrap_or_default();
            delivery_info(r, attempts)
        })
        .collect();
    Ok(typed(
        StatusCode::OK,
        &DeliveryPage {
            deliveries,
            next_cursor,
        },
    ))
}

fn delivery_info(row: DeliveryRow, attempts: Vec<AttemptRow>) -> DeliveryInfo {
    DeliveryInfo {
        id: row.event_id,
        event_type: row.event_type,
        token_id: row.token_id,
        next_attempt_at: (row.state == q::PENDING)
            .then_some(row.next_attempt_at)
            .flatten()
            .map(rfc3339),
        state: row.state,
        created_at: rfc3339(row.created_at),
        delivered_at: row.delivered_at.map(rfc3339),
        attempts: attempts
            .into_iter()
            .map(|a| AttemptInfo {
                attempt: a.attempt,
                at: rfc3339(a.at),
                status: a.status,
                error: a.error,
                duration_ms: a.duration_ms,
            })
            .collect(),
    }
}
