//! Strict Ed25519 (RFC 8032 §5.1.7 plus the usual hardening): `S` must be below the group
//! order `L` (no malleable signatures), and neither the public key nor `R` may be a point of
//! small order (no signatures that verify for many messages or many keys).

use aws_lc_rs::signature::{ParsedPublicKey, ED25519};

use super::less_than_be;

/// A parsed Ed25519 public key that passed the small-order check.
pub(crate) struct Ed25519Key {
    parsed: ParsedPublicKey,
}

/// Why an Ed25519 public key cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyProblem {
    WrongLength,
    SmallOrder,
    Rejected,
}

impl Ed25519Key {
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, KeyProblem> {
        let bytes: &[u8; 32] = bytes.try_into().map_err(|_| KeyProblem::WrongLength)?;
        if has_small_order(bytes) {
            return Err(KeyProblem::SmallOrder);
        }
        let parsed = ParsedPublicKey::new(&ED25519, bytes).map_err(|_| KeyProblem::Rejected)?;
        Ok(Ed25519Key { parsed })
    }

    /// True when `signature` is a valid, canonical Ed25519 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = <&[u8; 64]>::try_from(signature) else {
            return false;
        };
        let (r, s) = signature.split_at(32);
        if !scalar_is_canonical(s) || has_small_order(r) {
            return false;
        }
        self.parsed.verify_sig(message, signature).is_ok()
    }
}

/// The group order L = 2^252 + 27742317777372353535851937790883648493, big-endian.
const ORDER_BE: [u8; 32] = [
    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0xde, 0xf9, 0xde, 0xa2, 0xf7, 0x9c, 0xd6, 0x58, 0x12, 0x63, 0x1a, 0x5c, 0xf5, 0xd3, 0xed,
];

/// `S < L`, with `S` little-endian as Ed25519 encodes it.
fn scalar_is_canonical(s: &[u8]) -> bool {
    let mut be = [0u8; 32];
    for (dst, src) in be.iter_mut().zip(s.iter().rev()) {
        *dst = *src;
    }
    less_than_be(&be, &ORDER_BE)
}

/// Encodings of the points of order 1, 2, 4 and 8, with the sign bit of x cleared, plus the
/// non-canonical encodings of y = 0 and y = 1 (y + p). Comparing with the sign bit masked
/// covers every encoding of every small-order point (the list libsodium uses).
const SMALL_ORDER: [[u8; 32]; 7] = [
    // identity, y = 1
    [
        0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0,
    ],
    // order 2, y = -1
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // order 4, y = 0
    [0; 32],
    // order 8
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    // order 8
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    // y = p (non-canonical 0)
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // y = p + 1 (non-canonical 1)
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// True when the 32-byte point encoding is (any encoding of) a point of small order.
pub(crate) fn has_small_order(point: &[u8]) -> bool {
    point.len() == 32
        && SMALL_ORDER
            .iter()
            .any(|bad| point[..31] == bad[..31] && (point[31] & 0x7f) == bad[31])
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;
    use curve25519_dalek::edwards::CompressedEdwardsY;

    #[test]
    fn every_small_order_point_is_refused_in_both_signs() {
        for point in EIGHT_TORSION {
            let mut enc = point.compress().to_bytes();
            assert!(has_small_order(&enc), "{enc:02x?}");
            enc[31] ^= 0x80;
            assert!(has_small_order(&enc), "sign-flipped {enc:02x?}");
        }
    }

    #[test]
    fn the_list_holds_only_small_order_points() {
        for enc in SMALL_ORDER {
            // Non-canonical encodings do not decompress in dalek; the canonical ones must be torsion.
            if let Some(p) = CompressedEdwardsY(enc).decompress() {
                assert!(p.is_small_order(), "{enc:02x?}");
            }
        }
    }

    #[test]
    fn ordinary_points_are_not_small_order() {
        let base = curve25519_dalek::constants::ED25519_BASEPOINT_COMPRESSED.to_bytes();
        assert!(!has_small_order(&base));
    }

    #[test]
    fn scalar_bound_is_the_group_order() {
        let mut l_le = ORDER_BE;
        l_le.reverse();
        assert!(!scalar_is_canonical(&l_le));
        let mut below = l_le;
        below[0] -= 1;
        assert!(scalar_is_canonical(&below));
        assert!(scalar_is_canonical(&[0u8; 32]));
        assert!(!scalar_is_canonical(&[0xff; 32]));
    }

    #[test]
    fn small_order_and_short_keys_are_refused() {
        assert_eq!(
            Ed25519Key::from_bytes(&[0u8; 32]).err(),
            Some(KeyProblem::SmallOrder)
        );
        assert_eq!(
            Ed25519Key::from_bytes(&[1u8; 31]).err(),
            Some(KeyProblem::WrongLength)
        );
    }
}
