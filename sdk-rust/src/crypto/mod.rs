//! Signature checks, strict beyond what the backend promises: the range and small-order
//! rules of docs/protocol.md ("Tokens") are enforced here, so behaviour does not depend on the backend's version.
//!
//! Backend: aws-lc-rs, chosen by measurement (see `sdk-rust/README.md`, "Benchmarks").

pub(crate) mod ed25519;
pub(crate) mod es256;

/// `a < b` for two unsigned integers of equal length, both big-endian.
pub(crate) fn less_than_be(a: &[u8], b: &[u8]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x < y;
        }
    }
    false
}
