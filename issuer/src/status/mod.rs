//! Status lists: random index allocation (never in issue order, never reused), building the
//! signed `statuslist+jwt` once per change, and serving it from memory with an ETag.
//!
//! Every revocation bumps its list's `version` in the same transaction; each replica polls
//! the versions and rebuilds a list whose version moved, so revocations made through one
//! replica are served by all within the poll interval (well under the list `ttl`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use gatepass::status_list::StatusList;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::json;

use crate::db::models::ListRow;
use crate::db::queries::lists as q;
use crate::db::{DbConn, DbError};
use crate::keys::{etag_of, SigningKey};

/// A list is rotated out for allocation once this share of it is used; the next list is
/// created (and published) at that moment, long before any token points at it.
pub const FILL_THRESHOLD: f64 = 0.9;
/// A signed list is valid for a day; it is re-signed when half of that has passed.
pub const LIST_LIFETIME_SECS: i64 = 86_400;

/// One signed list, ready to serve.
#[derive(Debug, Clone)]
pub struct SignedList {
    /// The list id (`1`, `2`, …).
    pub id: String,
    /// The `version` it was built from.
    pub version: i64,
    /// The signed `statuslist+jwt`.
    pub jwt: String,
    /// Strong ETag of `jwt`.
    pub etag: String,
    /// When it was signed.
    pub signed_at: i64,
}

/// The URI of list `id`.
pub fn uri(issuer_url: &str, id: &str) -> String {
    format!("{issuer_url}/v1/status-lists/{id}")
}

/// Where a new token's status lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// List id.
    pub list: String,
    /// Index in the list.
    pub idx: i64,
}

/// Makes sure list 1 exists (so the index is never empty).
///
/// # Errors
/// Storage failed.
pub fn ensure_first(conn: &mut DbConn, capacity: u64, now: i64) -> Result<(), DbError> {
    if q::all(conn)?.is_empty() {
        match create(conn, 1, capacity, now) {
            Err(e) if crate::db::is_unique_violation(&e) => {} // another replica did it
            other => other?,
        }
    }
    Ok(())
}

fn create(conn: &mut DbConn, seq: i64, capacity: u64, now: i64) -> Result<(), DbError> {
    let capacity = i64::try_from(capacity).unwrap_or(i64::MAX);
    q::insert(
        conn,
        &ListRow {
            id: seq.to_string(),
            seq,
            capacity,
            used: 0,
            version: 0,
            created_at: now,
        },
    )
}

/// Creates list `seq` unless another replica just did. Runs in a savepoint, so losing that race
/// does not abort the caller's transaction (PostgreSQL).
fn create_unless_exists(
    conn: &mut DbConn,
    seq: i64,
    capacity: u64,
    now: i64,
) -> Result<(), DbError> {
    use diesel::Connection;
    match conn.transaction(|c| create(c, seq, capacity, now)) {
        Err(e) if crate::db::is_unique_violation(&e) => Ok(()),
        other => other,
    }
}

fn threshold(row: &ListRow) -> i64 {
    (row.capacity as f64 * FILL_THRESHOLD) as i64
}

/// Picks the list a new token goes into and a random index in it, and counts it as used.
/// Creates the next list when the current one reaches the threshold. The caller inserts the
/// token; a unique violation on `(status_list, status_idx)` means "pick again".
///
/// # Errors
/// Storage failed.
pub fn allocate(conn: &mut DbConn, capacity: u64, now: i64) -> Result<Slot, DbError> {
    let lists = q::all(conn)?;
    let current = match lists.iter().find(|l| l.used < threshold(l)) {
        Some(l) => l.clone(),
        None => {
            let seq = lists.last().map_or(1, |l| l.seq + 1);
            create_unless_exists(conn, seq, capacity, now)?;
            q::all(conn)?
                .into_iter()
                .find(|l| l.seq == seq)
                .ok_or(DbError::Query(diesel::result::Error::NotFound))?
        }
    };
    if current.used + 1 >= threshold(&current) && !lists.iter().any(|l| l.seq > current.seq) {
        create_unless_exists(conn, current.seq + 1, capacity, now)?;
    }
    q::add_used(conn, &current.id)?;
    Ok(Slot {
        list: current.id,
        idx: random_below(current.capacity),
    })
}

fn random_below(n: i64) -> i64 {
    let mut bytes = [0u8; 8];
    // SystemRandom only fails when the OS has no randomness; index 0 is still a valid slot.
    let _ = SystemRandom::new().fill(&mut bytes);
    (u64::from_le_bytes(bytes) % n.max(1) as u64) as i64
}

/// Builds and signs list `row` from the revoked tokens in it.
///
/// # Errors
/// Storage or signing failed.
pub fn build(
    conn: &mut DbConn,
    row: &ListRow,
    key: &SigningKey,
    issuer_url: &str,
    ttl: u64,
    now: i64,
) -> Result<SignedList, String> {
    let revoked = q::revoked_indexes(conn, &row.id).map_err(|e| e.to_string())?;
    let mut list = StatusList::new(1, row.capacity as u64).map_err(|e| e.to_string())?;
    for idx in revoked {
        list.set(idx as u64, 1).map_err(|e| e.to_string())?;
    }
    let claims = json!({
        "sub": uri(issuer_url, &row.id),
        "iat": now,
        "exp": now + LIST_LIFETIME_SECS,
        "ttl": ttl,
        "status_list": {"bits": 1, "lst": list.encode()},
    });
    let jwt = key.sign_jws(gatepass::STATUS_LIST_TYPE, &claims)?;
    Ok(SignedList {
        id: row.id.clone(),
        version: row.version,
        etag: etag_of(jwt.as_bytes()),
        jwt,
        signed_at: now,
    })
}

/// The signed lists this replica serves.
#[derive(Debug, Default)]
pub struct ListCache {
    lists: RwLock<HashMap<String, Arc<SignedList>>>,
}

impl ListCache {
    /// The signed list `id`, if built.
    pub fn get(&self, id: &str) -> Option<Arc<SignedList>> {
        self.lists.read().ok()?.get(id).cloned()
    }

    /// Stores a built list (unless a newer version is already there).
    pub fn put(&self, list: SignedList) {
        if let Ok(mut lists) = self.lists.write() {
            if lists
                .get(&list.id)
                .is_none_or(|old| old.version <= list.version)
            {
                lists.insert(list.id.clone(), Arc::new(list));
            }
        }
    }

    /// Every list id served, by creation order.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .lists
            .read()
            .map(|l| l.keys().cloned().collect())
            .unwrap_or_default();
        ids.sort_by_key(|id| id.parse::<i64>().unwrap_or(i64::MAX));
        ids
    }

    /// Lists whose stored version differs from `versions`, or that are due for re-signing.
    pub fn stale(&self, versions: &[(String, i64)], now: i64) -> Vec<String> {
        let lists = match self.lists.read() {
            Ok(l) => l,
            Err(_) => return versions.iter().map(|(id, _)| id.clone()).collect(),
        };
        versions
            .iter()
            .filter(|(id, version)| {
                lists.get(id).is_none_or(|l| {
                    l.version != *version || now - l.signed_at > LIST_LIFETIME_SECS / 2
                })
            })
            .map(|(id, _)| id.clone())
            .collect()
    }
}
