//! A small notes service whose routes are protected by gatepass tokens, verified locally by
//! the `gatepass` crate: no call to the issuer per request.
//!
//! - `GET /notes` needs `user:read`;
//! - `POST /notes` (a JSON string body) needs `user:write`;
//! - `DELETE /notes` needs `admin:write`.
//!
//! Failures answer as the issuer does (docs/protocol.md, "Answering a failed token"), with the
//! core's `gatepass::http`: 401 with `WWW-Authenticate: Bearer realm="gatepass",
//! error="invalid_token"` for a token that does not verify, 403 with `error="insufficient_scope"`
//! for a missing scope or another workspace, each with an `application/problem+json` body.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gatepass::http::{bearer_token, Rejection};
use gatepass::{Claims, Verifier};
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

/// A refused request: the core's one answer (`gatepass::http`), the same bytes the issuer and
/// the Python and Node helpers send.
#[derive(Debug)]
pub struct Refused(pub Rejection);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::UNAUTHORIZED);
        let mut response = (status, self.0.body().to_owned()).into_response();
        for (name, value) in self.0.headers() {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().insert(name, value);
            }
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
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = bearer_token(header).ok_or_else(|| Refused(Rejection::missing_token()))?;
    state
        .verifier
        .require(token, scopes, None)
        .map_err(|e| Refused(Rejection::for_error(&e, scopes)))
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
