//! What every request passes through before and after its handler: the request timeout, and
//! the rule that every error answer is `application/problem+json` — also the ones the router
//! and extractors make themselves (405 with `Allow`, 413, 415, …), which are plain text
//! otherwise.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;
use crate::state::AppState;

/// Answers 408 when the handler (reading the body included) takes longer than
/// `http_request_timeout_secs`. The push stream is exempt (the header timeout still applies).
pub async fn request_timeout(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == crate::stream::sse::PATH {
        return next.run(request).await;
    }
    let limit = Duration::from_secs(state.config.http_request_timeout_secs);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = ApiError::http(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!("the request took longer than {} s", limit.as_secs()),
            )
            .into_response();
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            response
        }
    }
}

/// Rewrites an error answer that is not problem+json into one with the same status (and the
/// same `Allow` header for a 405).
pub async fn problem_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return response;
    }
    let (code, detail) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not take that method; see the Allow header".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => return ApiError::payload_too_large().into_response(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            return ApiError::unsupported_media_type().into_response()
        }
        s if s.is_server_error() => ("internal", "an unexpected error occurred".to_owned()),
        _ => (
            "bad_request",
            "the request could not be processed".to_owned(),
        ),
    };
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut problem = ApiError::http(status, code, detail).into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}
