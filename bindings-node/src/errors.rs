//! Errors cross into JavaScript as data: an `Error` whose `code` is the stable code
//! (`index.js` re-creates it as a `TokenError`), or `invalid_config` for configuration errors.

use napi::{Error, Status};

/// The prefix `index.js` recognises on a token error's message: `gatepass:<code>:<message>`.
pub const TOKEN_ERROR_MARK: &str = "gatepass:";

pub fn token_error(e: &gatepass::TokenError) -> Error {
    Error::new(
        Status::GenericFailure,
        format!("{TOKEN_ERROR_MARK}{}:{}", e.code(), e.message()),
    )
}

pub fn config_error(e: &gatepass::ConfigError) -> Error {
    Error::new(
        Status::InvalidArg,
        format!("{TOKEN_ERROR_MARK}invalid_config:{}", e.message()),
    )
}
