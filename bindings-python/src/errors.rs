//! `gatepass.TokenError` (with `.code`) and one subclass per code, and `gatepass.ConfigError`
//! (a `ValueError`). Messages never contain the token (the core guarantees it).

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;

create_exception!(
    gatepass,
    TokenError,
    PyException,
    "A token did not verify; `code` says why (one of the stable codes)."
);
create_exception!(
    gatepass,
    ConfigError,
    PyValueError,
    "The verifier cannot be built from these inputs."
);
/// One subclass of `TokenError` per code of the core, named once here: the class, its
/// constructor for an error of that code, and its registration in the module.
macro_rules! per_code {
    ($($variant:ident => $class:ident, $code:literal;)*) => {
        $(create_exception!(gatepass, $class, TokenError, concat!("code `", $code, "`"));)*

        /// The exception of `kind`, carrying `message`.
        fn exception(kind: gatepass::ErrorCode, message: String) -> PyErr {
            match kind {
                $(gatepass::ErrorCode::$variant => $class::new_err(message),)*
                // The core's enum is non-exhaustive: a code added there is still a TokenError.
                #[allow(unreachable_patterns)]
                _ => TokenError::new_err(message),
            }
        }

        fn register_per_code(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add(stringify!($class), py.get_type::<$class>())?;)*
            Ok(())
        }
    };
}

per_code! {
    Malformed => MalformedToken, "malformed";
    UnsupportedAlgorithm => UnsupportedAlgorithm, "unsupported_algorithm";
    UnknownKey => UnknownKey, "unknown_key";
    BadSignature => BadSignature, "bad_signature";
    WrongType => WrongType, "wrong_type";
    WrongIssuer => WrongIssuer, "wrong_issuer";
    WrongAudience => WrongAudience, "wrong_audience";
    Expired => ExpiredToken, "expired";
    NotYetValid => NotYetValid, "not_yet_valid";
    Revoked => RevokedToken, "revoked";
    StatusUnavailable => StatusUnavailable, "status_unavailable";
    InsufficientScope => InsufficientScope, "insufficient_scope";
    WrongWorkspace => WrongWorkspace, "wrong_workspace";
}

/// The Python exception for a token error, with `code` set.
pub fn token_error(py: Python<'_>, e: &gatepass::TokenError) -> PyErr {
    let err = exception(e.kind(), e.message().to_owned());
    // The HTTP status an API answers with (403 for scope/workspace, else 401), decided by the core.
    let status: u16 = if e.kind().is_forbidden() { 403 } else { 401 };
    let value = err.value(py);
    if let Err(set) = value
        .setattr("code", e.code())
        .and_then(|()| value.setattr("status", status))
    {
        return set;
    }
    err
}

/// `gatepass.ConfigError` from the core's error.
pub fn config_error(e: &gatepass::ConfigError) -> PyErr {
    ConfigError::new_err(e.message().to_owned())
}

pub fn register(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("TokenError", py.get_type::<TokenError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    register_per_code(py, m)?;
    let codes: Vec<&str> = gatepass::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    m.add("ERROR_CODES", codes)?;
    Ok(())
}
