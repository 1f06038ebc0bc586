//! IETF Token Status Lists (draft-ietf-oauth-status-list): the packed status array
//! ([`StatusList`]) and the signed token that carries it ([`LoadedList`]): a `statuslist+jwt`,
//! or the binary `statuslist+cwt` ([`sign_cwt`]), which is about the size of the compressed
//! bits.
//!
//! The issuer encodes with the same type the verifiers decode with, so there is one
//! definition of the bit order.

mod bits;
pub(crate) mod cwt;
mod token;

pub use bits::{StatusList, StatusListError, MAX_LIST_BYTES};
pub use cwt::{sign_cwt, ListClaims, STATUS_LIST_CWT_TYPE};
pub use token::LoadedList;
#[cfg(feature = "online")]
pub(crate) use token::{clamp_ttl, MAX_TTL_SECS, MIN_TTL_SECS};
