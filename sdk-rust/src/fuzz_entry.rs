//! Entry points for the fuzz targets in `fuzz/` (feature `__fuzz`, not a public API): the
//! parsers the online verifier feeds with what an issuer (or anyone between) sends, which are
//! otherwise private. Each takes arbitrary bytes and must return, never panic or hang.

use crate::KeySet;

/// The discovery document and the status-list index.
pub fn discovery(bytes: &[u8]) {
    let _ = crate::online::fuzz::discovery(bytes, "https://issuer.example");
    let _ = crate::online::fuzz::index(bytes);
}

/// A push stream: every line until the end, as the push reader takes them.
pub fn push_stream(bytes: &[u8]) {
    crate::online::fuzz::sse(bytes);
}

/// A push event's signed payload, checked against `keys`.
pub fn push_event(text: &str, keys: &KeySet) {
    let _ = crate::online::fuzz::event(text, keys, "https://issuer.example");
}

/// The claims of a status list CWT, as read once its signature is good (a fuzzer cannot forge
/// one, so this parser is fed directly).
pub fn status_list_cwt_claims(bytes: &[u8]) {
    let _ = crate::status_list::cwt::read_claims(bytes);
}
