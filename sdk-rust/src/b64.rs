//! Canonical base64url without padding (RFC 7515 §2): the only encoding a JWS segment may use.
//!
//! The `base64` crate's URL-safe, no-padding engine already refuses padding, whitespace,
//! characters outside the alphabet and non-zero trailing bits, which is exactly "canonical".

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Decodes canonical base64url; `None` for anything else.
pub(crate) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(input).ok()
}

/// Encodes as base64url without padding.
pub fn encode(input: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_non_canonical_forms() {
        assert_eq!(decode(b"AQID"), Some(vec![1, 2, 3]));
        assert_eq!(encode(&[1, 2, 3]), "AQID");
        assert_eq!(decode(b"AQ"), Some(vec![1]));
        assert_eq!(decode(b"AR"), None, "non-zero trailing bits");
        assert_eq!(decode(b"AQ=="), None, "padding");
        assert_eq!(decode(b"A+/B"), None, "standard alphabet");
        assert_eq!(decode(b"AQ I"), None, "whitespace");
        assert_eq!(decode(b"A"), None, "impossible length");
        assert_eq!(decode(b""), Some(vec![]));
    }
}
