//! IETF Token Status Lists (draft-ietf-oauth-status-list): the packed status array
//! ([`StatusList`]) and the signed `statuslist+jwt` that carries it ([`LoadedList`]).
//!
//! The issuer encodes with the same type the verifiers decode with, so there is one
//! definition of the bit order.

mod bits;
mod token;

pub use bits::{StatusList, StatusListError, MAX_LIST_BYTES};
pub use token::LoadedList;
#[cfg(feature = "online")]
pub(crate) use token::{clamp_ttl, MAX_TTL_SECS, MIN_TTL_SECS};
