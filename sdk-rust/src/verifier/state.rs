//! What a verifier knows at one moment: keys, status lists, prefix. Readers take the current
//! [`Snapshot`] without locking; the refresher (online) builds a new one and swaps it in whole.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::options::Policy;
use crate::cache::TokenCache;
use crate::claims::Claims;
use crate::clock::Clock;
use crate::jwks::KeySet;
use crate::status_list::LoadedList;

/// One loaded status list and when the issuer last confirmed it (online: a 200 or a 304).
#[derive(Clone)]
pub(crate) struct ListEntry {
    pub(crate) list: Arc<LoadedList>,
    /// `None` offline, where only the list's own `exp` limits its use.
    pub(crate) confirmed_at: Option<i64>,
}

/// Loaded status lists by URI. Looked up on every verification, so hashed with aHash rather
/// than SipHash (a third of a cached verification's time went to SipHash); only URIs of tokens
/// whose signature checked out are looked up, so no client picks the keys.
pub(crate) type ListMap = HashMap<String, ListEntry, quick_cache::DefaultHashBuilder>;

/// An immutable view of the verifier's inputs.
#[derive(Clone)]
pub(crate) struct Snapshot {
    /// `None` until an online verifier has loaded its first JWKS.
    pub(crate) keys: Option<Arc<KeySet>>,
    /// Changes whenever `keys` changes; cached verifications are tied to it.
    pub(crate) key_generation: u64,
    pub(crate) lists: ListMap,
    /// The token prefix to strip ("" for none).
    pub(crate) prefix: String,
}

/// Hooks an online verifier uses to learn what verification ran into; never blocking.
pub(crate) trait Observer: Send + Sync {
    /// A token named a `kid` the key set does not have (or keys are not loaded yet).
    fn missing_key(&self);
    /// A signed token named a status list that is not loaded.
    fn missing_list(&self, uri: &str);
    /// A token verified (for usage reports).
    fn verified(&self, claims: &Claims);
}

/// The background work of an online verifier, as the verifier sees it.
pub(crate) trait Background: Send + Sync {
    /// Stops the background threads (they finish what they are doing and exit).
    fn stop(&self);
    /// Runs one refresh cycle now and waits for it.
    fn refresh(&self, timeout: std::time::Duration) -> Result<(), String>;
    /// The state of the push link.
    #[cfg(feature = "online")]
    fn push_status(&self) -> crate::online::PushStatus;
}

/// Everything the clones of one verifier share.
pub(crate) struct Shared {
    pub(crate) policy: Policy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) snapshot: ArcSwap<Snapshot>,
    pub(crate) cache: TokenCache,
    pub(crate) observer: Option<Arc<dyn Observer>>,
    pub(crate) background: Option<Arc<dyn Background>>,
    generations: AtomicU64,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The last clone is gone: nobody can use what the background thread fetches.
        if let Some(background) = &self.background {
            background.stop();
        }
    }
}

impl Shared {
    pub(crate) fn new(
        policy: Policy,
        clock: Arc<dyn Clock>,
        snapshot: Snapshot,
        cache: TokenCache,
    ) -> Shared {
        Shared {
            policy,
            clock,
            generations: AtomicU64::new(snapshot.key_generation),
            snapshot: ArcSwap::from_pointee(snapshot),
            cache,
            observer: None,
            background: None,
        }
    }

    /// A fresh key-set generation number.
    pub(crate) fn next_generation(&self) -> u64 {
        self.generations.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Installs a new snapshot (the online refresher's way in); when its key set differs from
    /// the current one, the verified token cache is emptied so nothing verified under old keys is
    /// reused. A list the installed snapshot holds in a newer version (the push link applied an
    /// event meanwhile) stays: no list ever goes back to an older version.
    #[cfg(feature = "online")]
    pub(crate) fn install(&self, snapshot: Snapshot) {
        let keys_changed = self.snapshot.load().key_generation != snapshot.key_generation;
        self.snapshot.rcu(|current| {
            let mut next = snapshot.clone();
            for (uri, entry) in next.lists.iter_mut() {
                if let Some(held) = current.lists.get(uri) {
                    if entry.list.is_older_than(&held.list) {
                        entry.list = Arc::clone(&held.list);
                    }
                }
            }
            next
        });
        if keys_changed {
            self.cache.clear();
        }
    }
}
