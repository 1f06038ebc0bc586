//! A bounded cache of tokens whose signature and claims already checked out, keyed by the exact
//! token text (never a hash alone, so two tokens can never share an entry).
//!
//! Only the work that cannot change for a given key set is skipped: expiry and revocation are
//! checked on every call. Each entry records the key-set generation it was verified under, and
//! a lookup under another generation misses; the shared cache is also emptied when the key set
//! changes, so a retired key stops working at once.
//!
//! Two levels. The shared cache holds every verified token. In front of it, each thread keeps
//! its own copies of the tokens it has met at least twice, in a few direct-mapped slots: a hit
//! there reads and counts only memory of that thread. Without it, threads verifying the same
//! token contend for the shared cache shard's lock word and the claims' reference count (two
//! threads measured 0.82–1.45× one thread on one token; scripts/bench-core).
//!
//! Both levels find a token by the end of its text ([`TailHash`]), not a hash of all of it:
//! hashing a 500-byte token was a third of a cached verification's time.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hasher};

use quick_cache::sync::Cache;
use thread_local::ThreadLocal;

use crate::claims::Claims;

/// Slots per thread. A thread's hot set is small (a service's own token, an admin's session);
/// 64 slots hold ~64 tokens' claims, ~100 KB per thread at most.
const THREAD_SLOTS: usize = 64;

#[derive(Clone)]
struct Entry {
    claims: Claims,
    key_generation: u64,
}

/// One thread's slots. Aligned to a cache-line
/// pair, so the borrow flags of two threads never share a line (`ThreadLocal` keeps them side
/// by side, and false sharing would undo the point of having them).
#[repr(align(128))]
struct Slots(RefCell<Box<[Option<Slot>]>>);

/// A token's text and this thread's own copy of its entry.
type Slot = (Box<str>, Entry);

struct Levels {
    shared: Cache<Box<str>, Entry, quick_cache::UnitWeighter, TailHash>,
    per_thread: ThreadLocal<Slots>,
}

/// Hashes a token by its last [`TAIL_BYTES`] bytes: the end of its signature, base64url
/// characters (6 bits each) no one can choose without the issuer's key.
///
/// Only tokens whose signature checked out are stored; a lookup of any other text merely misses
/// after comparing the full text of the few entries in its bucket. So crafted tokens cannot pile
/// up in one bucket (what a keyed hash would prevent), and all lengths still hash apart.
#[derive(Clone, Copy, Default)]
struct TailHash;

/// The signature's last 16 characters: 96 bits of it.
const TAIL_BYTES: usize = 16;

impl BuildHasher for TailHash {
    type Hasher = TailHasher;
    fn build_hasher(&self) -> TailHasher {
        TailHasher(0)
    }
}

struct TailHasher(u64);

