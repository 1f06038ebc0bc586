//! The one builder of error responses: `application/problem+json` (RFC 9457) with a stable
//! `type`, plus `WWW-Authenticate` (RFC 6750 §3) on 401 and 403.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbError;
use crate::sync::SyncError;
use crate::tokens::ServiceError;

/// The `type` URI of a problem: `urn:gatepass:problem:<code>`.
pub fn type_uri(code: &str) -> String {
    format!("urn:gatepass:problem:{code}")
}

/// One invalid request field.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct FieldError {
    /// The field's name, e.g. `name` or `ids[3]`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// The body of every error answer (RFC 9457), as `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the problem: `urn:gatepass:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, for people.
    pub detail: String,
    /// For 422: every invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a 401 `invalid_token`: the verifier's error code (`expired`, `revoked`, …), so a
    /// client can tell people why without parsing `detail`. The SDKs' framework helpers use
    /// the same member.
    #[serde(rename = "code", skip_serializing_if = "Option::is_none")]
    pub token_code: Option<&'static str>,
}

/// The error answers the routes share, declared once for the OpenAPI document.
pub mod responses {
    use super::Problem;

    /// 401.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 401,
        description = "Missing, invalid, expired or revoked token",
        content_type = "application/problem+json"
    )]
    pub struct Unauthorized(pub Problem);

    /// 403.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 403,
        description = "The token lacks the scope",
        content_type = "application/problem+json"
    )]
    pub struct Forbidden(pub Problem);

    /// 404.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 404,
        description = "No such token you can see",
        content_type = "application/problem+json"
    )]
    pub struct NotFound(pub Problem);

    /// 409.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 409,
        description = "Revoked or already rotated",
        content_type = "application/problem+json"
    )]
    pub struct Conflict(pub Problem);

    /// 422.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 422,
        description = "Invalid fields",
        content_type = "application/problem+json"
    )]
    pub struct Invalid(pub Problem);

    /// 400.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 400,
        description = "The body is not valid JSON",
        content_type = "application/problem+json"
    )]
    pub struct BadRequest(pub Problem);

    /// 413.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 413,
        description = "The body is larger than 1 MiB",
        content_type = "application/problem+json"
    )]
    pub struct TooLarge(pub Problem);

    /// 415.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 415,
        description = "The body is not declared as application/json",
        content_type = "application/problem+json"
    )]
    pub struct UnsupportedType(pub Problem);
}

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    // The code itself (one byte), not its name: keeps `ApiError` small on every `Result`.
    token_code: Option<gatepass::ErrorCode>,
    www_authenticate: Option<String>,
    retry_after: Option<u32>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            token_code: None,
            www_authenticate: None,
            retry_after: None,
        }
    }

    /// 401 without credentials: RFC 6750 §3.1 asks for no error code in that case. The same
    /// answer as every SDK helper's (`gatepass::http`).
    pub fn missing_token() -> ApiError {
        let answer = gatepass::http::Rejection::missing_token();
        let mut e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "Authentication required",
            "send a gatepass token as \"Authorization: Bearer <token>\"",
        );
        e.www_authenticate = Some(answer.www_authenticate().to_owned());
        e
    }

    /// 401 for a token that does not verify (expired, revoked, bad signature, …): the same
    /// answer as every SDK helper's (`gatepass::http`).
    pub fn invalid_token(err: &gatepass::TokenError) -> ApiError {
        let none: [&str; 0] = [];
        let answer = gatepass::http::Rejection::for_error(err, &none);
        let mut e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Invalid token",
            format!("{} ({})", err.message(), err.code()),
        );
        e.token_code = Some(err.kind());
        e.www_authenticate = Some(answer.www_authenticate().to_owned());
        e
    }

    /// 401 for a well-signed token the issuer does not know (e.g. from a wiped database).
    pub fn unknown_token() -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Invalid token",
            "this token is not known to the issuer",
        );
        e.www_authenticate = Some("Bearer realm=\"gatepass\", error=\"invalid_token\", error_description=\"unknown token\"".into());
        e
    }

    /// 401 for a portal session that is unknown or over.
    pub fn session_over() -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Session ended",
            "this token-settings session has ended; open the token settings from the product again",
        );
        e.www_authenticate = Some("Bearer realm=\"gatepass\", error=\"invalid_token\", error_description=\"session ended\"".into());
        e
    }

    /// 410: a portal link that was used already or has expired (`code` says which).
    pub fn gone(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::GONE, code, "Link no longer valid", detail)
    }

    /// 403: the token lacks `scope`.
    pub fn insufficient_scope(scope: &str) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "Insufficient scope",
            format!("this call needs the scope \"{scope}\""),
        );
        e.www_authenticate = Some(format!(
            "Bearer realm=\"gatepass\", error=\"insufficient_scope\", scope=\"{}\"",
            gatepass::http::quoted(scope)
        ));
        e
    }

    /// 403 for a rule other than a missing route scope (e.g. minting a scope one lacks).
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "Forbidden",
            detail,
        );
        e.www_authenticate = Some("Bearer realm=\"gatepass\", error=\"insufficient_scope\"".into());
        e
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found", detail)
    }

    /// 409.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, "Conflict", detail)
    }

    /// 422 with the offending fields.
    pub fn validation(errors: Vec<FieldError>) -> ApiError {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Invalid request",
            detail,
        );
        e.errors = errors;
        e
    }

    /// 422 for one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// 413: the body is larger than the API accepts.
    pub fn payload_too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            format!(
                "the request body is larger than {} bytes",
                crate::router::BODY_LIMIT
            ),
        )
    }

    /// 415: a body that is not declared as JSON.
    pub fn unsupported_media_type() -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported media type",
            "send the body as JSON with \"Content-Type: application/json\"",
        )
    }

    /// Any other HTTP-level refusal (405, 408, …) as a problem, for the one error edge.
    pub fn http(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(
            status,
            code,
            status.canonical_reason().unwrap_or("Error"),
            detail,
        )
    }

    /// 400 for a body that is not the JSON the route expects.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Bad request",
            detail,
        )
    }

    /// 503 when storage is down; 500 for anything else unexpected (details go to the log only).
    pub fn from_db(e: &DbError) -> ApiError {
        match e {
            DbError::Unavailable(_) => {
                tracing::error!(error = %e, "storage unavailable");
                ApiError::unavailable("the token store is unavailable; try again shortly")
            }
            // A conflict with another transaction: `write_tx` runs the transaction again; if it
            // is still in the way after every retry, the client may simply try again too.
            DbError::Query(q) if crate::db::is_transient(q) => ApiError::busy(),
            // The server went away under the statement (restarted, stopped, crashed): the same
            // answer as a database that cannot be reached, never a 500.
            DbError::Query(q) if crate::db::is_connection_lost(q) => {
                tracing::error!(error = %e, "storage unavailable: the connection to the database was lost");
                ApiError::unavailable("the token store is unavailable; try again shortly")
            }
            // A full disk is the operator's to fix; nothing was written, and the client may
            // try again later (never a 500: the request was fine).
            DbError::Query(q) if crate::db::is_out_of_space(q) => {
                tracing::error!(error = %e, "the database is out of disk space: writes fail until space is freed");
                ApiError::unavailable("the token store cannot write at the moment; try again later")
            }
            DbError::Query(_) => {
                crate::metrics::METRICS.store_errors.inc();
                ApiError::internal(e)
            }
        }
    }

    /// 503 `storage_unavailable` with `Retry-After: 5`: the store cannot be used at the moment;
    /// counted in the store-error metric.
    fn unavailable(detail: &str) -> ApiError {
        crate::metrics::METRICS.store_errors.inc();
        let mut unavailable = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "Service unavailable",
            detail,
        );
        unavailable.retry_after = Some(5);
        unavailable
    }

    /// 503 `storage_busy` with `Retry-After: 1`: other writes were in the way; trying again helps.
    fn busy() -> ApiError {
        let mut busy = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_busy",
            "Service busy",
            "the token store is busy with conflicting changes; try again",
        );
        busy.retry_after = Some(1);
        busy
    }

    /// 500; the cause is logged, not returned.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "an unexpected error occurred; it has been logged",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What happened, for people (the problem's `detail`).
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl crate::db::TxError for ApiError {
    /// The answer made from a transient database error (see [`ApiError::from_db`]).
    fn is_transient(&self) -> bool {
        self.code == "storage_busy"
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::from_db(&e)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from_db(&DbError::Query(e))
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotVisible(_) => ApiError::not_found(e.to_string()),
            ServiceError::Forbidden(detail) => ApiError::forbidden(detail),
            ServiceError::Invalid(errors) => ApiError::validation(errors),
            ServiceError::Conflict { code, detail } => ApiError::conflict(code, detail),
            ServiceError::Db(e) | ServiceError::Publish(SyncError::Db(e)) => ApiError::from_db(&e),
            // Other transactions kept taking the lists' room: like a busy store, try again.
            ServiceError::NoRoom(_) => ApiError::busy(),
            // Signing and building lists fail only by a fault of this issuer: 500.
            ServiceError::Signing(_) | ServiceError::Publish(_) => ApiError::internal(&e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            type_: type_uri(self.code),
            title: self.title.into(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
            token_code: self.token_code.map(gatepass::ErrorCode::as_str),
        };
        let text = serde_json::to_string(&body).unwrap_or_default();
        let mut response = (self.status, text).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(value) = self
            .www_authenticate
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
