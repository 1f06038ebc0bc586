//! Keeping this replica current with the store: keys (rotations by any replica), status lists
//! (revocations by any replica), due grace-period revocations, batched `last_used_at` writes,
//! and key rotation by age. Runs at start-up and then every couple of seconds.

use std::time::Duration;

use crate::db::queries::{keys as key_q, lists as list_q, tokens as token_q};
use crate::db::{self, DbError};
use crate::keys::{self, KeyError};
use crate::state::{now, AppState};
use crate::status;

/// How often a replica polls the store.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Why a round of keeping current failed (the next round tries again).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Keys could not be loaded or made.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// A list could not be built.
    #[error(transparent)]
    List(#[from] status::BuildError),
    /// Signing a push-channel event failed.
    #[error("signing an event failed: {0}")]
    Sign(#[source] crate::keys::SignerError),
    /// The issuer's own verifier refused what the issuer publishes (a bug, never the client's).
    #[error("the issuer's own verifier refused its {what}: {source}")]
    Verifier {
        /// "key set" or "status list".
        what: &'static str,
        /// Why.
        source: gatepass::ConfigError,
    },
    /// Carrying out due grace-period revocations failed.
    #[error("grace-period revocations: {0}")]
    DueRevocations(#[source] Box<crate::tokens::ServiceError>),
}

/// Reloads keys when the key table changed; rebuilds every list when the signing key changed.
///
/// # Errors
/// Storage failed or a key cannot be decrypted.
pub fn sync_keys(state: &AppState, conn: &mut db::DbConn) -> Result<bool, SyncError> {
    let fingerprint = key_q::fingerprint(conn)?;
    // A panic elsewhere leaves the fingerprint as it was: still a valid "last seen".
    let mut seen = state
        .key_fingerprint
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if seen.as_ref() == Some(&fingerprint) {
        return Ok(false);
    }
    let ring = keys::load(conn, &state.kek, state.config.algorithm, now())?;
    for verifier in [&state.verifier, &state.platform_verifier] {
        verifier
            .update_jwks(ring.jwks.json.as_bytes())
            .map_err(|source| SyncError::Verifier {
                what: "key set",
                source,
            })?;
    }
    state.keys.store(std::sync::Arc::new(ring));
    *seen = Some(key_q::fingerprint(conn)?);
    Ok(true)
}

/// Which lists [`sync_lists`] reads and rebuilds.
#[derive(Debug, Clone, Copy)]
pub enum Lists<'a> {
    /// Every list, signed again whatever its version (at start-up, after the keys changed).
    All,
    /// Every list whose version moved since this replica built it, or whose signature is half
    /// way to its end (the background poll, which follows other replicas).
    Moved,
    /// Only these lists, if their version moved: the lists a transaction of this replica just
    /// changed or created. A revocation reads its own lists' rows, never every list's.
    Named(&'a [String]),
}

/// Rebuilds the lists `which` selects and feeds them to the issuer's verifier.
///
/// # Errors
/// Storage or signing failed.
pub fn sync_lists(
    state: &AppState,
    conn: &mut db::DbConn,
    which: Lists<'_>,
) -> Result<(), SyncError> {
    // One rebuild at a time per replica; together with `ListCache::put` refusing older data,
    // a slow rebuild can never replace a newer one.
    let _one_at_a_time = state
        .list_sync
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let now = now();
    let rows = match which {
        Lists::All | Lists::Moved => list_q::all(conn)?,
        Lists::Named([]) => return Ok(()),
        Lists::Named(ids) => list_q::get_many(conn, ids)?,
    };
    let versions: Vec<(String, i64)> = rows.iter().map(|r| (r.id.clone(), r.version)).collect();
    let stale = match which {
        Lists::All => versions.iter().map(|(id, _)| id.clone()).collect(),
        Lists::Moved | Lists::Named(_) => state.lists.stale(&versions, now),
    };
    let key = state.keys.load().signing(now);
    for row in rows.iter().filter(|r| stale.contains(&r.id)) {
        let started = std::time::Instant::now();
        // After a key change every list is signed again; its bits need not be compressed again.
        let held = state.lists.get(&row.id);
        let signed = status::build(
            conn,
            row,
            held.as_deref(),
            &key,
            &state.config.issuer_url,
            state.config.status_list_ttl,
            now,
        )?;
        crate::metrics::METRICS.list_rebuilds.inc();
        crate::metrics::METRICS
            .list_rebuild_seconds
            .observe(started.elapsed().as_secs_f64());
        let jwt = signed.jwt.clone();
        if state.lists.put(signed) {
            let uri = status::uri(&state.config.issuer_url, &row.id);
            for verifier in [&state.verifier, &state.platform_verifier] {
                verifier
                    .update_status_list(&uri, &jwt)
                    .map_err(|source| SyncError::Verifier {
                        what: "status list",
                        source,
                    })?;
            }
        }
    }
    Ok(())
}

/// Writes the batched `last_used_at` values.
///
/// # Errors
/// Storage failed (the batch is kept for the next round).
pub fn flush_last_used(state: &AppState, conn: &mut db::DbConn) -> Result<(), DbError> {
    let mut batch: Vec<(String, i64)> = match state.last_used.lock() {
        Ok(mut map) => map.drain().collect(),
        Err(_) => return Ok(()),
    };
    // Token rows are locked in ascending id order, as in every transaction.
    batch.sort_unstable();
    if batch.is_empty() {
        return Ok(());
    }
    let result = crate::db::write_tx(conn, |c| {
        for (jti, at) in &batch {
            token_q::touch(c, jti, None, *at)?;
        }
        Ok::<_, DbError>(())
    });
    if result.is_err() {
        for (jti, at) in batch {
            state.note_use(&jti, at);
        }
    }
    result
}

/// Creates a new signing key when the active one is older than `key_rotation_days`.
///
/// # Errors
/// Storage or key generation failed.
pub fn rotate_by_age(state: &AppState, conn: &mut db::DbConn) -> Result<bool, SyncError> {
    let days = state.config.key_rotation_days;
    if days <= 0.0 {
        return Ok(false);
    }
    let rows = key_q::all(conn)?;
    let newest = rows
        .iter()
        .filter(|r| r.retired_at.is_none())
        .map(|r| r.created_at)
        .max()
        .unwrap_or(0);
    if ((now() - newest) as f64) < days * 86_400.0 {
        return Ok(false);
    }
    let now = now();
    let activates_at = now.saturating_add(state.config.key_activation_delay());
    keys::create(conn, &state.kek, state.config.algorithm, now, activates_at)?;
    crate::db::queries::events::announce_keys(conn, now)?;
    state.hub.wake();
    Ok(true)
}

/// One round of everything above.
///
/// # Errors
/// The first failure (the others still ran).
pub fn tick(state: &AppState) -> Result<(), SyncError> {
    let mut conn = db::get(&state.pool)?;
    let mut first: Option<SyncError> = None;
    let mut note = |r: Result<(), SyncError>| {
        if let Err(e) = r {
            first.get_or_insert(e);
        }
    };
    note(rotate_by_age(state, &mut conn).map(|_| ()));
    let keys_changed = sync_keys(state, &mut conn);
    let which = if matches!(keys_changed, Ok(true)) {
        Lists::All
    } else {
        Lists::Moved
    };
    note(keys_changed.map(|_| ()));
    note(
        crate::tokens::service::apply_due_revocations(state, &mut conn)
            .map(|_| ())
            .map_err(|e| SyncError::DueRevocations(Box::new(e))),
    );
    note(sync_lists(state, &mut conn, which));
    note(flush_last_used(state, &mut conn).map_err(SyncError::from));
    note(
        crate::db::queries::events::prune(&mut conn, crate::stream::KEEP_IN_DB)
            .map(|_| ())
            .map_err(SyncError::from),
    );
    first.map_or(Ok(()), Err)
}

/// Runs [`tick`] every [`POLL_INTERVAL`] until `shutdown` fires.
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = shutdown.changed() => {
                // Write the last batch of `last_used_at` before exiting.
                let s = state.clone();
                let flushed = tokio::task::spawn_blocking(move || {
                    let mut conn = db::get(&s.pool)?;
                    flush_last_used(&s, &mut conn)
                })
                .await;
                if let Ok(Err(e)) = flushed {
                    tracing::warn!(error = %e, "could not write the last last_used_at batch");
                }
                return;
            }
        }
        let s = state.clone();
        match tokio::task::spawn_blocking(move || tick(&s)).await {
            Ok(Err(e)) => {
                crate::metrics::METRICS.store_errors.inc();
                tracing::warn!(error = %e, "background sync failed; will retry");
            }
            Err(e) => tracing::error!(error = %e, "background sync panicked"),
            Ok(Ok(())) => {}
        }
    }
}
