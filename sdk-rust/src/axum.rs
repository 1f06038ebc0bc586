//! axum (feature `axum`): extractors for verified claims, and [`Rejection`] as a response.
//!
//! - [`Verified`]: the claims the [`crate::tower::RequireLayer`] let through (put it on a router
//!   or a route with `.layer` / `.route_layer`);
//! - [`Require<T>`]: verifies in the handler itself, with the scopes of a [`Scopes`] type and the
//!   [`Verifier`] from the router's state (`FromRef`).
//!
//! Refusals are the one answer of [`crate::http`] (401/403, `WWW-Authenticate`, problem+json).
//!
//! ```
//! use axum::{routing::get, Router};
//! use gatepass::axum::{Require, Scopes, Verified};
//! use gatepass::tower::RequireLayer;
//!
//! struct UserRead;
//! impl Scopes for UserRead {
//!     const SCOPES: &'static [&'static str] = &["user:read"];
//! }
//!
//! async fn me(Verified(claims): Verified) -> String {
//!     claims.subject().to_owned()
//! }
//!
//! async fn notes(Require(claims, ..): Require<UserRead>) -> String {
//!     format!("notes of {}", claims.subject())
//! }
//!
//! # let (jwks, uri, list, token) = gatepass::doc_example();
//! # let verifier = gatepass::Verifier::offline("https://issuer.example", jwks).status_list(uri, list).build().unwrap();
//! let app: Router = Router::new()
//!     .route("/me", get(me).route_layer(RequireLayer::new(verifier.clone())))
//!     .route("/notes", get(notes))
//!     .with_state(verifier);
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use tower::ServiceExt;
//! let call = |path: &str, auth: Option<String>| {
//!     let mut req = axum::http::Request::builder().uri(path);
//!     if let Some(auth) = auth { req = req.header("authorization", auth); }
//!     app.clone().oneshot(req.body(axum::body::Body::empty()).unwrap())
//! };
//! assert_eq!(call("/me", Some(format!("Bearer {token}"))).await.unwrap().status(), 200);
//! assert_eq!(call("/notes", Some(format!("Bearer {token}"))).await.unwrap().status(), 200);
//! let refused = call("/notes", None).await.unwrap();
//! assert_eq!(refused.status(), 401);
//! assert_eq!(refused.headers()["www-authenticate"], "Bearer realm=\"gatepass\"");
//! // The layer refuses before the handler runs.
//! assert_eq!(call("/me", Some("Bearer gp_x.y.z".into())).await.unwrap().status(), 401);
//! # });
//! ```

use std::marker::PhantomData;

use axum_core::extract::{FromRef, FromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::http::Rejection;
use crate::{Claims, Verifier};

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        crate::tower::response(&self)
    }
}

/// The claims of a request that [`crate::tower::RequireLayer`] verified. Without the layer in
/// front, every request is refused as one without credentials.
#[derive(Debug, Clone)]
pub struct Verified(pub Claims);

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Rejection> {
        parts
            .extensions
            .get::<Claims>()
            .cloned()
            .map(Verified)
            .ok_or_else(Rejection::missing_token)
    }
}

/// What a [`Require`] extractor asks of a token.
pub trait Scopes {
    /// Every one must be in the token.
    const SCOPES: &'static [&'static str];
    /// The token must be for this workspace (`None`: any).
    const WORKSPACE: Option<&'static str> = None;
}

/// Verifies the request's Bearer token in the handler with `T`'s scopes and workspace, using
/// the [`Verifier`] of the router's state.
pub struct Require<T: Scopes>(pub Claims, pub PhantomData<T>);

impl<S, T> FromRequestParts<S> for Require<T>
where
    S: Send + Sync,
    T: Scopes,
    Verifier: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Rejection> {
        let verifier = Verifier::from_ref(state);
        let header = crate::tower::authorization(&parts.headers);
        crate::http::require(&verifier, header, T::SCOPES, T::WORKSPACE)
            .map(|claims| Require(claims, PhantomData))
    }
}
