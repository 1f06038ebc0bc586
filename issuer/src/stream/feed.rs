//! Reads the event log into this replica's hub: whenever woken (own commits, `NOTIFY` from other
//! replicas and the CLI) and at least every [`BACKSTOP`] (a lost notification, or SQLite changed
//! by another process), so a change committed anywhere is streamed by every replica.

use std::time::Duration;

use crate::db;
use crate::db::queries::events as q;
use crate::state::{now, AppState};
use crate::sync::{Lists, SyncError};

/// The longest a committed change waits to be streamed when no wake-up arrives.
pub const BACKSTOP: Duration = Duration::from_millis(500);
/// Events read per query.
const BATCH: i64 = 1000;

/// Runs until `shutdown` fires.
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = state.hub.woken() => {}
            () = tokio::time::sleep(BACKSTOP) => {}
            _ = shutdown.changed() => return,
        }
        if let Err(e) = catch_up(&state).await {
            crate::metrics::METRICS.store_errors.inc();
            tracing::warn!(error = %e, "reading the event log failed; will retry");
        }
    }
}

/// Publishes every logged event after the hub's head; rebuilds the lists they changed (so this
/// replica's own API follows another's revocations at once, too).
///
/// # Errors
/// Storage or signing failed (what was published stays published).
pub async fn catch_up(state: &AppState) -> Result<usize, SyncError> {
    let mut published = 0;
    loop {
        let after = state.hub.head();
        let rows = db::run(&state.pool, move |c| q::after(c, after, BATCH)).await?;
        if rows.is_empty() {
            break;
        }
        let full = rows.len() as i64 == BATCH;
        let now = now();
        let issuer = &state.config.issuer_url;
        let mut keys_changed = false;
        if rows.iter().any(|r| r.kind == q::KEYS) {
            // Reload keys first: verifiers told "the keys changed" fetch the JWKS from us next.
            let s = state.clone();
            keys_changed = db::run(&state.pool, move |c| crate::sync::sync_keys(&s, c)).await?;
        }
        let key = state.keys.load().signing(now);
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            events.push(super::render(row, &key, issuer, now).map_err(SyncError::Sign)?);
        }
        published += events.len();
        crate::metrics::METRICS
            .events_published
            .inc_by(events.len() as u64);
        // The lists these events changed, before the events that name their new versions.
        let mut changed: Vec<String> = rows
            .iter()
            .filter(|r| r.kind == q::STATUS)
            .map(|r| r.list.clone())
            .collect();
        changed.sort_unstable();
        changed.dedup();
        let s = state.clone();
        db::run(&state.pool, move |c| {
            let which = if keys_changed {
                Lists::All
            } else {
                Lists::Named(&changed)
            };
            crate::sync::sync_lists(&s, c, which)
        })
        .await?;
        state.hub.publish(events);
        if !full {
            break;
        }
    }
    Ok(published)
}
