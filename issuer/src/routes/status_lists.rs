//! `GET /v1/status-lists` and `GET /v1/status-lists/{list}` (draft-ietf-oauth-status-list).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Representation;
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

/// One signed list, served from memory: the CWT form to clients that prefer
/// `application/statuslist+cwt` (gatepass SDKs do: it is the compressed bits as they are),
/// else the JWT form. Each form has its own ETag; `Vary: Accept` keeps them apart in caches.
#[utoipa::path(get, operation_id = "getStatusList", path = "/v1/status-lists/{list}", tag = "discovery", params(("list" = String, Path, description = "List id")),
    responses((status = 200, description = "Token Status List (draft-ietf-oauth-status-list) as a signed JWT, or as a signed CWT (COSE_Sign1) when `Accept` prefers `application/statuslist+cwt`",
            content((String = "application/statuslist+jwt"), (Vec<u8> = "application/statuslist+cwt"))),
        (status = 304, description = "Not modified (If-None-Match)"), (status = 404, description = "No such list", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(list) = state.lists.get(&id) else {
        return ApiError::not_found(format!("no status list \"{id}\"")).into_response();
    };
    let cache_control = format!("public, max-age={}", state.config.status_list_ttl);
    // zlib data in CBOR: gzip would only add its header.
    let (etag, content_type, compressible, body) =
        if super::conditional::prefers(&headers, CWT, JWT) {
            (&list.cwt_etag, CWT, false, list.cwt.clone())
        } else {
            (&list.etag, JWT, true, list.jwt.clone().into())
        };
    Representation {
        etag,
        cache_control: &cache_control,
        content_type,
        compressible,
        vary: "accept, accept-encoding",
    }
    .serve(&headers, body)
}

const JWT: &str = "application/statuslist+jwt";
const CWT: &str = gatepass::status_list::STATUS_LIST_CWT_TYPE;
