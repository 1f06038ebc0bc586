//! The one HTTP answer for a request whose token is missing or failed, shared by every framework
//! helper (Rust, Python, Node) and the issuer, so all answer byte for byte alike
//! (docs/protocol.md#answering-a-failed-token):
//!
//! - no credentials → 401 with `WWW-Authenticate: Bearer realm="gatepass"` and no error code
//!   (RFC 6750 §3.1);
//! - a token that does not verify → 401 `invalid_token`;
//! - `insufficient_scope` or `wrong_workspace` → 403 `insufficient_scope`, naming the scopes the
//!   route requires;
//!
//! each with an RFC 9457 `application/problem+json` body whose `code` is the verifier's error
//! code, and `Cache-Control: no-store`.
//!
//! ```
//! use gatepass::http::{bearer_token, Rejection};
//! # let (jwks, uri, list, token) = gatepass::doc_example();
//! # let verifier = gatepass::Verifier::offline("https://issuer.example", jwks).status_list(uri, list).build().unwrap();
//! let header = format!("Bearer {token}");
//! let answer = match bearer_token(Some(&header)) {
//!     None => Rejection::missing_token(),
//!     Some(token) => match verifier.require(token, &["admin:write"], None) {
//!         Ok(_claims) => unreachable!("the example token lacks admin:write"),
//!         Err(err) => Rejection::for_error(&err, &["admin:write"]),
//!     },
//! };
//! assert_eq!(answer.status(), 403);
//! assert!(answer.www_authenticate().contains(r#"scope="admin:write""#));
//! ```

use serde::Serialize;

use crate::{ErrorCode, TokenError};

/// The `realm` of every challenge.
pub const REALM: &str = "gatepass";
/// The body's media type (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, spaces
/// after it skipped); `None` when there is no header, another scheme, or no token: a request
/// without credentials.
pub fn bearer_token(authorization: Option<&str>) -> Option<&str> {
    let (scheme, rest) = authorization?.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim_start_matches(' ');
    (!token.is_empty()).then_some(token)
}

/// What every framework helper does with a request: the Bearer token of its `Authorization`
/// value, checked by [`Verifier::require`](crate::Verifier::require); the claims, or the answer refusing the request.
///
/// # Errors
/// The [`Rejection`] to send (no token, or the token failed).
pub fn require<S: AsRef<str>>(
    verifier: &crate::Verifier,
    authorization: Option<&str>,
    scopes: &[S],
    workspace: Option<&str>,
) -> Result<crate::Claims, Rejection> {
    let token = bearer_token(authorization).ok_or_else(Rejection::missing_token)?;
    verifier
        .require(token, scopes, workspace)
        .map_err(|e| Rejection::for_error(&e, scopes))
}

/// A refused request: status, challenge and problem body, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: u16,
    www_authenticate: String,
    body: String,
}

/// The body, members in this order.
#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    type_: String,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
}

impl Rejection {
    /// 401 for a request without a Bearer token.
    pub fn missing_token() -> Rejection {
        Rejection::new(
            401,
            format!("Bearer realm=\"{REALM}\""),
            &Problem {
                type_: problem_type("missing_token"),
                title: "Authentication required",
                status: 401,
                detail: "send a gatepass token as \"Authorization: Bearer <token>\"".into(),
                code: None,
            },
        )
    }

    /// The answer to a failed `verify` or `require`; `required_scopes` are the route's (named in
    /// a 403's challenge).
    pub fn for_error<S: AsRef<str>>(err: &TokenError, required_scopes: &[S]) -> Rejection {
        Rejection::for_code(err.kind(), err.message(), required_scopes)
    }

    /// [`Rejection::for_error`] from an error's parts (for bindings that carry the code and
    /// message across).
    pub fn for_code<S: AsRef<str>>(
        code: ErrorCode,
        message: &str,
        required_scopes: &[S],
    ) -> Rejection {
        let forbidden = code.is_forbidden();
        let (status, error, title) = if forbidden {
            (403, "insufficient_scope", "Insufficient scope")
        } else {
            (401, "invalid_token", "Invalid token")
        };
        let mut challenge = format!(
            "Bearer realm=\"{REALM}\", error=\"{error}\", error_description=\"{}\"",
            quoted(message)
        );
        let scopes: Vec<&str> = required_scopes.iter().map(AsRef::as_ref).collect();
        if forbidden && !scopes.is_empty() {
            challenge.push_str(&format!(", scope=\"{}\"", quoted(&scopes.join(" "))));
        }
        Rejection::new(
            status,
            challenge,
            &Problem {
                type_: problem_type(error),
                title,
                status,
                detail: format!("{message} ({code})"),
                code: Some(code.as_str()),
            },
        )
    }

