//! The background loop of each replica: every second (or at once when this replica committed
//! an event), turn marked events into deliveries, raise due expiry notices (every
//! `NOTICE_EVERY`, 30 s), and make the due attempts, several at a time.

use std::time::Duration;

use super::deliver::{self, Policy};
use crate::db;
use crate::state::{now, AppState};

/// Between rounds when nothing wakes the loop.
const TICK: Duration = Duration::from_secs(1);
/// After a wake-up, how long the loop waits for more events before its round: a burst of mints
/// (thousands a second) then costs a round per window instead of a round per mint, each of
/// which reads the store. Deliveries leave at most this much later.
const GATHER: Duration = Duration::from_millis(50);
/// Between two looks for due expiry notices (they are per day; a minute late is on time).
const NOTICE_EVERY: i64 = 30;
/// Attempts made at the same time.
const PARALLEL: usize = 8;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Events turned into deliveries.
    pub events: usize,
    /// Expiry notices raised.
    pub notices: usize,
    /// Attempts made.
    pub attempts: usize,
}

/// One round at `now`; `notices` says whether to look for due expiry notices.
///
/// # Errors
/// Storage failed (what was done stays done).
pub fn round(
    state: &AppState,
    agent: &ureq::Agent,
    now: i64,
    notices: bool,
) -> Result<Round, db::DbError> {
    let policy = Policy::of(&state.config);
    // The round's clock: `now` moving with real time (tests pass a `now` ahead of it).
    let offset = now - crate::state::now();
    let clock = move || crate::state::now() + offset;
    let mut conn = db::get(&state.pool)?;
    let mut done = Round::default();
    if notices {
        done.notices = super::notices::raise_due(&mut conn, now)?;
    }
    loop {
        let n = super::outbox::fan_out(&mut conn, now)?;
        done.events += n;
        if n == 0 {
            break;
        }
    }
    let taken = deliver::take_due(&mut conn, &policy, now, PARALLEL * 4)?;
    drop(conn);
    done.attempts = taken.len();
    for chunk in taken.chunks(PARALLEL) {
        std::thread::scope(|s| {
            for t in chunk {
                let policy = &policy;
                s.spawn(move || {
                    let answer = deliver::post(agent, &state.kek, t, clock());
                    let recorded = db::get(&state.pool).and_then(|mut c| {
                        deliver::record(&mut c, policy, t, &answer, clock())
                    });
                    if let Err(e) = recorded {
                        tracing::warn!(error = %e, event = %t.delivery.event_id, "recording a webhook attempt failed; it will be retried");
                    }
                });
            }
        });
    }
    Ok(done)
}

/// Runs rounds until `shutdown` fires.
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let agent = deliver::agent(&Policy::of(&state.config));
    let mut last_notices: Option<i64> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = state.webhook_wake.notified() => {
                tokio::select! {
                    _ = tokio::time::sleep(GATHER) => {}
                    _ = shutdown.changed() => return,
                }
            }
            _ = shutdown.changed() => return,
        }
        let (s, a) = (state.clone(), agent.clone());
        let at = now();
        let notices = last_notices.is_none_or(|last| at - last >= NOTICE_EVERY);
        match tokio::task::spawn_blocking(move || round(&s, &a, at, notices)).await {
            Ok(Ok(_)) => {
                if notices {
                    last_notices = Some(at);
                }
            }
            Ok(Err(e)) => {
                crate::metrics::METRICS.store_errors.inc();
                tracing::warn!(error = %e, "webhook round failed; will retry");
            }
            Err(e) => tracing::error!(error = %e, "webhook round panicked"),
        }
    }
}
