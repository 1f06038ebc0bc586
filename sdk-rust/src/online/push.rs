//! The push link of an online verifier: one thread holding the issuer's status stream
//! (Server-Sent Events, `status_stream_uri` in discovery) and applying each signed event to the
//! loaded status lists as it arrives, so a revocation takes effect within a second instead of a
//! list `ttl`. Polling carries on beside it, so a dead link costs at most the `ttl`.
//!
//! - Every event is verified (signature by a key of the issuer's set, `typ`
//!   `gatepass-event+jwt`, issuer) before anything in it is used; a bad one triggers a refetch.
//! - A `status` event applies only to the list version it follows (`version` = held + 1); an
//!   older one is ignored, a later one (a gap) makes the verifier refetch that list at once.
//!   Events only ever set statuses; lists are replaced atomically (readers stay lock-free), and
//!   never by an older version.
//! - The `snapshot` a connection starts with names every list's version: lists that are behind
//!   or unknown are refetched at once. A `keys` event (a key was added or retired) refetches the
//!   JWKS at once: a next key is known long before it signs, a retired one stops verifying.
//! - A dropped link reconnects with jittered backoff and `Last-Event-ID`, so the issuer replays
//!   what was missed. A link quiet for [`QUIET_LIMIT`] (three missed heartbeats) counts as down.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::Agent;

use super::event::{self, PushEvent};
use super::signals::Signals;
use super::sse::{Line, SseEvent, SseReader};
use crate::verifier::state::{ListEntry, Shared};

/// A link silent this long (the issuer sends a heartbeat every 5 s) counts as down.
pub const QUIET_LIMIT: Duration = Duration::from_secs(15);
/// A connection is replaced after this long, so a link that died without a word (no FIN) is
/// noticed even when the operating system does not tell.
const SESSION_LIMIT: Duration = Duration::from_secs(300);
/// The first reconnection delay; doubles per failure up to [`MAX_RETRY`].
const FIRST_RETRY: Duration = Duration::from_millis(500);
const MAX_RETRY: Duration = Duration::from_secs(30);
const NEVER: u64 = u64::MAX;

/// The state of a verifier's push link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushStatus {
    /// The verifier subscribes to the issuer's push channel (online verifiers do by default; off
    /// for offline verifiers, when turned off, or when the issuer offers none).
    pub enabled: bool,
    /// The link is up: connected, and heard from (an event or a heartbeat) within the last 15 s.
    pub connected: bool,
    /// Time since the last event or heartbeat; `None` before the first.
    pub last_event_age: Option<Duration>,
}

impl PushStatus {
    /// The status of a verifier without a push link.
    pub(crate) const OFF: PushStatus = PushStatus {
        enabled: false,
        connected: false,
        last_event_age: None,
    };
}

/// What the verifier can read about its link.
pub(crate) struct Link {
    enabled: AtomicBool,
    open: AtomicBool,
    started: Instant,
    last_heard_ms: AtomicU64,
}

impl Link {
    pub(crate) fn new() -> Link {
        Link {
            enabled: AtomicBool::new(true),
            open: AtomicBool::new(false),
            started: Instant::now(),
            last_heard_ms: AtomicU64::new(NEVER),
        }
    }

    pub(crate) fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    fn heard(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(NEVER - 1);
        self.last_heard_ms.store(ms, Ordering::Relaxed);
    }

    pub(crate) fn status(&self) -> PushStatus {
        let last = self.last_heard_ms.load(Ordering::Relaxed);
        let last_event_age = (last != NEVER).then(|| {
            self.started
                .elapsed()
                .saturating_sub(Duration::from_millis(last))
        });
        PushStatus {
            enabled: self.enabled.load(Ordering::Relaxed),
            connected: self.open.load(Ordering::Relaxed)
                && last_event_age.is_some_and(|age| age < QUIET_LIMIT),
            last_event_age,
        }
    }
}

pub(crate) struct Push {
    shared: Weak<Shared>,
    signals: Arc<Signals>,
    agent: Agent,
    issuer: String,
    last_id: Option<String>,
}

