//! What every request handler shares: configuration, the pool, keys, the served status lists,
//! the issuer's own verifier (fed from the store, never over HTTP), and the `last_used_at` batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::config::Config;
use crate::db::DbPool;
use crate::keys::{Kek, KeyRing};
use crate::scopes::Catalog;
use crate::status::ListCache;

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// The shared parts.
pub struct Inner {
    /// Settings.
    pub config: Config,
    /// Scopes and presets.
    pub catalog: Catalog,
    /// The database.
    pub pool: DbPool,
    /// The key-encryption key.
    pub kek: Kek,
    /// Signing and published keys.
    pub keys: ArcSwap<KeyRing>,
    /// Signed status lists.
    pub lists: ListCache,
    /// Verifies the management API's bearer tokens with the same core as every SDK.
    pub verifier: gatepass::Verifier,
    /// Verifies platform credentials (audience `gatepass:platform`), fed the same keys and
    /// lists.
    pub platform_verifier: gatepass::Verifier,
    /// `jti` → last use, written to the store in batches.
    pub last_used: Mutex<HashMap<String, i64>>,
    /// `jti` → (name, expires_at) for `/v1/me`: both are fixed at creation, so a hit skips
    /// the store (revocation is still checked by `verifier` on every call).
    pub me_cache: quick_cache::sync::Cache<String, (String, Option<i64>)>,
    /// Workspace → its `max_expiry_days` as last read. A mint decides with it and the statement
    /// that stores the token checks it still holds (see [`crate::tokens::service::mint_limits`]).
    pub workspace_caps: quick_cache::sync::Cache<String, Option<i64>>,
    /// The push channel's fan-out.
    pub hub: crate::stream::Hub,
    /// Wakes the webhook loop when this replica committed an event webhooks may want.
    pub webhook_wake: tokio::sync::Notify,
    /// Status slots reserved by this replica for its next mints.
    pub reserve: crate::status::reserve::Reserve,
    /// Held while this replica rebuilds status lists (one rebuild at a time).
    pub list_sync: Mutex<()>,
    /// The key table fingerprint last seen (to notice other replicas' rotations).
    pub key_fingerprint: Mutex<Option<crate::db::queries::keys::KeyFingerprint>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Records a use of `jti` for the next batch write.
    pub fn note_use(&self, jti: &str, at: i64) {
        if let Ok(mut map) = self.last_used.lock() {
            let entry = map.entry(jti.to_owned()).or_insert(at);
            *entry = (*entry).max(at);
        }
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// RFC 3339 UTC (`2026-01-01T00:00:00Z`).
pub fn rfc3339(secs: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}