    /// For bindings, which carry an error across as its code and message: `code` `None` is a
    /// request without credentials; `None` back for a string that is no error code.
    pub fn from_parts<S: AsRef<str>>(
        code: Option<&str>,
        message: &str,
        required_scopes: &[S],
    ) -> Option<Rejection> {
        match code {
            None => Some(Rejection::missing_token()),
            Some(code) => ErrorCode::from_str_code(code)
                .map(|kind| Rejection::for_code(kind, message, required_scopes)),
        }
    }

    fn new(status: u16, www_authenticate: String, body: &Problem<'_>) -> Rejection {
        Rejection {
            status,
            www_authenticate,
            // A struct of strings and an integer always serializes.
            body: serde_json::to_string(body).unwrap_or_default(),
        }
    }

    /// 401 or 403.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `WWW-Authenticate` value.
    pub fn www_authenticate(&self) -> &str {
        &self.www_authenticate
    }

    /// The problem+json body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Every header to send: `WWW-Authenticate`, `Content-Type`, `Cache-Control`.
    pub fn headers(&self) -> [(&'static str, &str); 3] {
        [
            ("WWW-Authenticate", &self.www_authenticate),
            ("Content-Type", PROBLEM_JSON),
            ("Cache-Control", "no-store"),
        ]
    }
}

/// `urn:gatepass:problem:<code>`.
pub fn problem_type(code: &str) -> String {
    format!("urn:gatepass:problem:{code}")
}

/// Text inside a quoted-string of a challenge: no `"` or `\` (RFC 6750 §3 allows neither in
/// `error_description` or `scope`).
pub fn quoted(text: &str) -> String {
    text.replace(['"', '\\'], "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_as_rfc_6750_says() {
        assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some("bearer   abc")), Some("abc"));
        assert_eq!(bearer_token(Some("BEARER abc")), Some("abc"));
        for none in [
            None,
            Some(""),
            Some("Bearer"),
            Some("Bearer "),
            Some("Bearer   "),
            Some("Basic abc"),
            Some("Bearerabc"),
        ] {
            assert_eq!(bearer_token(none), None, "{none:?}");
        }
    }

    #[test]
    fn answers_are_exact() {
        let missing = Rejection::missing_token();
        assert_eq!(missing.status(), 401);
        assert_eq!(missing.www_authenticate(), "Bearer realm=\"gatepass\"");
        assert_eq!(
            missing.body(),
            r#"{"type":"urn:gatepass:problem:missing_token","title":"Authentication required","status":401,"detail":"send a gatepass token as \"Authorization: Bearer <token>\""}"#
        );
        let expired = Rejection::for_code(ErrorCode::Expired, "the token has \"expired\"", &["a"]);
        assert_eq!(expired.status(), 401);
        assert_eq!(
            expired.www_authenticate(),
            "Bearer realm=\"gatepass\", error=\"invalid_token\", error_description=\"the token has 'expired'\""
        );
        assert!(
            expired.body().ends_with(r#""code":"expired"}"#),
            "{}",
            expired.body()
        );
        let scope = Rejection::for_code(
            ErrorCode::InsufficientScope,
            "lacks a scope",
            &["user:read", "x"],
        );
        assert_eq!(scope.status(), 403);
        assert!(scope
            .www_authenticate()
            .ends_with(", scope=\"user:read x\""));
        let none: [&str; 0] = [];
        let ws = Rejection::for_code(ErrorCode::WrongWorkspace, "other workspace", &none);
        assert_eq!(ws.status(), 403);
        assert!(!ws.www_authenticate().contains("scope="));
        assert_eq!(ws.headers()[2], ("Cache-Control", "no-store"));
    }

    #[test]
    fn bindings_rebuild_the_answer_from_code_and_message() {
        let none: [&str; 0] = [];
        assert_eq!(
            Rejection::from_parts(None, "", &none),
            Some(Rejection::missing_token())
        );
        assert_eq!(
            Rejection::from_parts(Some("revoked"), "the token was revoked", &none),
            Some(Rejection::for_code(
                ErrorCode::Revoked,
                "the token was revoked",
                &none
            ))
        );
        assert_eq!(Rejection::from_parts(Some("nonsense"), "", &none), None);
    }
}