impl Push {
    pub(crate) fn new(
        shared: Weak<Shared>,
        signals: Arc<Signals>,
        connect_timeout: Duration,
        issuer: String,
    ) -> Push {
        let agent = Agent::config_builder()
            .timeout_connect(Some(connect_timeout))
            .timeout_recv_response(Some(connect_timeout))
            .timeout_global(Some(SESSION_LIMIT))
            .http_status_as_error(false)
            .user_agent(concat!("gatepass-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Push {
            shared,
            signals,
            agent,
            issuer,
            last_id: None,
        }
    }

    /// Runs until the verifier is closed or dropped.
    pub(crate) fn run(mut self) {
        let mut failures: u32 = 0;
        loop {
            if self.signals.is_stopped() || self.shared.strong_count() == 0 {
                return;
            }
            // Connects as soon as discovery names the stream (re-checked: discovery may change).
            let Some(url) = self.signals.wait_for_stream_uri(Duration::from_secs(60)) else {
                continue;
            };
            let started = Instant::now();
            let result = self.session(&url);
            self.signals.link.open.store(false, Ordering::Relaxed);
            match result {
                Ok(()) => return, // stopped
                Err(e) => log::warn!(
                    "gatepass: push link to {url}: {e}; reconnecting (polling continues)"
                ),
            }
            failures = if started.elapsed() > Duration::from_secs(30) {
                0
            } else {
                failures.saturating_add(1)
            };
            let delay = FIRST_RETRY
                .saturating_mul(1 << failures.min(8))
                .min(MAX_RETRY)
                .mul_f64(0.5 + 0.5 * super::refresher::jitter());
            if !self.signals.wait_unless_stopped(delay) {
                return;
            }
        }
    }

    /// One connection: reads until it ends. `Ok` only when the verifier stopped.
    fn session(&mut self, url: &str) -> Result<(), String> {
        let mut request = self.agent.get(url).header("Accept", "text/event-stream");
        if let Some(id) = &self.last_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.call().map_err(|e| format!("connecting: {e}"))?;
        if response.status().as_u16() != 200 {
            return Err(format!("HTTP {}", response.status().as_u16()));
        }
        let reader = std::io::BufReader::new(response.into_body().into_reader());
        let mut stream = SseReader::new(reader);
        self.signals.link.open.store(true, Ordering::Relaxed);
        self.signals.link.heard();
        loop {
            if self.signals.is_stopped() {
                return Ok(());
            }
            let Some(shared) = self.shared.upgrade() else {
                return Ok(());
            };
            match stream.next_line()? {
                Line::End => return Err("the issuer closed the stream".into()),
                Line::Other => self.signals.link.heard(),
                Line::Event(event) => {
                    self.signals.link.heard();
                    self.handle(&shared, &event);
                }
            }
        }
    }

    fn handle(&mut self, shared: &Shared, sse: &SseEvent) {
        let keys = shared.snapshot.load().keys.clone();
        match event::parse(&sse.data, keys.as_deref(), &self.issuer) {
            Ok(PushEvent::Status {
                list,
                version,
                indexes,
            }) => self.apply(shared, &list, version, &indexes),
            // Signed by the issuer: a refetch at once, not rate-limited.
            Ok(PushEvent::Keys) => self.signals.wake(),
            Ok(PushEvent::Snapshot { lists }) => {
                let held = shared.snapshot.load();
                let behind: Vec<String> = lists
                    .into_iter()
                    .filter(|(uri, version)| {
                        held.lists
                            .get(uri)
                            .and_then(|e| e.list.version())
                            .is_none_or(|v| v < *version)
                    })
                    .map(|(uri, _)| uri)
                    .collect();
                self.signals.refetch(behind);
            }
            Err(e) => {
                log::warn!("gatepass: ignoring a push event: {e}; refetching instead");
                // Unknown keys (a new signing key) or a forged event: a rate-limited refresh.
                self.signals.refresh_soon();
                return;
            }
        }
        // Resume after this event next time (a bad event is not acknowledged).
        if let Some(id) = &sse.id {
            self.last_id = Some(id.clone());
        }
    }

    /// Applies a `status` event to the list it names, or refetches the list.
    fn apply(&self, shared: &Shared, uri: &str, version: u64, indexes: &[u64]) {
        let mut outcome = Applied::Refetch;
        shared.snapshot.rcu(|current| {
            let Some(entry) = current.lists.get(uri) else {
                outcome = Applied::Refetch; // a new list, or one not loaded yet
                return Arc::clone(current);
            };
            match entry.list.version() {
                Some(held) if version <= held => {
                    outcome = Applied::Old;
                    Arc::clone(current)
                }
                Some(held) if version == held + 1 => {
                    match entry.list.with_revoked(indexes, version) {
                        Ok(list) => {
                            outcome = Applied::Done;
                            let mut next = (**current).clone();
                            next.lists.insert(
                                uri.to_owned(),
                                ListEntry {
                                    list: Arc::new(list),
                                    confirmed_at: entry.confirmed_at,
                                },
                            );
                            Arc::new(next)
                        }
                        Err(_) => {
                            outcome = Applied::Refetch;
                            Arc::clone(current)
                        }
                    }
                }
                _ => {
                    outcome = Applied::Refetch; // a gap, or a list without versions
                    Arc::clone(current)
                }
            }
        });
        if outcome == Applied::Refetch {
            self.signals.refetch(vec![uri.to_owned()]);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applied {
    Done,
    Old,
    Refetch,
}
