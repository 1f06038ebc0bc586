//! The background thread of an online verifier: discovery, JWKS, the status-list index and
//! every list, fetched with conditional requests, checked, and swapped in as one snapshot.
//!
//! One thread does all fetching, so concurrent triggers coalesce (single flight). A failed
//! fetch keeps the last good data; status checks fail closed once a list has not been
//! confirmed for the maximum staleness.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::discovery::{self, Discovery};
use super::http::{Fetched, Http, LIST_ACCEPT, MAX_DOCUMENT_BYTES, MAX_LIST_TOKEN_BYTES};
use super::signals::Signals;
use crate::jwks::KeySet;
use crate::status_list::{clamp_ttl, LoadedList, MAX_TTL_SECS, MIN_TTL_SECS};
use crate::verifier::state::{ListEntry, Shared, Snapshot};

/// The first retry after a failure; doubles per failure up to the refresh interval.
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// A document we hold, with the ETag it came with.
struct Held<T> {
    value: T,
    etag: Option<String>,
}

pub(crate) struct Refresher {
    pub(crate) shared: Weak<Shared>,
    pub(crate) signals: Arc<Signals>,
    pub(crate) http: Http,
    pub(crate) issuer: String,
    /// Upper bound on the interval between refreshes.
    pub(crate) max_interval: Duration,
    discovery: Option<Held<Discovery>>,
    jwks: Option<Held<(Arc<KeySet>, Vec<u8>)>>,
    key_generation: u64,
    index: Option<Held<Vec<String>>>,
    lists: HashMap<String, (ListEntry, Option<String>)>,
    /// Lists signed tokens named that the index does not: kept (and refreshed) from then on.
    on_demand: BTreeSet<String>,
    failures: u32,
}

impl Refresher {
    pub(crate) fn new(
        shared: Weak<Shared>,
        signals: Arc<Signals>,
        http: Http,
        issuer: String,
        max_interval: Duration,
    ) -> Self {
        Refresher {
            shared,
            signals,
            http,
            issuer,
            max_interval,
            discovery: None,
            jwks: None,
            key_generation: 0,
            index: None,
            lists: HashMap::new(),
            on_demand: BTreeSet::new(),
            failures: 0,
        }
    }

    /// Runs until stopped or until the verifier is gone.
    pub(crate) fn run(mut self) {
        loop {
            if self.signals.is_stopped() {
                return;
            }
            self.signals.cycle_started();
            let Some(shared) = self.shared.upgrade() else {
                return;
            };
            let result = self.cycle(&shared);
            drop(shared);
            let loaded = self.fully_loaded();
            if let Err(e) = &result {
                log::warn!(
                    "gatepass: refreshing from {} failed: {e}; keeping the last good data",
                    self.issuer
                );
            }
            self.failures = if result.is_ok() {
                0
            } else {
                self.failures.saturating_add(1)
            };
            self.signals.cycle_done(result, loaded);
            if !self.signals.sleep_until(Instant::now() + self.next_delay()) {
                return;
            }
        }
    }

    /// One pass over everything; the first error is returned after doing all that could be done.
    fn cycle(&mut self, shared: &Shared) -> Result<(), String> {
        let mut first_error: Option<String> = None;
        let mut note = |r: Result<(), String>| {
            if let Err(e) = r {
                first_error.get_or_insert(e);
            }
        };
        note(self.refresh_discovery());
        if self.discovery.is_none() {
            return Err(first_error.unwrap_or_default());
        }
        note(self.refresh_jwks(shared));
        note(self.refresh_index());
        let now = shared.clock.now();
        let requested = self.signals.take_requested_lists();
        note(self.refresh_lists(now, &requested));
        self.install(shared);
        // The push link starts only once keys are installed: its first event is a signed
        // snapshot, which must verify (an unverified event is not acknowledged, so a resume
        // would have no Last-Event-ID to start from).
        if self.jwks.is_some() {
            let stream = self
                .discovery
                .as_ref()
                .and_then(|d| d.value.status_stream_uri.clone());
            self.signals.set_stream_uri(stream);
        }
        first_error.map_or(Ok(()), Err)
    }

    fn refresh_discovery(&mut self) -> Result<(), String> {
        let url = discovery::url(&self.issuer);
        let etag = self.discovery.as_ref().and_then(|d| d.etag.as_deref());
        match self.http.get(&url, etag, MAX_DOCUMENT_BYTES)? {
            Fetched::NotModified => Ok(()),
            Fetched::Fresh { body, etag } => {
                let value =
                    discovery::parse(&body, &self.issuer).map_err(|e| format!("{url}: {e}"))?;
                self.discovery = Some(Held { value, etag });
                Ok(())
            }
        }
    }

