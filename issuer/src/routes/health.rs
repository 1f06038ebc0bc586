//! `GET /healthz` (the process answers) and `GET /readyz` (the store answers too).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use diesel::connection::SimpleConnection;

use crate::db;
use crate::state::AppState;

/// Liveness.
#[utoipa::path(get, operation_id = "healthz", path = "/healthz", tag = "operations", responses((status = 200, description = "The process answers", body = String)))]
pub async fn healthz() -> impl IntoResponse {
    "ok"
}

/// Readiness: 503 while the database cannot be reached.
#[utoipa::path(get, operation_id = "readyz", path = "/readyz", tag = "operations", responses((status = 200, description = "Ready", body = String), (status = 503, description = "The database is unreachable", body = String)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let ping = db::run(&state.pool, |conn| {
        conn.batch_execute("SELECT 1").map_err(db::DbError::from)
    })
    .await;
    match ping {
        Ok(()) => (StatusCode::OK, "ready".to_owned()),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {e}")),
    }
}
