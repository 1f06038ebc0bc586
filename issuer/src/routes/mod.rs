//! HTTP handlers, one file per resource. Handlers parse, call the services, and return data;
//! errors are shaped only by `problem.rs`.

pub mod audit;
pub mod batch;
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
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

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

/// A cacheable document: 304 when `If-None-Match` matches, else the body with `ETag` and
/// `Cache-Control: max-age`.
pub fn cached(
    headers: &HeaderMap,
    etag: &str,
    max_age: u64,
    content_type: &'static str,
    body: String,
) -> Response {
    cached_with(
        headers,
        etag,
        &format!("public, max-age={max_age}"),
        content_type,
        body,
    )
}

/// [`cached`] with any `Cache-Control` value and body.
///
/// A client that accepts gzip gets the document gzip-compressed (compressed once per document,
/// then kept), with its own strong ETag (`"…-gzip"`: another representation, RFC 9110 §8.8.3)
/// and `Vary: Accept-Encoding`, so caches and CDNs keep the two apart. `If-None-Match` with
/// either ETag answers 304: both stand for the same document.
pub fn cached_with(
    headers: &HeaderMap,
    etag: &str,
    cache_control: &str,
    content_type: &'static str,
    body: impl Into<axum::body::Bytes>,
) -> Response {
    let gzip = accepts_gzip(headers);
    let gzip_etag = etag
        .strip_suffix('"')
        .map(|open| format!("{open}-gzip\""))
        .unwrap_or_else(|| etag.to_owned());
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == etag || t == gzip_etag || t == "*")
        });
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else if gzip {
        let mut r = compressed(etag, body.into()).into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        body.into().into_response()
    };
    let h = response.headers_mut();
    let shown = if gzip { &gzip_etag } else { etag };
    if let Ok(v) = HeaderValue::from_str(shown) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(cache_control) {
        h.insert(header::CACHE_CONTROL, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if !matches {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
}

/// True when `Accept-Encoding` names gzip (or `*`) with a non-zero weight.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("").to_ascii_lowercase();
            let zero = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding == "gzip" || coding == "*") && !zero
        })
}

/// `body` gzip-compressed (best compression), computed once per document: the published
/// documents change rarely and are fetched by every verifier.
fn compressed(etag: &str, body: axum::body::Bytes) -> axum::body::Bytes {
    use std::io::Write;
    static CACHE: std::sync::LazyLock<quick_cache::sync::Cache<String, axum::body::Bytes>> =
        std::sync::LazyLock::new(|| quick_cache::sync::Cache::new(256));
    if let Some(hit) = CACHE.get(etag) {
        return hit;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(&body);
    let gz = axum::body::Bytes::from(encoder.finish().unwrap_or_default());
    CACHE.insert(etag.to_owned(), gz.clone());
    gz
}

/// A JSON response that must not be cached (it may hold a secret or private data).
pub fn private_json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1,048,576-entry list with 1% revoked, as a status-list JWT on the wire: gzip saves more
    /// than a quarter (27.5 KB → 19.7 KB). It stays about 1.29× the zlib-9 size of the raw bits,
    /// because the JWS payload is base64 of JSON that holds base64 of the zlib data, which no
    /// general compressor realigns (measured: brotli-11 1.26×, zstd-19 1.27×); only the draft's
    /// binary CWT form would come near the bits' own size.
    #[test]
    fn gzip_saves_a_quarter_of_a_large_list() {
        use std::io::Write;
        let capacity = 1u64 << 20;
        let mut list = gatepass::status_list::StatusList::new(1, capacity).unwrap();
        // A fixed pseudorandom 1%: an LCG keeps the test deterministic.
        let mut x: u64 = 42;
        for _ in 0..capacity / 100 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            list.set((x >> 11) % capacity, 1).unwrap();
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(list.as_bytes()).unwrap();
        let limit = z.finish().unwrap().len();
        let payload = serde_json::json!({"sub": "https://issuer.example/v1/status-lists/1", "iat": 1, "exp": 2,
            "ttl": 60, "version": 7, "status_list": {"bits": 1, "lst": list.encode()}});
        let jwt = format!(
            "eyJhbGciOiJFZERTQSIsImtpZCI6IjV4In0.{}.{}",
            gatepass::base64url_encode(payload.to_string().as_bytes()),
            "s".repeat(86)
        );
        let plain = jwt.len();
        let gz = compressed("\"test-large-list\"", axum::body::Bytes::from(jwt)).len();
        let ratio = gz as f64 / limit as f64;
        eprintln!("1M entries, 1% revoked: {plain} B plain, {gz} B gzip, zlib-9 of the bits {limit} B: {ratio:.3}×");
        assert!(
            gz * 4 <= plain * 3,
            "gzip saves at least a quarter: {gz} of {plain} B"
        );
        assert!(ratio < 1.35, "{ratio:.3}× the compression limit");
    }
}
