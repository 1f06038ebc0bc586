//! `GET /v1/status-lists` and `GET /v1/status-lists/{list}` (draft-ietf-oauth-status-list).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::keys::etag_of;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use crate::status;

/// Every list a live token may reference (including the next one, created before it is needed).
#[utoipa::path(get, operation_id = "listStatusLists", path = "/v1/status-lists", tag = "discovery",
    responses((status = 200, description = "`{lists: [uri, ...]}`", body = Object), (status = 304, description = "Not modified (If-None-Match)")))]
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let uris: Vec<String> = state
        .lists
        .ids()
        .iter()
        .map(|id| status::uri(&state.config.issuer_url, id))
        .collect();
    let body = json!({ "lists": uris }).to_string();
    super::cached(
        &headers,
        &etag_of(body.as_bytes()),
        state.config.status_list_ttl,
        "application/json",
        body,
    )
}

/// One signed list, served from memory.
#[utoipa::path(get, operation_id = "getStatusList", path = "/v1/status-lists/{list}", tag = "discovery", params(("list" = String, Path, description = "List id")),
    responses((status = 200, description = "Token Status List (draft-ietf-oauth-status-list) as a signed JWT", body = String, content_type = "application/statuslist+jwt"),
        (status = 304, description = "Not modified (If-None-Match)"), (status = 404, description = "No such list", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match state.lists.get(&id) {
        Some(list) => super::cached(
            &headers,
            &list.etag,
            state.config.status_list_ttl,
            "application/statuslist+jwt",
            list.jwt.clone(),
        ),
        None => ApiError::not_found(format!("no status list \"{id}\"")).into_response(),
    }
}
