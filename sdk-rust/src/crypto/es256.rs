//! ECDSA P-256 / SHA-256 with the JWS signature form: exactly 64 bytes, `r || s`
//! (RFC 7518 §3.4). A DER-encoded signature is refused, and so are `r` or `s` outside
//! `1 ..= n-1` (the "psychic signatures" class of bug, CVE-2022-21449).

use aws_lc_rs::signature::{ParsedPublicKey, ECDSA_P256_SHA256_FIXED};

use super::less_than_be;

/// The order n of the P-256 group, big-endian.
const ORDER_BE: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// A parsed, on-curve P-256 public key.
pub(crate) struct P256Key {
    parsed: ParsedPublicKey,
}

impl P256Key {
    /// From the JWK's `x` and `y` (32 bytes each, big-endian); `None` if not a curve point.
    pub(crate) fn from_coordinates(x: &[u8], y: &[u8]) -> Option<Self> {
        if x.len() != 32 || y.len() != 32 {
            return None;
        }
        let mut sec1 = [0u8; 65];
        sec1[0] = 0x04;
        sec1[1..33].copy_from_slice(x);
        sec1[33..].copy_from_slice(y);
        ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, sec1)
            .ok()
            .map(|parsed| P256Key { parsed })
    }

    /// True when `signature` (`r || s`) is a valid signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        if signature.len() != 64 {
            return false;
        }
        let (r, s) = signature.split_at(32);
        if !in_scalar_range(r) || !in_scalar_range(s) {
            return false;
        }
        self.parsed.verify_sig(message, signature).is_ok()
    }
}

/// `1 <= v < n`.
fn in_scalar_range(v: &[u8]) -> bool {
    v.iter().any(|b| *b != 0) && less_than_be(v, &ORDER_BE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_range_excludes_zero_and_n() {
        assert!(!in_scalar_range(&[0u8; 32]));
        assert!(!in_scalar_range(&ORDER_BE));
        assert!(!in_scalar_range(&[0xff; 32]));
        let mut n_minus_1 = ORDER_BE;
        n_minus_1[31] -= 1;
        assert!(in_scalar_range(&n_minus_1));
        let mut one = [0u8; 32];
        one[31] = 1;
        assert!(in_scalar_range(&one));
    }

    #[test]
    fn off_curve_points_are_refused() {
        assert!(P256Key::from_coordinates(&[1u8; 32], &[2u8; 32]).is_none());
        assert!(P256Key::from_coordinates(&[1u8; 31], &[2u8; 32]).is_none());
    }
}
