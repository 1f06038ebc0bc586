//! The push channel (docs/protocol.md#push): status changes streamed to online verifiers as
//! signed Server-Sent Events, so a revocation reaches every connected verifier within a second.
//!
//! - The truth is the event log in the database (`status_events`, numbered in commit order).
//!   [`feed`] reads it into this replica's [`Hub`] when woken: by this replica's own commits, by
//!   PostgreSQL `NOTIFY` (other replicas, the CLI), or by a short backstop poll.
//! - The hub signs each event once, keeps the latest [`RING`] for resumption, and fans them out
//!   through one broadcast channel; a subscriber is only a cursor into it. A subscriber that
//!   falls `stream_buffer` events behind (default [`RING`]) is disconnected (never skipped past
//!   events) and resumes with `Last-Event-ID`.
//! - [`sse`] serves `GET /v1/status-stream`.

pub mod feed;
pub mod listen;
pub mod sse;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use serde_json::{json, Value};
use tokio::sync::{broadcast, Notify};

use crate::db::models::EventRow;
use crate::keys::{SignerError, SigningKey};
use crate::status;

/// Default of `stream_buffer`: events kept in memory for resumption, and how far a subscriber
/// may fall behind before it is disconnected.
pub const RING: usize = 4096;
/// Events kept in the database for resumption from further back (older ones are pruned).
pub const KEEP_IN_DB: i64 = 100_000;

/// One event, signed and framed for SSE once, shared by every subscriber.
#[derive(Debug)]
pub struct Event {
    /// Its position in the log (the SSE `id`).
    pub seq: i64,
    /// The list's URI.
    pub list: String,
    /// The list's version after it.
    pub version: i64,
    /// `id: …\nevent: status\ndata: <JWS>\n\n`.
    pub frame: Bytes,
}

/// What a new subscriber starts from.
pub struct Subscription {
    /// Live events after `head`.
    pub live: broadcast::Receiver<Arc<Event>>,
    /// The last event the hub had published when the subscription began.
    pub head: i64,
    /// The version of every list at `head`, by URI.
    pub versions: BTreeMap<String, i64>,
    /// Events after the requested `Last-Event-ID` up to `head`, when the ring still holds them.
    pub replay: Option<Vec<Arc<Event>>>,
}

struct HubState {
    capacity: usize,
    head: i64,
    ring: VecDeque<Arc<Event>>,
    versions: BTreeMap<String, i64>,
}

/// This replica's fan-out of the event log.
pub struct Hub {
    state: RwLock<HubState>,
    live: broadcast::Sender<Arc<Event>>,
    wake: Notify,
    /// True once the issuer shuts down: every stream ends (clients reconnect elsewhere).
    closing: tokio::sync::watch::Sender<bool>,
}

