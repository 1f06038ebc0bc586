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
create_exception!(gatepass, MalformedToken, TokenError, "code `malformed`");
create_exception!(
    gatepass,
    UnsupportedAlgorithm,
    TokenError,
    "code `unsupported_algorithm`"
);
create_exception!(gatepass, UnknownKey, TokenError, "code `unknown_key`");
create_exception!(gatepass, BadSignature, TokenError, "code `bad_signature`");
create_exception!(gatepass, WrongType, TokenError, "code `wrong_type`");
create_exception!(gatepass, WrongIssuer, TokenError, "code `wrong_issuer`");
create_exception!(gatepass, WrongAudience, TokenError, "code `wrong_audience`");
create_exception!(gatepass, ExpiredToken, TokenError, "code `expired`");
create_exception!(gatepass, NotYetValid, TokenError, "code `not_yet_valid`");
create_exception!(gatepass, RevokedToken, TokenError, "code `revoked`");
create_exception!(
    gatepass,
    StatusUnavailable,
    TokenError,
    "code `status_unavailable`"
);
create_exception!(
    gatepass,
    InsufficientScope,
    TokenError,
    "code `insufficient_scope`"
);
create_exception!(
    gatepass,
    WrongWorkspace,
    TokenError,
    "code `wrong_workspace`"
);

/// The Python exception for a token error, with `code` set.
pub fn token_error(py: Python<'_>, e: &gatepass::TokenError) -> PyErr {
    use gatepass::ErrorCode as C;
    let message = e.message().to_owned();
    let err = match e.kind() {
        C::Malformed => MalformedToken::new_err(message),
        C::UnsupportedAlgorithm => UnsupportedAlgorithm::new_err(message),
        C::UnknownKey => UnknownKey::new_err(message),
        C::BadSignature => BadSignature::new_err(message),
        C::WrongType => WrongType::new_err(message),
        C::WrongIssuer => WrongIssuer::new_err(message),
        C::WrongAudience => WrongAudience::new_err(message),
        C::Expired => ExpiredToken::new_err(message),
        C::NotYetValid => NotYetValid::new_err(message),
        C::Revoked => RevokedToken::new_err(message),
        C::StatusUnavailable => StatusUnavailable::new_err(message),
        C::InsufficientScope => InsufficientScope::new_err(message),
        C::WrongWorkspace => WrongWorkspace::new_err(message),
        _ => TokenError::new_err(message),
    };
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
    m.add("MalformedToken", py.get_type::<MalformedToken>())?;
    m.add(
        "UnsupportedAlgorithm",
        py.get_type::<UnsupportedAlgorithm>(),
    )?;
    m.add("UnknownKey", py.get_type::<UnknownKey>())?;
    m.add("BadSignature", py.get_type::<BadSignature>())?;
    m.add("WrongType", py.get_type::<WrongType>())?;
    m.add("WrongIssuer", py.get_type::<WrongIssuer>())?;
    m.add("WrongAudience", py.get_type::<WrongAudience>())?;
    m.add("ExpiredToken", py.get_type::<ExpiredToken>())?;
    m.add("NotYetValid", py.get_type::<NotYetValid>())?;
    m.add("RevokedToken", py.get_type::<RevokedToken>())?;
    m.add("StatusUnavailable", py.get_type::<StatusUnavailable>())?;
    m.add("InsufficientScope", py.get_type::<InsufficientScope>())?;
    m.add("WrongWorkspace", py.get_type::<WrongWorkspace>())?;
    let codes: Vec<&str> = gatepass::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    m.add("ERROR_CODES", codes)?;
    Ok(())
}