impl TailHasher {
    fn mix(&mut self, word: u64) {
        // The multiplier of Fibonacci hashing: spreads every input bit into the high bits,
        // which the cache uses to pick shards and buckets.
        self.0 = (self.0 ^ word)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
}

impl Hasher for TailHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.mix(bytes.len() as u64);
        for word in bytes[bytes.len().saturating_sub(TAIL_BYTES)..].chunks(8) {
            let mut le = [0u8; 8];
            le[..word.len()].copy_from_slice(word);
            self.mix(u64::from_le_bytes(le));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        // `str` ends its hash with a 0xFF byte.
        self.mix(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// The verified-token cache; capacity 0 turns it off.
pub(crate) struct TokenCache(Option<Levels>);

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> Self {
        TokenCache((capacity > 0).then(|| Levels {
            shared: Cache::with(
                capacity,
                capacity as u64,
                quick_cache::UnitWeighter,
                TailHash,
                quick_cache::sync::DefaultLifecycle::default(),
            ),
            per_thread: ThreadLocal::new(),
        }))
    }

    /// The cached claims for `token`, if it was verified under this key-set generation.
    pub(crate) fn get(&self, token: &str, key_generation: u64) -> Option<Claims> {
        let levels = self.0.as_ref()?;
        let slots = levels
            .per_thread
            .get_or(|| Slots(RefCell::new(vec![None; THREAD_SLOTS].into_boxed_slice())));
        let slot = (TailHash.hash_one(token) % THREAD_SLOTS as u64) as usize;
        // Nothing borrows the slots across a call, so the borrows below always succeed; a
        // failure would only mean a miss.
        if let Ok(slots) = slots.0.try_borrow() {
            if let Some((held, entry)) = &slots[slot] {
                if entry.key_generation == key_generation && **held == *token {
                    return Some(entry.claims.clone());
                }
            }
        }
        let entry = levels.shared.get(token)?;
        if entry.key_generation != key_generation {
            return None;
        }
        // Met again on this thread: from now on, served from its own copy.
        if let Ok(mut slots) = slots.0.try_borrow_mut() {
            slots[slot] = Some((
                token.into(),
                Entry {
                    claims: entry.claims.unshared(),
                    key_generation,
                },
            ));
        }
        Some(entry.claims)
    }

    pub(crate) fn insert(&self, token: &str, claims: &Claims, key_generation: u64) {
        if let Some(levels) = &self.0 {
            levels.shared.insert(
                token.into(),
                Entry {
                    claims: claims.clone(),
                    key_generation,
                },
            );
        }
    }

    /// Empties the shared cache. The threads' slots are left to miss: every lookup compares
    /// their key-set generation with the current one.
    pub(crate) fn clear(&self) {
        if let Some(levels) = &self.0 {
            levels.shared.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use super::*;

    fn claims(sub: &str) -> Claims {
        let payload = format!(
            r#"{{"iss":"https://i.example","sub":"{sub}","ws":"w","scope":"s","iat":1,"jti":"t",
            "status":{{"status_list":{{"idx":1,"uri":"https://i.example/v1/status-lists/1"}}}}}}"#
        );
        crate::claims::parse(payload.as_bytes()).unwrap()
    }

    /// Whether `a` and `b` are the same allocation (not merely equal claims).
    fn same(a: &Claims, b: &Claims) -> bool {
        std::ptr::eq(a.subject().as_ptr(), b.subject().as_ptr())
    }

    #[test]
    fn a_token_met_twice_on_a_thread_is_then_served_from_that_threads_own_copy() {
        let cache = TokenCache::new(100);
        let verified = claims("u1");
        cache.insert("tok", &verified, 1);
        let first = cache.get("tok", 1).unwrap();
        assert!(same(&first, &verified), "the first hit is the shared entry");
        let second = cache.get("tok", 1).unwrap();
        assert_eq!(second, verified);
        assert!(!same(&second, &verified), "then this thread's own copy");
        assert!(same(&cache.get("tok", 1).unwrap(), &second));

        // Another thread starts from the shared entry and then makes its own copy.
        let cache = Arc::new(cache);
        let other = {
            let cache = Arc::clone(&cache);
            std::thread::spawn(move || {
                let a = cache.get("tok", 1).unwrap();
                let b = cache.get("tok", 1).unwrap();
                (a.subject().as_ptr() as usize, b.subject().as_ptr() as usize)
            })
            .join()
            .unwrap()
        };
        assert_eq!(other.0, verified.subject().as_ptr() as usize);
        assert_ne!(other.1, second.subject().as_ptr() as usize);
        assert_ne!(other.1, verified.subject().as_ptr() as usize);
    }

    #[test]
    fn another_key_generation_misses_at_both_levels() {
        let cache = TokenCache::new(100);
        cache.insert("tok", &claims("u1"), 1);
        cache.get("tok", 1).unwrap();
        cache.get("tok", 1).unwrap();
        assert!(
            cache.get("tok", 2).is_none(),
            "a thread's copy is tied to its generation"
        );
        // New keys: the shared cache is emptied and the token verified again under them.
        cache.clear();
        assert!(cache.get("tok", 2).is_none());
        cache.insert("tok", &claims("u2"), 2);
        assert_eq!(cache.get("tok", 2).unwrap().subject(), "u2");
        assert_eq!(cache.get("tok", 2).unwrap().subject(), "u2");
    }

    #[test]
    fn tokens_that_share_a_slot_are_told_apart_by_their_text() {
        let cache = TokenCache::new(1000);
        // More tokens than slots: some share a slot; each must still get its own claims.
        let tokens: Vec<String> = (0..THREAD_SLOTS * 3).map(|i| format!("tok{i}")).collect();
        for token in &tokens {
            cache.insert(token, &claims(token), 1);
        }
        for _ in 0..3 {
            for token in &tokens {
                assert_eq!(cache.get(token, 1).unwrap().subject(), token);
            }
        }
    }

    #[test]
    fn tokens_hash_by_their_tail_and_length() {
        let hash = |t: &str| TailHash.hash_one(t);
        let token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
        assert_eq!(hash(token), hash(&String::from(token)));
        let last_changed = format!("{}V", &token[..token.len() - 1]);
        assert_ne!(hash(token), hash(&last_changed), "the tail counts");
        assert_eq!(
            hash(token),
            hash(&token.replacen("eyJhbGciOiJF", "eyJhbGciOiJG", 1)),
            "the head does not"
        );
        assert_ne!(hash(token), hash(&format!("x{token}")), "the length does");
        assert_ne!(hash("a"), hash("b"));
        let _ = hash("");
    }

    #[test]
    fn capacity_zero_caches_nothing() {
        let cache = TokenCache::new(0);
        cache.insert("tok", &claims("u1"), 1);
        assert!(cache.get("tok", 1).is_none());
        assert!(cache.get("tok", 1).is_none());
    }
}
