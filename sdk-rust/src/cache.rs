//! A bounded cache of tokens whose signature and claims already checked out, keyed by the exact
//! token text (never a hash alone, so two tokens can never share an entry).
//!
//! Only the work that cannot change for a given key set is skipped: expiry and revocation are
//! checked on every call. Each entry records the key-set generation it was verified under, and
//! the cache is emptied when the key set changes, so a retired key stops working at once.

use quick_cache::sync::Cache;

use crate::claims::Claims;

#[derive(Clone)]
struct Entry {
    claims: Claims,
    key_generation: u64,
}

/// The verified-token cache; capacity 0 turns it off.
pub(crate) struct TokenCache(Option<Cache<Box<str>, Entry>>);

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> Self {
        TokenCache((capacity > 0).then(|| Cache::new(capacity)))
    }

    /// The cached claims for `token`, if it was verified under this key-set generation.
    pub(crate) fn get(&self, token: &str, key_generation: u64) -> Option<Claims> {
        let entry = self.0.as_ref()?.get(token)?;
        (entry.key_generation == key_generation).then_some(entry.claims)
    }

    pub(crate) fn insert(&self, token: &str, claims: &Claims, key_generation: u64) {
        if let Some(cache) = &self.0 {
            cache.insert(
                token.into(),
                Entry {
                    claims: claims.clone(),
                    key_generation,
                },
            );
        }
    }

    pub(crate) fn clear(&self) {
        if let Some(cache) = &self.0 {
            cache.clear();
        }
    }
}
