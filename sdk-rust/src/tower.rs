//! A [tower] layer (feature `tower`): every request must carry a Bearer token that passes
//! [`Verifier::require`] with the layer's scopes and workspace; the verified [`Claims`] go into
//! the request's extensions, and a refused request is answered with the one answer of
//! [`crate::http`], without reaching the inner service. Works with any tower-based HTTP server
//! (axum, hyper, tonic's HTTP layer) whose response body can be made from a `String`.
//!
//! ```
//! use gatepass::tower::RequireLayer;
//! # let (jwks, uri, list, _token) = gatepass::doc_example();
//! # let verifier = gatepass::Verifier::offline("https://issuer.example", jwks).status_list(uri, list).build().unwrap();
//! let layer = RequireLayer::new(verifier).scopes(["user:read"]).workspace("acme");
//! # let _ = layer;
//! ```
//!
//! [tower]: https://docs.rs/tower

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderName, HeaderValue, Request, Response, StatusCode};

use crate::http::Rejection;
use crate::{Claims, Verifier};

/// The layer; clone it freely (the verifier is shared).
#[derive(Clone)]
pub struct RequireLayer {
    verifier: Verifier,
    scopes: Arc<[String]>,
    workspace: Option<Arc<str>>,
}

impl RequireLayer {
    /// Requires a token that verifies (no scope, any workspace) until told more.
    pub fn new(verifier: Verifier) -> RequireLayer {
        RequireLayer {
            verifier,
            scopes: Arc::from(Vec::new()),
            workspace: None,
        }
    }

    /// Every one of `scopes` must be in the token.
    pub fn scopes<I, S>(mut self, scopes: I) -> RequireLayer
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The token must be for `workspace`.
    pub fn workspace(mut self, workspace: impl Into<String>) -> RequireLayer {
        self.workspace = Some(Arc::from(workspace.into()));
        self
    }

    /// The claims of a request with these headers, or the answer refusing it.
    ///
    /// # Errors
    /// The [`Rejection`] to send.
    pub fn check(&self, headers: &http::HeaderMap) -> Result<Claims, Rejection> {
        crate::http::require(
            &self.verifier,
            authorization(headers),
            &self.scopes,
            self.workspace.as_deref(),
        )
    }
}

impl<S> tower_layer::Layer<S> for RequireLayer {
    type Service = Require<S>;

    fn layer(&self, inner: S) -> Require<S> {
        Require {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service the layer wraps around `S`.
#[derive(Clone)]
pub struct Require<S> {
    inner: S,
    layer: RequireLayer,
}

/// The `Authorization` value of a request, when it is text.
pub(crate) fn authorization(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// A refused request as an HTTP response whose body is made from the problem text.
pub fn response<B: From<String>>(rejection: &Rejection) -> Response<B> {
    let mut response = Response::new(B::from(rejection.body().to_owned()));
    *response.status_mut() =
        StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    for (name, value) in rejection.headers() {
        if let Ok(value) = HeaderValue::from_str(value) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(lowercase(name)), value);
        }
    }
    response
}

/// The three header names of a [`Rejection`], in the lower case `http` wants.
fn lowercase(name: &str) -> &'static str {
    match name {
        "WWW-Authenticate" => "www-authenticate",
        "Content-Type" => "content-type",
        _ => "cache-control",
    }
}

impl<S, ReqBody, ResBody> tower_service::Service<Request<ReqBody>> for Require<S>
where
    S: tower_service::Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    ResBody: From<String> + Send + 'static,
    S::Error: 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResBody>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        match self.layer.check(req.headers()) {
            Ok(claims) => {
                req.extensions_mut().insert(claims);
                Box::pin(self.inner.call(req))
            }
            Err(refused) => {
                let answer = response(&refused);
                Box::pin(async move { Ok(answer) })
            }
        }
    }
}
