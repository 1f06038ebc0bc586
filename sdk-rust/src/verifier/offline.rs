//! Building a verifier from bytes, with no network: for air-gapped services and tests.

use std::sync::Arc;

use super::options::{option_setters, Options, Policy, DEFAULT_PREFIX};
use super::state::{ListEntry, ListMap, Shared, Snapshot};
use super::Verifier;
use crate::cache::TokenCache;
use crate::error::ConfigError;
use crate::jwks::KeySet;
use crate::status_list::LoadedList;

/// Builds an offline [`Verifier`]; start with [`Verifier::offline`].
///
/// Every status list is verified when [`build`](OfflineBuilder::build) runs (signature by a
/// JWKS key, `typ`, `sub` equal to its URI, zlib, `bits`); its `exp` is checked at verify time.
/// Offline verifiers have no staleness limit beyond each list's `exp`.
#[must_use]
pub struct OfflineBuilder {
    issuer: String,
    jwks: Vec<u8>,
    lists: Vec<(String, Vec<u8>)>,
    prefix: String,
    options: Options,
}

impl OfflineBuilder {
    pub(super) fn new(issuer: String, jwks: Vec<u8>) -> Self {
        OfflineBuilder {
            issuer,
            jwks,
            lists: Vec::new(),
            prefix: DEFAULT_PREFIX.to_owned(),
            options: Options::default(),
        }
    }

    /// Adds the status list token published at `uri`: a `statuslist+jwt` (text) or a
    /// `statuslist+cwt` (binary).
    pub fn status_list(mut self, uri: impl Into<String>, jwt: impl Into<Vec<u8>>) -> Self {
        self.lists.push((uri.into(), jwt.into()));
        self
    }

    /// The token prefix to strip when present. Default: `gp_`. An empty prefix means tokens
    /// carry none.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    option_setters!();

    /// Verifies the inputs and builds the verifier.
    ///
    /// # Errors
    /// [`ConfigError`] for an invalid JWKS, an invalid status list, or a URI given twice.
    pub fn build(self) -> Result<Verifier, ConfigError> {
        let keys = KeySet::from_json(&self.jwks)?;
        let mut lists = ListMap::with_capacity_and_hasher(self.lists.len(), Default::default());
        for (uri, jwt) in &self.lists {
            let list = LoadedList::from_token(uri, jwt, &keys)?;
            let entry = ListEntry {
                list: Arc::new(list),
                confirmed_at: None,
            };
            if lists.insert(uri.clone(), entry).is_some() {
                return Err(ConfigError::new(format!(
                    "status list {uri} is given twice"
                )));
            }
        }
        let snapshot = Snapshot {
            keys: Some(Arc::new(keys)),
            key_generation: 1,
            lists,
            prefix: self.prefix,
        };
        let policy = Policy::new(self.issuer, &self.options, None);
        let shared = Shared::new(
            policy,
            self.options.clock,
            snapshot,
            TokenCache::new(self.options.cache_size),
        );
        Ok(Verifier {
            shared: Arc::new(shared),
        })
    }
}
