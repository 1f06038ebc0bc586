//! `/v1/portal-sessions`: a product's backend opens a token-settings session for its signed-in
//! user (platform:admin); the page exchanges the session's one-time code (no credentials: the
//! code is the credential). See `crate::portal`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::tokens::typed;
use super::ApiJson;
use crate::auth::Auth;
use crate::db;
use crate::portal::{self, Exchanged, Opened};
use crate::problem::{responses, ApiError};
use crate::scopes::PLATFORM_ADMIN;
use crate::state::{now, AppState};

/// Body of `POST /v1/portal-sessions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenSession {
    /// The user's workspace (must exist).
    pub workspace: String,
    /// The signed-in user.
    pub subject: String,
    /// Where the page's "Back to …" and sign-out lead: an http(s) URL whose origin is one of
    /// the issuer's `portal_return_origins`.
    pub return_url: String,
    /// `member` (own tokens; default) or `admin` (every token of the workspace).
    pub role: Option<String>,
    /// Scopes tokens made in the session may carry; default: the catalog's own scopes.
    pub scopes: Option<Vec<String>>,
}

/// Body of `POST /v1/portal-sessions/exchange`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeCode {
    /// The code from the session URL's `#portal=` fragment.
    pub code: String,
}

/// `POST /v1/portal-sessions`.
#[utoipa::path(post, operation_id = "openPortalSession", path = "/v1/portal-sessions", tag = "platform", security(("bearer" = [])), request_body = OpenSession,
    description = "Open a token-settings session for a signed-in user (platform:admin): send the user to `url` (one use, within 5 minutes).",
    responses((status = 201, description = "Opened", body = Opened), responses::Unauthorized, responses::Forbidden, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn open(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<OpenSession>,
) -> Result<Response, ApiError> {
    let caller = auth.require(PLATFORM_ADMIN)?.clone();
    let s = state.clone();
    let opened = db::run(&state.pool, move |c| {
        portal::open(
            &s,
            c,
            &caller,
            portal::Request {
                workspace: req.workspace,
                subject: req.subject,
                return_url: req.return_url,
                role: req.role,
                scopes: req.scopes,
            },
            now(),
        )
    })
    .await?;
    Ok(typed(StatusCode::CREATED, &opened))
}

/// `POST /v1/portal-sessions/exchange`.
#[utoipa::path(post, operation_id = "exchangePortalCode", path = "/v1/portal-sessions/exchange", tag = "platform", request_body = ExchangeCode,
    description = "Exchange a session URL's one-time code for a session secret (once, within 5 minutes of opening); the secret works on the management API for an hour.",
    responses((status = 200, description = "The session", body = Exchanged), responses::NotFound,
        (status = 410, description = "The link was used already (portal_code_used) or has expired (portal_code_expired)", content_type = "application/problem+json"),
        responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn exchange(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ExchangeCode>,
) -> Result<Response, ApiError> {
    let s = state.clone();
    let session = db::run(&state.pool, move |c| {
        portal::exchange(&s, c, &req.code, now())
    })
    .await?;
    Ok(typed(StatusCode::OK, &session))
}