    fn refresh_jwks(&mut self, shared: &Shared) -> Result<(), String> {
        let Some(url) = self.discovery.as_ref().map(|d| d.value.jwks_uri.clone()) else {
            return Ok(());
        };
        let etag = self.jwks.as_ref().and_then(|j| j.etag.as_deref());
        match self.http.get(&url, etag, MAX_DOCUMENT_BYTES)? {
            Fetched::NotModified => Ok(()),
            Fetched::Fresh { body, etag } => {
                if let Some(held) = &mut self.jwks {
                    if held.value.1 == body {
                        held.etag = etag;
                        return Ok(());
                    }
                }
                let keys = KeySet::from_json(&body).map_err(|e| format!("{url}: {e}"))?;
                self.key_generation = shared.next_generation();
                self.jwks = Some(Held {
                    value: (Arc::new(keys), body),
                    etag,
                });
                Ok(())
            }
        }
    }

    fn refresh_index(&mut self) -> Result<(), String> {
        let Some(url) = self
            .discovery
            .as_ref()
            .map(|d| d.value.status_lists_uri.clone())
        else {
            return Ok(());
        };
        let etag = self.index.as_ref().and_then(|i| i.etag.as_deref());
        match self.http.get(&url, etag, MAX_DOCUMENT_BYTES)? {
            Fetched::NotModified => Ok(()),
            Fetched::Fresh { body, etag } => {
                let value = discovery::parse_index(&body).map_err(|e| format!("{url}: {e}"))?;
                self.index = Some(Held { value, etag });
                Ok(())
            }
        }
    }

    /// Every list of the index plus those signed tokens asked for; lists no longer wanted are
    /// dropped once the index is known.
    fn refresh_lists(&mut self, now: i64, requested: &BTreeSet<String>) -> Result<(), String> {
        let Some(keys) = self.jwks.as_ref().map(|j| Arc::clone(&j.value.0)) else {
            return Err("no key set loaded yet".into());
        };
        self.on_demand.extend(requested.iter().cloned());
        let mut wanted: BTreeSet<String> = self.on_demand.clone();
        if let Some(index) = &self.index {
            wanted.extend(index.value.iter().cloned());
            self.lists.retain(|uri, _| wanted.contains(uri));
        } else {
            wanted.extend(self.lists.keys().cloned());
        }
        let mut first_error = None;
        for uri in wanted {
            if let Err(e) = self.refresh_list(&uri, now, &keys) {
                // A list the issuer does not have (any more) is not asked for again.
                if e.ends_with("HTTP 404") && self.on_demand.remove(&uri) {
                    self.lists.remove(&uri);
                    continue;
                }
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn refresh_list(&mut self, uri: &str, now: i64, keys: &KeySet) -> Result<(), String> {
        let etag = self.lists.get(uri).and_then(|(_, etag)| etag.as_deref());
        match self
            .http
            .get_as(uri, Some(LIST_ACCEPT), etag, MAX_LIST_TOKEN_BYTES)?
        {
            Fetched::NotModified => {
                if let Some((entry, _)) = self.lists.get_mut(uri) {
                    entry.confirmed_at = Some(now);
                }
                Ok(())
            }
            Fetched::Fresh { body, etag } => {
                let list = LoadedList::from_token(uri, &body, keys).map_err(|e| e.to_string())?;
                if let Some((held, _)) = self.lists.get(uri) {
                    if list.is_older_than(&held.list) {
                        // A lagging replica or cache: keep the newer list (and its ETag).
                        return Ok(());
                    }
                }
                let entry = ListEntry {
                    list: Arc::new(list),
                    confirmed_at: Some(now),
                };
                self.lists.insert(uri.to_owned(), (entry, etag));
                Ok(())
            }
        }
    }

    /// Swaps in a snapshot of what is held now.
    fn install(&self, shared: &Shared) {
        let Some(discovery) = &self.discovery else {
            return;
        };
        let snapshot = Snapshot {
            keys: self.jwks.as_ref().map(|j| Arc::clone(&j.value.0)),
            key_generation: self.key_generation,
            lists: self
                .lists
                .iter()
                .map(|(uri, (entry, _))| (uri.clone(), entry.clone()))
                .collect(),
            prefix: discovery.value.token_prefix.clone(),
        };
        shared.install(snapshot);
    }

    /// Keys are loaded and so is every list of the index.
    fn fully_loaded(&self) -> bool {
        self.jwks.is_some()
            && self
                .index
                .as_ref()
                .is_some_and(|index| index.value.iter().all(|uri| self.lists.contains_key(uri)))
    }

    /// The refresh interval: the configured maximum, shortened to the lists' `ttl` (clamped),
    /// with 0–20% jitter so a fleet of verifiers does not refresh in step; after failures,
    /// exponential backoff from 0.5 s up to that interval.
    fn next_delay(&self) -> Duration {
        let ttl = self
            .lists
            .values()
            .filter_map(|(entry, _)| entry.list.ttl())
            .chain(
                self.discovery
                    .as_ref()
                    .and_then(|d| d.value.status_list_ttl)
                    .map(clamp_ttl),
            )
            .min()
            .unwrap_or(MAX_TTL_SECS);
        let interval = self
            .max_interval
            .min(Duration::from_secs(ttl.max(MIN_TTL_SECS)));
        let base = if self.failures == 0 {
            interval
        } else {
            FIRST_RETRY
                .saturating_mul(1 << self.failures.min(16))
                .min(interval)
        };
        base.mul_f64(1.0 - 0.2 * jitter())
    }
}

/// A uniform number in [0, 1).
pub(crate) fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}
