//! Every route in one place.

use axum::routing::{get, post};
use axum::Router;

use crate::routes::{audit, batch, discovery, health, me, scopes, status_lists, tokens, usage};
use crate::state::AppState;

/// The issuer's HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(
            "/.well-known/gatepass-configuration",
            get(discovery::configuration),
        )
        .route("/.well-known/jwks.json", get(discovery::jwks))
        .route("/v1/status-lists", get(status_lists::index))
        .route("/v1/status-lists/{list}", get(status_lists::list))
        .route("/v1/me", get(me::me))
        .route("/v1/tokens", post(tokens::create).get(tokens::list))
        .route("/v1/tokens/revoke", post(batch::revoke))
        .route("/v1/tokens/rotate", post(batch::rotate))
        .route("/v1/tokens/{id}", get(tokens::get))
        .route("/v1/tokens/{id}/revoke", post(tokens::revoke))
        .route("/v1/tokens/{id}/rotate", post(tokens::rotate))
        .route("/v1/scopes", get(scopes::catalog))
        .route("/v1/audit-events", get(audit::list))
        .route("/v1/usage", post(usage::report))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(|| async { crate::problem::ApiError::not_found("no such route") })
        .with_state(state)
}
