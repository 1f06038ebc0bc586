//! Replacing the inputs of a running verifier: how an offline verifier (or the issuer, which
//! verifies its own API's tokens) takes a new status list or key set without a rebuild.

use std::sync::Arc;

use super::state::ListEntry;
use super::Verifier;
use crate::error::ConfigError;
use crate::jwks::KeySet;
use crate::status_list::LoadedList;

impl Verifier {
    /// Adds or replaces the status list registered under `uri`, after the same checks as at
    /// construction (signature by a current key, `typ`, `sub` = `uri`, encoding). Tokens
    /// verified before keep their cache entries; their status is read from the new list.
    ///
    /// A list older than the one held (see [`LoadedList::is_older_than`]: a lower `version`, or
    /// an earlier `iat`) is ignored, even when calls race: no verifier goes back to older
    /// revocation data.
    ///
    /// Meant for offline verifiers; an online verifier's next refresh replaces what it set.
    ///
    /// # Errors
    /// [`ConfigError`] when the list does not pass the checks (the old list stays).
    pub fn update_status_list(&self, uri: &str, jwt: impl AsRef<[u8]>) -> Result<(), ConfigError> {
        let keys = self
            .shared
            .snapshot
            .load()
            .keys
            .clone()
            .ok_or_else(|| ConfigError::new("no key set loaded yet"))?;
        let list = Arc::new(LoadedList::from_token(uri, jwt.as_ref(), &keys)?);
        self.shared.snapshot.rcu(|current| {
            let held_is_newer = current
                .lists
                .get(uri)
                .is_some_and(|held| list.is_older_than(&held.list));
            if held_is_newer {
                return Arc::clone(current);
            }
            let mut next = (**current).clone();
            next.lists.insert(
                uri.to_owned(),
                ListEntry {
                    list: Arc::clone(&list),
                    confirmed_at: None,
                },
            );
            Arc::new(next)
        });
        Ok(())
    }

    /// Replaces the key set. Every cached verification is dropped, so a removed key stops
    /// working at once. Loaded status lists stay (they were verified when loaded).
    ///
    /// # Errors
    /// [`ConfigError`] for an invalid JWKS (the old key set stays).
    pub fn update_jwks(&self, jwks: impl AsRef<[u8]>) -> Result<(), ConfigError> {
        let keys = Arc::new(KeySet::from_json(jwks.as_ref())?);
        let generation = self.shared.next_generation();
        self.shared.snapshot.rcu(|current| {
            let mut next = (**current).clone();
            next.keys = Some(Arc::clone(&keys));
            next.key_generation = generation;
            next
        });
        self.shared.cache.clear();
        Ok(())
    }
}
