//! Errors cross into JavaScript as data: a thrown `Error` whose `code` is the core's stable code
//! (`expired`, `revoked`, …) or `invalid_config`, and whose `message` is the core's message;
//! `index.js` re-creates it as a `TokenError` or `ConfigError` by that `code`, parsing nothing.
//! The error is thrown here with its code (napi's `Status` names cannot carry ours), and the
//! Rust side returns `PendingException`, so napi does not throw a second one.
//! (A rejected async task can only carry napi's own status: `connect` and `refresh` reject with
//! `InvalidArg`, which `index.js` reads as a configuration error of those two calls.)

use napi::{Env, Error, Status};

fn thrown(env: &Env, message: &str, code: &str) -> Error {
    match env.throw_error(message, Some(code)) {
        Ok(()) => Error::from_status(Status::PendingException),
        Err(e) => e,
    }
}

/// Throws a token that did not verify.
pub fn token_error(env: &Env, e: &gatepass::TokenError) -> Error {
    thrown(env, e.message(), e.code())
}

/// Throws inputs the verifier cannot be built from.
pub fn config_error(env: &Env, e: &gatepass::ConfigError) -> Error {
    thrown(env, e.message(), "invalid_config")
}

/// A configuration error of an async task (`connect`, `refresh`).
pub fn task_config_error(e: &gatepass::ConfigError) -> Error {
    Error::new(Status::InvalidArg, e.message())
}
