//! PostgreSQL `LISTEN`: wakes the feeder the moment another replica (or the CLI) commits a
//! change, on one connection of its own. Notifications only wake; the feeder reads the log, so
//! a lost or merged notification loses nothing (the backstop poll covers a dead listener).

use std::time::Duration;

use futures_util::StreamExt;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::db::queries::events::CHANNEL;
use crate::state::AppState;

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Listens until `shutdown` fires; does nothing on SQLite (one process: its own commits wake it).
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let url = state.config.database_url();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return;
    }
    let mut backoff = Duration::from_millis(500);
    loop {
        match tokio_postgres::connect(&url, NoTls).await {
            Ok((client, mut connection)) => {
                backoff = Duration::from_millis(500);
                let hub_state = state.clone();
                let mut messages =
                    futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                let driver = tokio::spawn(async move {
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(AsyncMessage::Notification(_)) => hub_state.hub.wake(),
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "the LISTEN connection failed");
                                break;
                            }
                        }
                    }
                });
                if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    tracing::warn!(error = %e, "LISTEN failed; the backstop poll carries on");
                } else {
                    // Catch up on anything committed while we were not listening.
                    state.hub.wake();
                }
                tokio::select! {
                    _ = driver => {}
                    _ = shutdown.changed() => return,
                }
            }
            Err(e) => {
                // tokio-postgres says only "error connecting to server"; its source says why.
                let cause = std::error::Error::source(&e)
                    .map_or_else(|| e.to_string(), |s| format!("{e}: {s}"));
                tracing::warn!(error = %cause, retry_in = ?backoff, "cannot open the LISTEN connection (TLS-only servers are not supported for it); changes from other replicas arrive by the backstop poll meanwhile");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = shutdown.changed() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
