//! # gatepass: verify API tokens locally
//!
//! gatepass tokens are compact JWS (EdDSA or ES256) signed by a gatepass issuer, which
//! publishes its keys as a JWKS and its revocations as IETF Token Status Lists. This crate
//! verifies a token in microseconds with no network call: signature, claims, expiry and
//! revocation status, with one stable error code per failure, the same in the Python and Node
//! SDKs that wrap it.
//!
//! Offline, from bytes (for air-gapped services and tests):
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let (jwks, uri, list, token) = gatepass::doc_example();
//! let verifier = gatepass::Verifier::offline("https://issuer.example", jwks)
//!     .status_list(uri, list)
//!     .build()?;
//! let claims = verifier.require(&token, &["user:read"], Some("acme"))?;
//! assert_eq!(claims.subject(), "user_42");
//!
//! let err = verifier.require(&token, &["admin:write"], None).unwrap_err();
//! assert_eq!(err.code(), "insufficient_scope");
//! # Ok(())
//! # }
//! ```
//!
//! Online (feature `online`, on by default), from the issuer URL alone, with keys and status
//! lists refreshed on a background thread: see [`Verifier::builder`].

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod algorithm;
mod b64;
mod cache;
mod claims;
pub mod clock;
pub use clock::Clock;
#[cfg(feature = "axum")]
pub mod axum;
mod crypto;
mod error;
#[cfg(feature = "__fuzz")]
#[doc(hidden)]
pub mod fuzz_entry;
pub mod http;
mod json;
mod jwks;
mod jws;
#[cfg(feature = "online")]
mod online;
pub mod status_list;
#[cfg(feature = "tower")]
pub mod tower;
mod verifier;

#[doc(hidden)]
pub mod doc_support;

pub use algorithm::Algorithm;
pub use claims::{Claims, StatusRef};
pub use error::{ConfigError, ErrorCode, TokenError};
pub use jwks::{jwk_thumbprint, KeySet};
pub use jws::{STATUS_EVENT_TYPE, STATUS_LIST_TYPE, TOKEN_TYPE};
#[cfg(feature = "online")]
pub use online::{
    OnlineBuilder, PushStatus, Startup, DEFAULT_HTTP_TIMEOUT, DEFAULT_MAX_STALENESS,
    DEFAULT_REFRESH_INTERVAL, DEFAULT_STARTUP_TIMEOUT, DEFAULT_UNKNOWN_KEY_COOLDOWN,
    DEFAULT_USAGE_REPORT_INTERVAL,
};
pub use verifier::{
    seconds_option, OfflineBuilder, Verifier, DEFAULT_CACHE_SIZE, DEFAULT_LEEWAY, DEFAULT_PREFIX,
    MAX_TOKEN_BYTES,
};

#[doc(hidden)]
pub use doc_support::doc_example;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// base64url without padding, as JWS uses it (exposed for the issuer and tests).
pub fn base64url_encode(bytes: &[u8]) -> String {
    b64::encode(bytes)
}
