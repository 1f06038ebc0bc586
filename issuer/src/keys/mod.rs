//! Signing keys: encrypted at rest under the KEK, rotated without downtime (a new key signs new
//! tokens while older keys stay published as long as a live token was signed with them).

pub mod kek;
pub mod signer;

use std::sync::Arc;

use serde_json::json;

use crate::config::Algorithm;
use crate::db::models::KeyRow;
use crate::db::queries::keys as q;
use crate::db::{DbConn, DbError};
pub use kek::Kek;
pub use signer::SigningKey;

/// The published JWKS, serialized once, with its ETag.
#[derive(Debug, Clone)]
pub struct Jwks {
    /// The JSON document.
    pub json: String,
    /// A strong ETag over `json`.
    pub etag: String,
}

/// Keys in use: the one that signs, and every published one.
#[derive(Debug, Clone)]
pub struct KeyRing {
    /// Signs new tokens and status lists (the newest key that is not retired).
    pub active: Arc<SigningKey>,
    /// `kid`s of every published key, oldest first.
    pub kids: Vec<String>,
    /// The JWKS of every published key.
    pub jwks: Arc<Jwks>,
}

/// Why keys could not be loaded.
#[derive(Debug)]
pub enum KeyError {
    /// Storage failed.
    Db(DbError),
    /// A key could not be decrypted or read (wrong KEK or damaged data).
    Key(String),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Db(e) => e.fmt(f),
            KeyError::Key(e) => f.write_str(e),
        }
    }
}

impl From<DbError> for KeyError {
    fn from(e: DbError) -> Self {
        KeyError::Db(e)
    }
}

/// An ETag for a document: a short hash of its bytes.
pub fn etag_of(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    format!("\"{}\"", &gatepass::base64url_encode(digest.as_ref())[..22])
}

/// Creates, seals and stores a new key; returns its kid.
///
/// # Errors
/// Storage or key generation failed.
pub fn create(conn: &mut DbConn, kek: &Kek, alg: Algorithm, now: i64) -> Result<String, KeyError> {
    let (key, pkcs8) = SigningKey::generate(alg).map_err(KeyError::Key)?;
    let sealed = kek.seal(key.kid(), &pkcs8).map_err(KeyError::Key)?;
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
            alg: signer::alg_name(alg).to_owned(),
            public_jwk: key.public_jwk().to_string(),
            private_key: sealed,
            created_at: now,
            retired_at: None,
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
        create(conn, kek, alg, now)?;
        rows = q::all(conn)?
            .into_iter()
            .filter(|r| r.retired_at.is_none())
            .collect();
    }
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        let pkcs8 = kek.open(&row.kid, &row.private_key).map_err(|_| {
            KeyError::Key(format!(
                "signing key {} cannot be decrypted with this KEK: the KEK is wrong (or the stored key is damaged). \
                 Start with the KEK this database was created with; nothing was changed",
                row.kid
            ))
        })?;
        let alg = signer::alg_from_name(&row.alg).ok_or_else(|| {
            KeyError::Key(format!(
                "signing key {} has unknown alg {}",
                row.kid, row.alg
            ))
        })?;
        keys.push(SigningKey::from_pkcs8(alg, &pkcs8).map_err(KeyError::Key)?);
    }
    let json = json!({"keys": keys.iter().map(|k| k.public_jwk().clone()).collect::<Vec<_>>()})
        .to_string();
    let kids = keys.iter().map(|k| k.kid().to_owned()).collect();
    let active = keys
        .pop()
        .map(Arc::new)
        .ok_or_else(|| KeyError::Key("no signing key".into()))?;
    Ok(KeyRing {
        active,
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
