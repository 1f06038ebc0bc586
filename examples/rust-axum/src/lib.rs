//! A small notes service whose routes are protected by gatepass tokens, verified locally by
//! the `gatepass` crate: no call to the issuer per request.
//!
//! - `GET /notes` needs `user:read`;
//! - `POST /notes` (a JSON string body) needs `user:write`;
//! - `DELETE /notes` needs `admin:write`.
//!
//! Failures answer as the issuer does (docs/api.md, "Errors"): 401 with `WWW-Authenticate: Bearer
//! error="invalid_token"` for a token that does not verify, 403 with `error="insufficient_scope"`
//! for a missing scope or another workspace, each with an `application/problem+json` body.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gatepass::{Claims, TokenError, Verifier};
use serde_json::{json, Value};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    verifier: Arc<Verifier>,
    notes: Arc<Mutex<Vec<String>>>,
}

/// The service, verifying with `verifier` (online in `main`, offline in the tests).
pub fn app(verifier: Verifier) -> Router {
    let state = AppState {
        verifier: Arc::new(verifier),
        notes: Arc::default(),
    };
    Router::new()
        .route("/notes", get(list).post(add).delete(clear))
        .with_state(state)
}

/// Why a request was refused: an RFC 6750 + RFC 9457 answer.
#[derive(Debug)]
pub enum Refused {
    /// No `Authorization: Bearer` header (RFC 6750 §3.1: no error code then).
    MissingToken,
    /// The token does not verify, lacks a scope or belongs to another workspace.
    Token(TokenError, &'static [&'static str]),
}

fn quote(text: &str) -> String {
    text.replace(['"', '\\'], "'")
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (status, www, body) = match self {
            Refused::MissingToken => (
                StatusCode::UNAUTHORIZED,
                "Bearer".to_owned(),
                json!({
                    "type": "urn:gatepass:problem:missing_token",
                    "title": "Authentication required",
                    "status": 401,
                    "detail": "send a gatepass token as \"Authorization: Bearer <token>\"",
                }),
            ),
            Refused::Token(err, scopes) => {
                // The core decides: scope and workspace failures are 403, the rest 401.
                let forbidden = err.kind().is_forbidden();
                let (status, error, title) = if forbidden {
                    (
                        StatusCode::FORBIDDEN,
                        "insufficient_scope",
                        "Insufficient scope",
                    )
                } else {
                    (StatusCode::UNAUTHORIZED, "invalid_token", "Invalid token")
                };
                let mut www = format!(
                    "Bearer error=\"{error}\", error_description=\"{}\"",
                    quote(err.message())
                );
                if forbidden && !scopes.is_empty() {
                    www.push_str(&format!(", scope=\"{}\"", scopes.join(" ")));
                }
                let body = json!({
                    "type": format!("urn:gatepass:problem:{error}"),
                    "title": title,
                    "status": status.as_u16(),
                    "detail": format!("{} ({})", err.message(), err.code()),
                    "code": err.code(),
                });
                (status, www, body)
            }
        };
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Ok(value) = HeaderValue::from_str(&www) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// The claims of the request's Bearer token if it verifies and carries every one of `scopes`.
///
/// # Errors
/// [`Refused`], ready to be answered.
pub fn require(
    state: &AppState,
    headers: &HeaderMap,
    scopes: &'static [&'static str],
) -> Result<Claims, Refused> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim_start())
        .filter(|token| !token.is_empty())
        .ok_or(Refused::MissingToken)?;
    state
        .verifier
        .require(token, scopes, None)
        .map_err(|e| Refused::Token(e, scopes))
}

fn notes(state: &AppState) -> std::sync::MutexGuard<'_, Vec<String>> {
    // A panic while holding the lock leaves a plain Vec behind, which is still fine to use.
    state
        .notes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, Refused> {
    let claims = require(&state, &headers, &["user:read"])?;
    Ok(Json(json!({
        "user": claims.subject(),
        "workspace": claims.workspace(),
        "notes": *notes(&state),
    })))
}

async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(text): Json<String>,
) -> Result<Json<Value>, Refused> {
    let claims = require(&state, &headers, &["user:write"])?;
    notes(&state).push(format!("{}: {text}", claims.subject()));
    Ok(Json(json!({ "added": text })))
}

async fn clear(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, Refused> {
    require(&state, &headers, &["admin:write"])?;
    let removed = std::mem::take(&mut *notes(&state)).len();
    Ok(Json(json!({ "removed": removed })))
}
