//! Status lists: index allocation ([`alloc`]: random-looking, never reused, only in lists
//! already published), building the signed list once per change, in both forms of the draft
//! (`statuslist+jwt`, and the smaller `statuslist+cwt` verifiers ask for), and serving it from
//! memory with an ETag per form.
//!
//! Every revoking transaction bumps its lists' `version` once; each replica polls the versions
//! and rebuilds a list whose version moved, so revocations made through one replica are served
//! by all within the poll interval (well under the list `ttl`). The signed list carries its
//! `version` as a claim, so no verifier (the issuer's own included) replaces a list with an
//! older one.

pub mod alloc;
pub mod chunked;
pub mod permutation;
pub mod reserve;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use gatepass::status_list::{sign_cwt, ListClaims, StatusList};

pub use chunked::ChunkedZlib;

use crate::db::models::ListRow;
use crate::db::queries::events as events_q;
use crate::db::queries::lists as q;
use crate::db::{DbConn, DbError};
use crate::keys::{etag_of, SignerError, SigningKey};

/// Why a list could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The stored capacity or an index does not make a list (a damaged row).
    #[error("status list {list}: {source}")]
    Bits {
        /// The list's id.
        list: String,
        /// What is wrong.
        source: gatepass::status_list::StatusListError,
    },
    /// Signing failed.
    #[error("signing status list failed: {0}")]
    Sign(#[from] SignerError),
    /// The deflater failed (a bug in it: any input compresses).
    #[error("compressing status list failed: {0}")]
    Compress(#[from] flate2::CompressError),
}

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
    /// The same list as a signed `statuslist+cwt`.
    pub cwt: axum::body::Bytes,
    /// Strong ETag of `cwt`.
    pub cwt_etag: String,
    /// When it was signed.
    pub signed_at: i64,
    /// Its bits and their compressed chunks, so the next build recompresses only what changed.
    pub chunks: ChunkedZlib,
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

/// Builds and signs list `row` from the revoked tokens in it. `held` is the list this replica
/// serves now, if any: only the chunks of bits that differ from it are compressed again.
///
/// # Errors
/// Storage, compression or signing failed.
pub fn build(
    conn: &mut DbConn,
    row: &ListRow,
    held: Option<&SignedList>,
    key: &SigningKey,
    issuer_url: &str,
    ttl: u64,
    now: i64,
) -> Result<SignedList, BuildError> {
    let bits = |source| BuildError::Bits {
        list: row.id.clone(),
        source,
    };
    let list = match held
        .map(|h| since_held(conn, row, h))
        .transpose()?
        .flatten()
    {
        Some(list) => list,
        None => {
            let mut list = StatusList::new(1, row.capacity as u64).map_err(bits)?;
            for idx in q::revoked_indexes(conn, &row.id)? {
                list.set(idx as u64, 1).map_err(bits)?;
            }
            list
        }
    };
    let chunks = match held {
        Some(held) => {
            let mut chunks = held.chunks.clone();
            chunks.update(list.as_bytes())?;
            chunks
        }
        None => ChunkedZlib::new(list.as_bytes())?,
    };
    Ok(sign(chunks, row, key, issuer_url, ttl, now)?)
}

/// The bits of list `row` from those of `held` (an older version of it) and the indexes the
/// event log names for every version since, which the transactions that moved the version
/// logged with it: a read of a few rows where every revoked index of the list is thousands.
/// `None` when that is not possible: the same version (re-signed after a key change or half
/// way to its expiry: read in full, which also reconciles), or a version the log no longer
/// holds (pruned, or a version written without an event) — then the list is read in full.
fn since_held(
    conn: &mut DbConn,
    row: &ListRow,
    held: &SignedList,
) -> Result<Option<StatusList>, BuildError> {
    if held.version >= row.version
        || held.chunks.bits().len() as u64 != (row.capacity as u64).div_ceil(8)
    {
        return Ok(None);
    }
    let events = events_q::of_list(conn, &row.id, held.version, row.version)?;
    let every_version = events.len() as i64 == row.version - held.version
        && events
            .iter()
            .zip(held.version + 1..)
            .all(|(e, v)| e.version == v);
    if !every_version {
        return Ok(None);
    }
    let Ok(mut list) = StatusList::from_bytes(1, held.chunks.bits().to_vec()) else {
        return Ok(None);
    };
    for idx in events
        .iter()
        .flat_map(|e| e.indexes.split(' '))
        .filter(|i| !i.is_empty())
    {
        match idx.parse::<u64>().map(|idx| list.set(idx, 1)) {
            Ok(Ok(())) => {}
            // An index this list cannot hold: not ours to trust; read the list in full.
            _ => return Ok(None),
        }
    }
    Ok(Some(list))
}

/// Signs the compressed bits of list `row` in both forms, a JWT and a CWT: the part of
/// [`build`] that needs no database (the benchmark times it).
///
/// # Errors
/// Signing failed.
pub fn sign(
    chunks: ChunkedZlib,
    row: &ListRow,
    key: &SigningKey,
    issuer_url: &str,
    ttl: u64,
    now: i64,
) -> Result<SignedList, SignerError> {
    let lst = chunks.zlib();
    let sub = uri(issuer_url, &row.id);
    let claims = ListClaims {
        sub: &sub,
        iat: now,
        exp: Some(now + LIST_LIFETIME_SECS),
        ttl: Some(ttl),
        version: u64::try_from(row.version).ok(),
        bits: 1,
        lst: &lst,
    };
    let jwt = key.sign_jws(gatepass::STATUS_LIST_TYPE, &claims.to_json())?;
    let cwt = sign_cwt(&claims, key.algorithm(), key.kid(), |m| key.sign(m))?;
    Ok(SignedList {
        id: row.id.clone(),
        version: row.version,
        etag: etag_of(jwt.as_bytes()),
        jwt,
        cwt_etag: etag_of(&cwt),
        cwt: cwt.into(),
        signed_at: now,
        chunks,
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

    /// Stores a built list unless the one held is newer (a higher version, or the same version
    /// signed later); returns whether it was stored. A replica never goes back to older data.
    pub fn put(&self, list: SignedList) -> bool {
        let Ok(mut lists) = self.lists.write() else {
            return false;
        };
        let newer = lists
            .get(&list.id)
            .is_none_or(|held| (held.version, held.signed_at) <= (list.version, list.signed_at));
        if newer {
            lists.insert(list.id.clone(), Arc::new(list));
        }
        newer
    }

    /// True when list `id` is served here.
    pub fn contains(&self, id: &str) -> bool {
        self.lists.read().is_ok_and(|l| l.contains_key(id))
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
