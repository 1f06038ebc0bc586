//! A small notes service whose routes are protected by gatepass tokens, verified locally by
//! the `gatepass` crate: no call to the issuer per request.
//!
//! - `GET /notes` needs `user:read`;
//! - `POST /notes` (a JSON string body) needs `user:write`;
//! - `DELETE /notes` needs `admin:write`.
//!
//! Each handler takes a `gatepass::axum::Require<…>` extractor naming its scopes (feature
//! `axum` of the crate); `gatepass::tower::RequireLayer` does the same for a whole router.
//! Refusals are the crate's one answer (docs/protocol.md, "Answering a failed token"): 401 with
//! `WWW-Authenticate: Bearer realm="gatepass", error="invalid_token"` for a token that does not
//! verify, 403 with `error="insufficient_scope"` for a missing scope or another workspace, each
//! with an `application/problem+json` body.

use std::sync::{Arc, Mutex};

use axum::extract::{FromRef, State};
use axum::routing::get;
use axum::{Json, Router};
use gatepass::axum::{Require, Scopes};
use gatepass::Verifier;
use serde_json::{json, Value};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    verifier: Verifier,
    notes: Arc<Mutex<Vec<String>>>,
}

/// `Require<…>` finds the verifier in the state.
impl FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Verifier {
        state.verifier.clone()
    }
}

/// `GET /notes`.
pub struct UserRead;
impl Scopes for UserRead {
    const SCOPES: &'static [&'static str] = &["user:read"];
}

/// `POST /notes`.
pub struct UserWrite;
impl Scopes for UserWrite {
    const SCOPES: &'static [&'static str] = &["user:write"];
}

/// `DELETE /notes`.
pub struct AdminWrite;
impl Scopes for AdminWrite {
    const SCOPES: &'static [&'static str] = &["admin:write"];
}

/// The service, verifying with `verifier` (online in `main`, offline in the tests).
pub fn app(verifier: Verifier) -> Router {
    let state = AppState {
        verifier,
        notes: Arc::default(),
    };
    Router::new()
        .route("/notes", get(list).post(add).delete(clear))
        .with_state(state)
}

fn notes(state: &AppState) -> std::sync::MutexGuard<'_, Vec<String>> {
    // A panic while holding the lock leaves a plain Vec behind, which is still fine to use.
    state
        .notes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn list(
    State(state): State<AppState>,
    Require(claims, ..): Require<UserRead>,
) -> Json<Value> {
    Json(json!({
        "user": claims.subject(),
        "workspace": claims.workspace(),
        "notes": *notes(&state),
    }))
}

async fn add(
    State(state): State<AppState>,
    Require(claims, ..): Require<UserWrite>,
    Json(text): Json<String>,
) -> Json<Value> {
    notes(&state).push(format!("{}: {text}", claims.subject()));
    Json(json!({ "added": text }))
}

async fn clear(State(state): State<AppState>, _: Require<AdminWrite>) -> Json<Value> {
    let removed = std::mem::take(&mut *notes(&state)).len();
    Json(json!({ "removed": removed }))
}
