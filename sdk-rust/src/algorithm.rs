//! The signature algorithms gatepass accepts. There are exactly two, and nothing else is ever
//! looked up by name: RFC 8725 §3.1 asks verifiers to allow-list algorithms.

use std::fmt;

/// A JWS algorithm gatepass signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Ed25519 (RFC 8037). The header may name it `EdDSA` or, per RFC 9864, `Ed25519`.
    EdDsa,
    /// ECDSA over P-256 with SHA-256 (RFC 7518 §3.4), signatures as 64-byte `r || s`.
    Es256,
}

impl Algorithm {
    /// Reads a JOSE `alg` name, case-sensitively: `EdDSA`, `Ed25519` or `ES256`.
    pub fn from_jose(name: &str) -> Option<Algorithm> {
        match name {
            "EdDSA" | "Ed25519" => Some(Algorithm::EdDsa),
            "ES256" => Some(Algorithm::Es256),
            _ => None,
        }
    }

    /// The name gatepass writes into headers and JWKs: `EdDSA` or `ES256`.
    pub const fn jose_name(self) -> &'static str {
        match self {
            Algorithm::EdDsa => "EdDSA",
            Algorithm::Es256 => "ES256",
        }
    }
}

impl Algorithm {
    /// Reads a COSE `alg` (RFC 9053 §2, IANA "COSE Algorithms"): -8 (`EdDSA`) or -19
    /// (`Ed25519`, RFC 9864) for Ed25519, -7 for ES256.
    pub fn from_cose(id: i64) -> Option<Algorithm> {
        match id {
            -8 | -19 => Some(Algorithm::EdDsa),
            -7 => Some(Algorithm::Es256),
            _ => None,
        }
    }

    /// The COSE `alg` gatepass writes: -8 (`EdDSA`, the widest supported) or -7 (`ES256`).
    pub const fn cose_id(self) -> i64 {
        match self {
            Algorithm::EdDsa => -8,
            Algorithm::Es256 => -7,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jose_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_sensitive_and_closed() {
        assert_eq!(Algorithm::from_jose("EdDSA"), Some(Algorithm::EdDsa));
        assert_eq!(Algorithm::from_jose("Ed25519"), Some(Algorithm::EdDsa));
        assert_eq!(Algorithm::from_jose("ES256"), Some(Algorithm::Es256));
        for bad in [
            "eddsa", "EDDSA", "es256", "none", "HS256", "RS256", "ES384", "", "Ed448",
        ] {
            assert_eq!(Algorithm::from_jose(bad), None, "{bad}");
        }
    }

    #[test]
    fn cose_ids_round_trip_and_nothing_else_is_read() {
        for alg in [Algorithm::EdDsa, Algorithm::Es256] {
            assert_eq!(Algorithm::from_cose(alg.cose_id()), Some(alg));
        }
        assert_eq!(Algorithm::from_cose(-19), Some(Algorithm::EdDsa));
        // HMAC 256/256 (5), ES384 (-35), PS256 (-37), RS256 (-257): never accepted.
        for bad in [0, 5, -35, -37, -257, 1, 7, 8] {
            assert_eq!(Algorithm::from_cose(bad), None, "{bad}");
        }
    }
}
