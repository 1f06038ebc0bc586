//! Signing keys: encrypted at rest under the KEK, rotated without a single refused token.
//!
//! Lifecycle (docs/keys.md): a new key is *next* — in the JWKS at once, announced on the push
//! channel, but signing nothing until its stored `activates_at`, which leaves verifiers time to
//! fetch it; then it is *current* (it signs); older keys are *retiring* (published while live
//! tokens may need them) until retired. Every replica switches at the same stored moment.

pub mod kek;
pub mod signer;

use std::sync::Arc;

use serde_json::json;

use crate::db::models::KeyRow;
use crate::db::queries::keys as q;
use crate::db::{DbConn, DbError};
use gatepass::Algorithm;
pub use kek::{Kek, KekError};
pub use signer::{SignerError, SigningKey};

/// The published JWKS, serialized once, with its ETag.
#[derive(Debug, Clone)]
pub struct Jwks {
    /// The JSON document.
    pub json: String,
    /// A strong ETag over `json`.
    pub etag: String,
}

/// Keys in use: every published key with the moment it starts signing.
#[derive(Debug, Clone)]
pub struct KeyRing {
    /// Every published key and its `activates_at`, by activation time.
    pub keys: Vec<(Arc<SigningKey>, i64)>,
    /// The first of `keys` (a ring always has one): what signs should none be active yet.
    pub earliest: Arc<SigningKey>,
    /// `kid`s of every published key, oldest first.
    pub kids: Vec<String>,
    /// The JWKS of every published key.
    pub jwks: Arc<Jwks>,
}

/// Why keys could not be made or loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A stored key does not decrypt with this KEK.
    #[error(
        "signing key {kid} cannot be decrypted with this KEK: the KEK is wrong (or the stored key is damaged). \
         Start with the KEK this database was created with; nothing was changed"
    )]
    WrongKek {
        /// The key.
        kid: String,
    },
    /// A stored key of an algorithm this issuer does not know.
    #[error("signing key {kid} has unknown alg {alg}")]
    UnknownAlg {
        /// The key.
        kid: String,
        /// Its stored `alg`.
        alg: String,
    },
    /// No published key even after creating the first (another replica retired it meanwhile).
    #[error("no signing key is published")]
    NoKey,
    /// Sealing a new key failed.
    #[error(transparent)]
    Kek(#[from] KekError),
    /// A key could not be made or read.
    #[error(transparent)]
    Signer(#[from] SignerError),
}

/// An ETag for a document: a short hash of its bytes.
pub fn etag_of(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    format!("\"{}\"", &gatepass::base64url_encode(digest.as_ref())[..22])
}

impl KeyRing {
    /// The key that signs at `now`: the one activated last, not later than `now` (the oldest,
    /// should none be active yet).
    pub fn signing(&self, now: i64) -> Arc<SigningKey> {
        self.keys
            .iter()
            .rev()
            .find(|(_, at)| *at <= now)
            .map_or_else(|| Arc::clone(&self.earliest), |(key, _)| Arc::clone(key))
    }

    /// The key that will sign next, and when, if one is waiting.
    pub fn next(&self, now: i64) -> Option<(&SigningKey, i64)> {
        self.keys
            .iter()
            .find(|(_, at)| *at > now)
            .map(|(key, at)| (key.as_ref(), *at))
    }
}

/// Creates, seals and stores a new key that starts signing at `activates_at` (`now` for the
/// first key or an emergency switch; later for a normal rotation); returns its kid.
///
/// # Errors
/// Storage or key generation failed.
pub fn create(
    conn: &mut DbConn,
    kek: &Kek,
    alg: Algorithm,
    now: i64,
    activates_at: i64,
) -> Result<String, KeyError> {
    let (key, pkcs8) = SigningKey::generate(alg)?;
    let sealed = kek.seal(key.kid(), &pkcs8)?;
    // The newest key signs; keep creation times strictly increasing so a rotation within the
    // same second still makes the new key the newest.
    let newest = q::all(conn)?
        .iter()
        .map(|r| r.created_at)
        .max()
        .unwrap_or(i64::MIN);
    let now = now.max(newest.saturating_add(1));
    q::insert(
        conn,
        &KeyRow {
            kid: key.kid().to_owned(),
            alg: alg.jose_name().to_owned(),
            public_jwk: key.public_jwk().to_string(),
            private_key: sealed,
            created_at: now,
            retired_at: None,
            activates_at: Some(activates_at.max(now)),
        },
    )?;
    Ok(key.kid().to_owned())
}

/// Loads every published key, creating the first one on an empty store.
///
/// # Errors
/// A key that does not decrypt with this KEK (nothing is changed then), or storage failed.
pub fn load(conn: &mut DbConn, kek: &Kek, alg: Algorithm, now: i64) -> Result<KeyRing, KeyError> {
    let mut rows: Vec<KeyRow> = q::all(conn)?
        .into_iter()
        .filter(|r| r.retired_at.is_none())
        .collect();
    if rows.is_empty() {
        create(conn, kek, alg, now, now)?;
        rows = q::all(conn)?
            .into_iter()
            .filter(|r| r.retired_at.is_none())
            .collect();
    }
    rows.sort_by_key(|r| (r.activates_at.unwrap_or(r.created_at), r.created_at));
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        let pkcs8 = kek
            .open(&row.kid, &row.private_key)
            .map_err(|_| KeyError::WrongKek {
                kid: row.kid.clone(),
            })?;
        let alg = Algorithm::from_jose(&row.alg).ok_or_else(|| KeyError::UnknownAlg {
            kid: row.kid.clone(),
            alg: row.alg.clone(),
        })?;
        keys.push((
            Arc::new(SigningKey::from_pkcs8(alg, &pkcs8)?),
            row.activates_at.unwrap_or(row.created_at),
        ));
    }
    let earliest = keys
        .first()
        .map(|(key, _)| Arc::clone(key))
        .ok_or(KeyError::NoKey)?;
    let json =
        json!({"keys": keys.iter().map(|(k, _)| k.public_jwk().clone()).collect::<Vec<_>>()})
            .to_string();
    let kids = keys.iter().map(|(k, _)| k.kid().to_owned()).collect();
    Ok(KeyRing {
        keys,
        earliest,
        kids,
        jwks: Arc::new(Jwks {
            etag: etag_of(json.as_bytes()),
            json,
        }),
    })
}

/// Why a key was not retired.
#[derive(Debug)]
pub enum RetireError {
    /// No published key has this kid.
    NotFound,
    /// Live tokens were signed with it (count).
    LiveTokens(i64),
    /// Storage failed.
    Db(DbError),
}

impl From<DbError> for RetireError {
    fn from(e: DbError) -> Self {
        RetireError::Db(e)
    }
}

/// Stops publishing `kid`. Refuses while live tokens were signed with it, unless `force`.
///
/// # Errors
/// See [`RetireError`].
pub fn retire(conn: &mut DbConn, kid: &str, force: bool, now: i64) -> Result<i64, RetireError> {
    let live = q::live_tokens(conn, kid, now)?;
    if live > 0 && !force {
        return Err(RetireError::LiveTokens(live));
    }
    if q::retire(conn, kid, now)? == 0 {
        return Err(RetireError::NotFound);
    }
    Ok(live)
}
