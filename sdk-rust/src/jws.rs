//! Compact JWS (RFC 7515 §7.1) verification, steps 3 to 8 of docs/protocol.md ("Verification, step by step"), shared by tokens
//! (`typ` `gatepass+jwt`) and status lists (`typ` `statuslist+jwt`).
//!
//! The header must hold exactly `alg`, `typ` and `kid`: anything else (`crit`, `jku`, `jwk`,
//! `x5u`, `x5c`, `b64`, `cty`, …) could change how the token is read, so it is refused
//! outright rather than half-understood (RFC 8725 §2.3, §3.1). Keys come only from the key set.

use serde_json::Value;

use crate::algorithm::Algorithm;
use crate::error::{ErrorCode, TokenError};
use crate::jwks::KeySet;
use crate::{b64, json};

/// The expected `typ` of a gatepass token.
pub const TOKEN_TYPE: &str = "gatepass+jwt";
/// The expected `typ` of a status list token.
pub const STATUS_LIST_TYPE: &str = "statuslist+jwt";
/// The `typ` of a push-channel event (a status change or a snapshot of list versions), so it can
/// never be taken for a token or a status list.
pub const STATUS_EVENT_TYPE: &str = "gatepass-event+jwt";

const fn err(code: ErrorCode, message: &'static str) -> TokenError {
    TokenError::new(code, message)
}

/// The three decoded segments of a compact JWS, plus where the signing input ends.
pub(crate) struct Compact<'a> {
    signing_input: &'a [u8],
    header: Vec<u8>,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> Compact<'a> {
    /// Step 3: exactly three non-empty, canonical base64url segments.
    pub(crate) fn split(jws: &'a str) -> Result<Self, TokenError> {
        const BAD_SHAPE: TokenError = err(
            ErrorCode::Malformed,
            "a token must be three non-empty base64url segments separated by dots",
        );
        let bytes = jws.as_bytes();
        let mut dots = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'.')
            .map(|(i, _)| i);
        let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
            return Err(BAD_SHAPE);
        };
        let (h, p, s) = (
            &bytes[..first],
            &bytes[first + 1..second],
            &bytes[second + 1..],
        );
        if h.is_empty() || p.is_empty() || s.is_empty() {
            return Err(BAD_SHAPE);
        }
        const NOT_B64: TokenError = err(
            ErrorCode::Malformed,
            "a token segment is not canonical base64url without padding",
        );
        let (Some(header), Some(payload), Some(signature)) =
            (b64::decode(h), b64::decode(p), b64::decode(s))
        else {
            return Err(NOT_B64);
        };
        Ok(Compact {
            signing_input: &bytes[..second],
            header,
            payload,
            signature,
        })
    }

    /// Steps 4 to 8: header shape, algorithm, type, key, signature. Returns the payload bytes
    /// (not yet parsed) once the signature is known good.
    /// `keys` is `None` while an online verifier has not loaded its key set yet.
    pub(crate) fn verify(
        self,
        keys: Option<&KeySet>,
        expected_typ: &str,
    ) -> Result<Vec<u8>, TokenError> {
        let header = Header::parse(&self.header)?;
        let keys = keys.ok_or(err(
            ErrorCode::UnknownKey,
            "the issuer's keys are not loaded yet",
        ))?;
        let alg = Algorithm::from_jose(&header.alg)
            .filter(|a| keys.publishes(*a))
            .ok_or(err(
                ErrorCode::UnsupportedAlgorithm,
                "the token's algorithm is not one this issuer signs with",
            ))?;
        if header.typ != expected_typ {
            return Err(err(
                ErrorCode::WrongType,
                "the token's \"typ\" header is not the expected type",
            ));
        }
        let key = keys.get(&header.kid).ok_or(err(
            ErrorCode::UnknownKey,
            "no published key has the token's \"kid\"",
        ))?;
        if !key.accepts(alg) {
            return Err(err(
                ErrorCode::UnsupportedAlgorithm,
                "the token's algorithm does not match its key",
            ));
        }
        if !key.verify(self.signing_input, &self.signature) {
            return Err(err(
                ErrorCode::BadSignature,
                "the token's signature is not valid",
            ));
        }
        Ok(self.payload)
    }
}

/// The protected header, exactly as docs/protocol.md ("Tokens") allows it.
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

impl Header {
    /// Step 4: a JSON object without duplicates holding exactly `alg`, `typ`, `kid`, all strings.
    fn parse(bytes: &[u8]) -> Result<Header, TokenError> {
        const BAD: TokenError = err(
            ErrorCode::Malformed,
            "the token header must be a JSON object with exactly \"alg\", \"typ\" and \"kid\" strings",
        );
        let mut map = json::parse_object(bytes).ok_or(BAD)?;
        if map.len() != 3 {
            return Err(BAD);
        }
        let mut take = |name: &str| match map.remove(name) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(BAD),
        };
        Ok(Header {
            alg: take("alg")?,
            typ: take("typ")?,
            kid: take("kid")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(jws: &str) -> &'static str {
        match Compact::split(jws) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn shape_rules() {
        assert_eq!(code("eyJ9.eyJ9.AAAA"), "ok");
        for bad in [
            "eyJ9.eyJ9",
            "eyJ9.eyJ9.AAAA.AAAA",
            "a.b.c.d.e",
            ".eyJ9.AAAA",
            "eyJ9..AAAA",
            "eyJ9.eyJ9.",
            "eyJ9.eyJ9.AA==",
        ] {
            assert_eq!(code(bad), "malformed", "{bad}");
        }
        assert_eq!(code("eyJ9.eyJ9.AAA B"), "malformed");
        assert_eq!(
            code("eyJ9.eyJ9.AR"),
            "malformed",
            "non-canonical trailing bits"
        );
    }

    #[test]
    fn header_rules() {
        let ok = br#"{"alg":"EdDSA","typ":"gatepass+jwt","kid":"k"}"#;
        assert!(Header::parse(ok).is_ok());
        for bad in [
            &br#"{"alg":"EdDSA","typ":"gatepass+jwt"}"#[..],
            br#"{"alg":"EdDSA","typ":"gatepass+jwt","kid":"k","crit":["b64"]}"#,
            br#"{"alg":"EdDSA","typ":"gatepass+jwt","kid":"k","kid":"k"}"#,
            br#"{"alg":"EdDSA","typ":"gatepass+jwt","kid":1}"#,
            br#"["EdDSA","gatepass+jwt","k"]"#,
            b"null",
            b"\xff",
        ] {
            assert!(
                Header::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
