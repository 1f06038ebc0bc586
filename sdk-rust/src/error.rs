//! The two error types of the crate: [`TokenError`] for a token that does not verify,
//! [`ConfigError`] for inputs (JWKS, status lists, options) that cannot be used at all.
//!
//! Token errors carry one stable [`ErrorCode`]; its string form is the contract shared by the
//! Rust, Python and Node SDKs (docs/protocol.md, "Verification, step by step"). Messages are for people and never contain the token.

use std::fmt;

/// Why a token was refused. The string forms ([`ErrorCode::as_str`]) are stable and identical
/// in every gatepass SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// Not a well-formed gatepass token: size, encoding, JSON shape or claim types.
    Malformed,
    /// The header names an algorithm that is not accepted, or one the key cannot use.
    UnsupportedAlgorithm,
    /// No key in the key set has the token's `kid`.
    UnknownKey,
    /// The signature does not verify with the token's key.
    BadSignature,
    /// The header `typ` is not `gatepass+jwt`.
    WrongType,
    /// `iss` is not the configured issuer.
    WrongIssuer,
    /// `aud` does not match the verifier's audiences.
    WrongAudience,
    /// The token is past `exp` (plus leeway).
    Expired,
    /// `nbf` or `iat` is in the future (beyond leeway).
    NotYetValid,
    /// The token's status-list entry says it is not valid.
    Revoked,
    /// The token's revocation status cannot be known right now.
    StatusUnavailable,
    /// The token lacks a scope that `require` asked for.
    InsufficientScope,
    /// The token belongs to another workspace than `require` asked for.
    WrongWorkspace,
}

impl ErrorCode {
    /// Every code, in the order of the verification steps (docs/protocol.md).
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::Malformed,
        ErrorCode::UnsupportedAlgorithm,
        ErrorCode::UnknownKey,
        ErrorCode::BadSignature,
        ErrorCode::WrongType,
        ErrorCode::WrongIssuer,
        ErrorCode::WrongAudience,
        ErrorCode::Expired,
        ErrorCode::NotYetValid,
        ErrorCode::Revoked,
        ErrorCode::StatusUnavailable,
        ErrorCode::InsufficientScope,
        ErrorCode::WrongWorkspace,
    ];

    /// The stable string form, e.g. `"bad_signature"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::WrongType => "wrong_type",
            ErrorCode::WrongIssuer => "wrong_issuer",
            ErrorCode::WrongAudience => "wrong_audience",
            ErrorCode::Expired => "expired",
            ErrorCode::NotYetValid => "not_yet_valid",
            ErrorCode::Revoked => "revoked",
            ErrorCode::StatusUnavailable => "status_unavailable",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::WrongWorkspace => "wrong_workspace",
        }
    }

    /// Parses the stable string form back into a code.
    pub fn from_str_code(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// True for the codes that an HTTP API answers with 403 (the token is fine, but not for
    /// this request); every other code is a 401 `invalid_token` (RFC 6750 §3.1).
    pub const fn is_forbidden(self) -> bool {
        matches!(
            self,
            ErrorCode::InsufficientScope | ErrorCode::WrongWorkspace
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token that did not verify: a stable [`ErrorCode`] plus a message for people.
///
/// The message never contains the token or any part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    code: ErrorCode,
    message: &'static str,
}

impl TokenError {
    pub(crate) const fn new(code: ErrorCode, message: &'static str) -> Self {
        TokenError { code, message }
    }

    /// The stable code as a string, e.g. `"expired"`: the same in every gatepass SDK.
    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    /// The code as an enum.
    pub fn kind(&self) -> ErrorCode {
        self.code
    }

    /// A short human explanation (never contains the token).
    pub fn message(&self) -> &'static str {
        self.message
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for TokenError {}

/// Inputs the verifier cannot be built from: a bad JWKS, a bad status list, bad options, or
/// (online) an issuer that could not be loaded in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }

    /// A configuration error with this message, for wrappers that validate their own options
    /// (the Python and Node bindings) so every configuration problem has one type.
    pub fn from_message(message: impl Into<String>) -> Self {
        ConfigError::new(message)
    }

    /// What is wrong, naming the input and the problem.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with a context prefix, e.g. `status list <uri>: …`.
    pub(crate) fn context(self, what: impl fmt::Display) -> Self {
        ConfigError {
            message: format!("{what}: {}", self.message),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_spec_list_in_order() {
        let spec = [
            "malformed",
            "unsupported_algorithm",
            "unknown_key",
            "bad_signature",
            "wrong_type",
            "wrong_issuer",
            "wrong_audience",
            "expired",
            "not_yet_valid",
            "revoked",
            "status_unavailable",
            "insufficient_scope",
            "wrong_workspace",
        ];
        let ours: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(ours, spec);
        for s in spec {
            assert_eq!(ErrorCode::from_str_code(s).map(|c| c.as_str()), Some(s));
        }
        assert_eq!(ErrorCode::from_str_code("nope"), None);
    }

    #[test]
    fn only_scope_and_workspace_are_forbidden() {
        let forbidden: Vec<_> = ErrorCode::ALL
            .into_iter()
            .filter(|c| c.is_forbidden())
            .collect();
        assert_eq!(
            forbidden,
            [ErrorCode::InsufficientScope, ErrorCode::WrongWorkspace]
        );
    }
}