impl Hub {
    /// A hub that keeps `capacity` events and has published everything up to `head`, when
    /// lists stood at `versions`.
    pub fn new(capacity: usize, head: i64, versions: BTreeMap<String, i64>) -> Hub {
        let capacity = capacity.max(1);
        let (live, _) = broadcast::channel(capacity);
        Hub {
            state: RwLock::new(HubState {
                capacity,
                head,
                ring: VecDeque::with_capacity(capacity),
                versions,
            }),
            live,
            wake: Notify::new(),
            closing: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Ends every stream (shutdown): open streams would otherwise hold graceful shutdown until
    /// its deadline. Subscribers reconnect, to another replica or to this one restarted.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`Hub::close`] was called.
    pub fn closed(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Asks the feeder to read the log now (after a commit that appended to it).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves when [`Hub::wake`] was called.
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    /// The last event published.
    pub fn head(&self) -> i64 {
        self.state.read().map(|s| s.head).unwrap_or(0)
    }

    /// Publishes events that follow `head`, in order.
    pub fn publish(&self, events: Vec<Event>) {
        let Ok(mut state) = self.state.write() else {
            return;
        };
        for event in events {
            if event.seq <= state.head {
                continue;
            }
            let event = Arc::new(event);
            state.head = event.seq;
            if !event.list.is_empty() {
                let version = state.versions.entry(event.list.clone()).or_insert(0);
                *version = (*version).max(event.version);
            }
            if state.ring.len() == state.capacity {
                state.ring.pop_front();
            }
            state.ring.push_back(Arc::clone(&event));
            // No subscriber is not an error.
            let _ = self.live.send(event);
        }
    }

    /// Subscribes; with `after` (a `Last-Event-ID`), also returns the events since then when the
    /// ring still has them.
    pub fn subscribe(&self, after: Option<i64>) -> Subscription {
        let state = self
            .state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Subscribing under the lock: every event is either at most `head` or arrives live.
        let live = self.live.subscribe();
        let replay = after.and_then(|after| {
            if after >= state.head {
                return Some(Vec::new());
            }
            let first = state.ring.front()?.seq;
            (after + 1 >= first).then(|| {
                state
                    .ring
                    .iter()
                    .filter(|e| e.seq > after)
                    .cloned()
                    .collect()
            })
        });
        Subscription {
            live,
            head: state.head,
            versions: state.versions.clone(),
            replay,
        }
    }
}

/// An SSE frame: `id`, `event` and one `data` line.
fn frame(id: i64, name: &str, data: &str) -> Bytes {
    Bytes::from(format!("id: {id}\nevent: {name}\ndata: {data}\n\n"))
}

/// Signs a logged change as a `status` event (a list changed) or a `keys` event (the published
/// keys changed: fetch the JWKS).
///
/// # Errors
/// Signing failed.
pub fn render(
    row: &EventRow,
    key: &SigningKey,
    issuer: &str,
    now: i64,
) -> Result<Event, SignerError> {
    if row.kind == crate::db::queries::events::KEYS {
        let claims = json!({"iss": issuer, "iat": now, "type": "keys", "seq": row.seq});
        let jws = key.sign_jws(gatepass::STATUS_EVENT_TYPE, &claims)?;
        return Ok(Event {
            seq: row.seq,
            list: String::new(),
            version: 0,
            frame: frame(row.seq, "keys", &jws),
        });
    }
    let list = status::uri(issuer, &row.list);
    let idx: Vec<u64> = row
        .indexes
        .split(' ')
        .filter_map(|i| i.parse().ok())
        .collect();
    let claims = json!({
        "iss": issuer,
        "iat": now,
        "type": "status",
        "seq": row.seq,
        "list": list,
        "version": row.version,
        "idx": idx,
    });
    let jws = key.sign_jws(gatepass::STATUS_EVENT_TYPE, &claims)?;
    Ok(Event {
        seq: row.seq,
        list,
        version: row.version,
        frame: frame(row.seq, "status", &jws),
    })
}

/// Signs the `snapshot` event a subscriber gets on connect: the version of every list at
/// `head`, and whether the events since its `Last-Event-ID` were replayed before it.
///
/// # Errors
/// Signing failed.
pub fn snapshot(
    head: i64,
    versions: &BTreeMap<String, i64>,
    resumed: bool,
    key: &SigningKey,
    issuer: &str,
    now: i64,
) -> Result<Bytes, SignerError> {
    let lists: serde_json::Map<String, Value> = versions
        .iter()
        .map(|(uri, v)| (uri.clone(), json!(v)))
        .collect();
    let claims = json!({
        "iss": issuer,
        "iat": now,
        "type": "snapshot",
        "seq": head,
        "lists": lists,
        "resumed": resumed,
    });
    let jws = key.sign_jws(gatepass::STATUS_EVENT_TYPE, &claims)?;
    Ok(frame(head, "snapshot", &jws))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64) -> Event {
        Event {
            seq,
            list: "l".into(),
            version: seq,
            frame: Bytes::new(),
        }
    }

    #[test]
    fn subscribers_get_the_ring_or_nothing_and_never_a_gap() {
        let hub = Hub::new(RING, 10, BTreeMap::new());
        hub.publish((11..=15).map(event).collect());
        let sub = hub.subscribe(Some(12));
        assert_eq!(sub.head, 15);
        let seqs: Vec<i64> = sub.replay.unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [13, 14, 15]);
        assert!(
            hub.subscribe(Some(3)).replay.is_none(),
            "older than the ring"
        );
        assert_eq!(hub.subscribe(Some(15)).replay.unwrap().len(), 0);
        assert_eq!(hub.subscribe(None).versions["l"], 15);
        hub.publish(vec![event(14)]);
        assert_eq!(hub.head(), 15, "old events are not published again");
    }

    #[test]
    fn a_subscriber_that_falls_behind_the_ring_is_told() {
        let hub = Hub::new(RING, 0, BTreeMap::new());
        let mut sub = hub.subscribe(None);
        hub.publish((1..=(RING as i64 + 1)).map(event).collect());
        assert!(matches!(
            sub.live.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
    }
}
