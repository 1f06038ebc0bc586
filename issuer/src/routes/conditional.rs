//! Serving the public documents (discovery, JWKS, the list index, status lists, the page's
//! assets): conditional GETs with strong ETags, `Cache-Control`, gzip when the client asks, and
//! the choice between a status list's two forms by `Accept` — all keyed so that a CDN or
//! reverse proxy can cache every one of them (`Vary`).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// How one representation of a document is served.
#[derive(Debug, Clone, Copy)]
pub struct Representation<'a> {
    /// Its strong ETag.
    pub etag: &'a str,
    /// The `Cache-Control` value.
    pub cache_control: &'a str,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// Whether to gzip it for clients that accept gzip (not for bytes already compressed).
    pub compressible: bool,
    /// The request headers the choice of representation depends on (`Vary`).
    pub vary: &'static str,
}

/// A cacheable document: 304 when `If-None-Match` matches, else the body with `ETag` and
/// `Cache-Control: public, max-age`.
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
pub fn cached_with(
    headers: &HeaderMap,
    etag: &str,
    cache_control: &str,
    content_type: &'static str,
    body: impl Into<axum::body::Bytes>,
) -> Response {
    Representation {
        etag,
        cache_control,
        content_type,
        compressible: true,
        vary: "accept-encoding",
    }
    .serve(headers, body)
}

impl Representation<'_> {
    /// Answers a GET for this representation.
    ///
    /// A client that accepts gzip gets a compressible document gzip-compressed (compressed once
    /// per document, then kept), with its own strong ETag (`"…-gzip"`: another representation,
    /// RFC 9110 §8.8.3), so caches and CDNs keep the two apart. `If-None-Match` with either
    /// ETag answers 304: both stand for the same bytes once decoded.
    pub fn serve(self, headers: &HeaderMap, body: impl Into<axum::body::Bytes>) -> Response {
        let gzip = self.compressible && accepts_gzip(headers);
        let etag = self.etag;
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
                    .any(|t| t == etag || (self.compressible && t == gzip_etag) || t == "*")
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
        if let Ok(v) = HeaderValue::from_str(self.cache_control) {
            h.insert(header::CACHE_CONTROL, v);
        }
        h.insert(header::VARY, HeaderValue::from_static(self.vary));
        if !matches {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
        }
        response
    }
}

/// The items of every `name` header with their weights (`q`, default 1), lower-cased:
/// `"a;q=0.5, B"` → `[("a", 0.5), ("b", 1.0)]`. Other parameters are ignored; a weight that
/// is not a number counts as 0 (RFC 9110 §12.4.2 allows three decimals in 0–1).
fn weighted(headers: &HeaderMap, name: header::HeaderName) -> Vec<(String, f32)> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let value = parts.next().filter(|v| !v.is_empty())?.to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .map_or(1.0, |q| q.parse::<f32>().unwrap_or(0.0));
            Some((value, q))
        })
        .collect()
}

/// True when `Accept-Encoding` names gzip (or `*`) with a non-zero weight.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    weighted(headers, header::ACCEPT_ENCODING)
        .iter()
        .any(|(coding, q)| (coding == "gzip" || coding == "*") && *q > 0.0)
}

/// The weight `Accept` gives `media_type` (`type/subtype`, lower case): that of the most
/// specific range that matches it (RFC 9110 §12.5.1: `type/subtype` over `type/*` over
/// `*/*`), 0 when none does, 1 without an `Accept` header.
fn accept_weight(headers: &HeaderMap, media_type: &str) -> f32 {
    let ranges = weighted(headers, header::ACCEPT);
    if ranges.is_empty() {
        return 1.0;
    }
    let major = media_type.split('/').next().unwrap_or(media_type);
    let specificity = |range: &str| {
        if range == media_type {
            Some(3)
        } else if range.strip_suffix("/*") == Some(major) {
            Some(2)
        } else if range == "*/*" {
            Some(1)
        } else {
            None
        }
    };
    ranges
        .iter()
        .filter_map(|(range, q)| specificity(range).map(|s| (s, *q)))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map_or(0.0, |(_, q)| q)
}

