//! `GET /` and `GET /assets/{file}`: the token management page (issuer/README.md, "The token management page").
//!
//! The page is plain HTML, CSS and JavaScript modules under `issuer/web/`, embedded in the
//! binary at compile time: no build step, no CDN, nothing fetched from the internet. It talks
//! only to the public management API, with the token the person pasted.
//!
//! Every answer carries a strict Content-Security-Policy: scripts and styles only from this
//! origin (no inline script or style), requests only to this origin, no framing, and Trusted
//! Types enforced so that no string can ever reach an HTML sink (the page renders every
//! user-provided string as text).

use std::sync::OnceLock;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::keys::etag_of;
use crate::problem::{responses, ApiError};
use crate::state::AppState;

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of `issuer/web/` (a test checks that none is missing).
static ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("format.js", JS),
    asset!("dialogs.js", JS),
    asset!("menu.js", JS),
    asset!("session.js", JS),
    asset!("token-list.js", JS),
    asset!("create-dialog.js", JS),
    asset!("secret-dialog.js", JS),
    asset!("confirm-dialog.js", JS),
];

/// The page's Content-Security-Policy.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

/// The policy with the deployment's `frame_ancestors` (origins allowed to frame the page, for a
/// product that embeds it; none by default).
pub fn content_security_policy(frame_ancestors: &[String]) -> String {
    if frame_ancestors.is_empty() {
        return CONTENT_SECURITY_POLICY.to_owned();
    }
    CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'",
        &format!("frame-ancestors {}", frame_ancestors.join(" ")),
    )
}

/// The security headers of every page answer.
fn security_headers(frame_ancestors: &[String]) -> Vec<(HeaderName, HeaderValue)> {
    let csp = HeaderValue::from_str(&content_security_policy(frame_ancestors))
        .unwrap_or_else(|_| HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    let mut headers = vec![
        (header::CONTENT_SECURITY_POLICY, csp),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    if frame_ancestors.is_empty() {
        // For browsers that predate `frame-ancestors` (it cannot name allowed origins, so it is
        // left out when a product may frame the page).
        headers.push((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    }
    headers
}

/// The ETag of each asset, computed once.
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| ASSETS.iter().map(|a| etag_of(a.body)).collect())
}

/// Serves one asset; revalidated on every load (`no-cache` + ETag) so an upgraded issuer
/// never runs a stale mix of old and new modules.
fn serve(name: &str, headers: &HeaderMap, frame_ancestors: &[String]) -> Response {
    let Some(i) = ASSETS.iter().position(|a| a.name == name) else {
        return ApiError::not_found(format!("no page asset \"{name}\"")).into_response();
    };
    let asset = &ASSETS[i];
    let mut response = super::cached_with(
        headers,
        &etags()[i],
        "no-cache",
        asset.content_type,
        asset.body,
    );
    response
        .headers_mut()
        .extend(security_headers(frame_ancestors));
    response
}

/// The token management page.
#[utoipa::path(get, operation_id = "getPage", path = "/", tag = "page",
    description = "The token management page (HTML). Sign in by pasting a token with tokens:read or more.",
    responses((status = 200, description = "The page", content_type = "text/html"), (status = 304, description = "Not modified (If-None-Match)")))]
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    serve("index.html", &headers, &state.config.frame_ancestors)
}

/// A script, style sheet or icon of the page.
#[utoipa::path(get, operation_id = "getPageAsset", path = "/assets/{file}", tag = "page", params(("file" = String, Path, description = "Asset file name")),
    responses((status = 200, description = "The file"), (status = 304, description = "Not modified (If-None-Match)"), responses::NotFound))]
pub async fn asset(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve(&file, &headers, &state.config.frame_ancestors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_web_folder_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/web");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.name.to_owned()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn every_module_the_page_imports_is_embedded() {
        // `import … from "./x.js"` and `<script src="assets/x.js">` must name embedded files.
        for asset in ASSETS {
            let text = std::str::from_utf8(asset.body).unwrap();
            for piece in text
                .split("\"./")
                .skip(1)
                .chain(text.split("\"assets/").skip(1))
            {
                let name = piece.split('"').next().unwrap();
                assert!(
                    ASSETS.iter().any(|a| a.name == name),
                    "{} refers to {name}, which is not embedded",
                    asset.name
                );
            }
        }
    }
}
