//! # gatepass-issuer
//!
//! Signs scoped, expiring API tokens (JWS, EdDSA or ES256), publishes its keys as a JWKS and
//! its revocations as IETF Token Status Lists, and serves the management REST API.
//! [`router::app`] builds the HTTP application from [`state::AppState`], so tests drive it
//! without sockets.

#![forbid(unsafe_code)]

pub mod auth;
pub mod boot;
pub mod cli;
pub mod config;
pub mod db;
pub mod edge;
pub mod keys;
pub mod metrics;
pub mod openapi;
pub mod portal;
pub mod problem;
pub mod router;
pub mod routes;
pub mod scopes;
pub mod server;
pub mod state;
pub mod status;
pub mod stream;
pub mod sync;
pub mod tokens;
pub mod webhooks;
pub mod workspaces;