/// True when the client prefers `offered` to `default` (a strictly higher weight): the default
/// wins ties, an absent `Accept`, and requests that accept neither (served rather than 406,
/// as most servers do).
pub fn prefers(headers: &HeaderMap, offered: &str, default: &str) -> bool {
    accept_weight(headers, offered) > accept_weight(headers, default)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    }

    const CWT: &str = "application/statuslist+cwt";
    const JWT: &str = "application/statuslist+jwt";

    #[test]
    fn accept_picks_the_most_specific_range() {
        let cases = [
            // (Accept, CWT preferred)
            ("", false),
            ("*/*", false),
            ("application/statuslist+cwt", true),
            ("application/statuslist+jwt", false),
            (
                "application/statuslist+cwt, application/statuslist+jwt;q=0.9",
                true,
            ),
            (
                "application/statuslist+cwt;q=0.5, application/statuslist+jwt",
                false,
            ),
            ("application/statuslist+cwt;q=0.5, */*;q=0.1", true),
            ("application/*;q=0.2, application/statuslist+cwt", true),
            ("Application/StatusList+CWT", true),
            ("application/statuslist+cwt;q=0", false),
            ("text/html", false),
        ];
        for (accept, cwt) in cases {
            let h = if accept.is_empty() {
                HeaderMap::new()
            } else {
                with(header::ACCEPT, accept)
            };
            assert_eq!(prefers(&h, CWT, JWT), cwt, "Accept: {accept:?}");
        }
    }

    #[test]
    fn gzip_needs_a_positive_weight() {
        for (value, yes) in [
            ("gzip", true),
            ("br, gzip;q=0.5", true),
            ("*", true),
            ("gzip;q=0", false),
            ("gzip;q=0.0", false),
            ("identity", false),
            ("br", false),
        ] {
            assert_eq!(
                accepts_gzip(&with(header::ACCEPT_ENCODING, value)),
                yes,
                "{value}"
            );
        }
    }

    /// A 1,048,576-entry list with 1% revoked on the wire. As a JWT, gzip saves more than a
    /// quarter (27.5 KB → 19.7 KB), but it stays about 1.29× the zlib-9 size of the raw bits:
    /// the JWS payload is base64 of JSON that holds base64 of the zlib data, which no general
    /// compressor realigns (measured: brotli-11 1.26×, zstd-19 1.27×). The CWT form carries the
    /// zlib bytes as they are.
    #[test]
    fn a_large_list_near_the_compression_limit() {
        let capacity = 1u64 << 20;
        let mut list = gatepass::status_list::StatusList::new(1, capacity).unwrap();
        // A fixed pseudorandom 1%: an LCG keeps the test deterministic.
        let mut x: u64 = 42;
        for _ in 0..capacity / 100 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            list.set((x >> 11) % capacity, 1).unwrap();
        }
        // The limit: the bits compressed by zlib at level 9 in one stream. The list's own `lst`
        // is compressed in chunks, as the issuer serves it.
        let limit = list.compress().len();
        let compressed_bits = crate::status::ChunkedZlib::new(list.as_bytes())
            .unwrap()
            .zlib();
        let claims = gatepass::status_list::ListClaims {
            sub: "https://issuer.example/v1/status-lists/1",
            iat: 1_700_000_000,
            exp: Some(1_700_086_400),
            ttl: Some(60),
            version: Some(7),
            bits: 1,
            lst: &compressed_bits,
        };
        let jwt = format!(
            "eyJhbGciOiJFZERTQSIsImtpZCI6IjV4In0.{}.{}",
            gatepass::base64url_encode(claims.to_json().to_string().as_bytes()),
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

        // The same claims as a CWT (with a signature's worth of bytes) are within 1.15× of that
        // limit.
        let cwt = gatepass::status_list::sign_cwt(&claims, gatepass::Algorithm::EdDsa, "k", |_| {
            Ok::<_, ()>(vec![0; 64])
        })
        .unwrap();
        let cwt_ratio = cwt.len() as f64 / limit as f64;
        eprintln!("as a CWT: {} B, {cwt_ratio:.3}×", cwt.len());
        assert!(cwt_ratio <= 1.15, "{cwt_ratio:.3}× the compression limit");
    }
}
