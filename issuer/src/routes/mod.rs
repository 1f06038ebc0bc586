//! HTTP handlers, one file per resource. Handlers parse, call the services, and return data;
//! errors are shaped only by `problem.rs`.

pub mod audit;
pub mod batch;
mod conditional;
pub mod discovery;
pub mod health;
pub mod me;
pub mod metrics;
pub mod page;
pub mod portal;
pub mod scopes;
pub mod status_lists;
pub mod tokens;
pub mod usage;
pub mod webhooks;
pub mod workspaces;

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

pub use conditional::{cached, cached_with, Representation};

/// A JSON body whose rejections are problem+json: 415 without a JSON content type, 413 over
/// the body limit, 400 for bad JSON, 422 for the wrong shape.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => shaped(v).map(ApiJson),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::invalid("body", e.body_text())),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(ApiError::unsupported_media_type())
            }
            Err(JsonRejection::BytesRejection(e)) => Err(body_rejection(e.status(), e.body_text())),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// An optional JSON body: empty means `T::default()`; otherwise as [`ApiJson`].
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json_type);
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| body_rejection(e.status(), e.body_text()))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        if !json_type {
            return Err(ApiError::unsupported_media_type());
        }
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
        // `null` is no body too (the document declares the body optional and nullable).
        if value.is_null() {
            return Ok(OptionalJson(T::default()));
        }
        shaped(value).map(OptionalJson)
    }
}

/// The request type `T` read from parsed JSON. A number with no fractional part counts as an
/// integer (`30.0` is `30`), as JSON Schema's `integer` says; a wrong shape is 422 on `body`.
fn shaped<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, ApiError> {
    integral_numbers_as_integers(&mut value);
    serde_json::from_value(value).map_err(|e| ApiError::invalid("body", e.to_string()))
}

fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                // Exact: |f| < 2^53, so the cast neither rounds nor saturates.
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(members) => members.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// `application/json` or a `+json` type, parameters allowed.
fn is_json_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A body that could not be read: 413 over the limit, else 400.
fn body_rejection(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::payload_too_large()
    } else {
        ApiError::bad_request(text)
    }
}

/// A page cursor: the sort key `(time, id)` of the last item, opaque to clients.
pub fn encode_cursor(time: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{time}:{id}"))
}

/// Reads a cursor written by [`encode_cursor`].
///
/// # Errors
/// 422 on the `cursor` field.
fn decode_cursor(cursor: &str) -> Result<(i64, String), ApiError> {
    let bad = || ApiError::invalid("cursor", "is not a cursor this API returned");
    let text = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let (time, id) = text.split_once(':').ok_or_else(bad)?;
    if !crate::tokens::text::is_plausible_id(id, 64) {
        return Err(bad());
    }
    Ok((time.parse().map_err(|_| bad())?, id.to_owned()))
}

/// Where a page starts: after the item of the `cursor` parameter; `None` for the first page,
/// also when the parameter is empty.
///
/// # Errors
/// 422 on the `cursor` field.
pub fn page_after(cursor: Option<&str>) -> Result<Option<(i64, String)>, ApiError> {
    cursor
        .filter(|c| !c.is_empty())
        .map(decode_cursor)
        .transpose()
}

/// One page out of `limit + 1` fetched rows: the first `limit`, and the `cursor` of the last
/// one when there was more (the extra row only tells that a next page exists).
pub fn page_of<T>(
    mut rows: Vec<T>,
    limit: i64,
    cursor: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more { rows.last().map(cursor) } else { None };
    (rows, next)
}

/// A `limit` query value: 1–200, default 50.
///
/// # Errors
/// 422 on the `limit` field.
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(50),
        Some(n) if (1..=200).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid("limit", "must be 1 to 200")),
    }
}

/// A JSON response that must not be cached (it may hold a secret or private data).
pub fn private_json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
