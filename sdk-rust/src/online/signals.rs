//! How verification talks to the background thread without ever waiting for it: wake-ups
//! (rate-limited by the cooldown), stop, and the count of finished refresh cycles.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::usage::UsageBuffer;
use crate::claims::Claims;
use crate::verifier::state::{Background, Observer};

/// The most status-list URIs remembered from tokens between two refreshes.
const MAX_REQUESTED_LISTS: usize = 64;
const NEVER: u64 = u64::MAX;

#[derive(Default)]
struct State {
    wake: bool,
    stop: bool,
    /// Finished refresh cycles, and the error of the last one (if it failed).
    cycles: u64,
    running: bool,
    last_error: Option<String>,
    /// True once keys and every listed status list have loaded.
    loaded: bool,
    /// Lists that signed tokens named but the index did not.
    requested_lists: BTreeSet<String>,
    /// The push channel's URL, once discovery named one (and push is on).
    stream_uri: Option<String>,
}

pub(crate) struct Signals {
    state: Mutex<State>,
    changed: Condvar,
    started: Instant,
    cooldown_ms: u64,
    last_key_wake: AtomicU64,
    last_list_wake: AtomicU64,
    last_event_wake: AtomicU64,
    pub(crate) usage: Option<UsageBuffer>,
    /// The push link's state (disabled unless push is on and the issuer offers it).
    pub(crate) link: std::sync::Arc<super::push::Link>,
    push_wanted: bool,
}

impl Signals {
    pub(crate) fn new(cooldown: Duration, usage: Option<UsageBuffer>, push: bool) -> Signals {
        let link = std::sync::Arc::new(super::push::Link::new());
        link.set_enabled(false);
        Signals {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            started: Instant::now(),
            cooldown_ms: u64::try_from(cooldown.as_millis()).unwrap_or(u64::MAX),
            last_key_wake: AtomicU64::new(NEVER),
            last_list_wake: AtomicU64::new(NEVER),
            last_event_wake: AtomicU64::new(NEVER),
            usage,
            link,
            push_wanted: push,
        }
    }

    /// Discovery named the push channel `uri` (or none): the push thread connects to it.
    pub(crate) fn set_stream_uri(&self, uri: Option<String>) {
        let uri = uri.filter(|_| self.push_wanted);
        self.link.set_enabled(uri.is_some());
        self.lock().stream_uri = uri;
        self.changed.notify_all();
    }

    /// The push channel's URL, waiting up to `timeout` for discovery to name one; `None` when
    /// it has not (yet), or when stopped.
    pub(crate) fn wait_for_stream_uri(&self, timeout: Duration) -> Option<String> {
        self.wait_for(timeout, |s| s.stream_uri.clone())
    }

    /// Refetches these lists now (a signed event said they changed in a way no event carried):
    /// not rate-limited, since only the issuer's signed events ask for it.
    pub(crate) fn refetch(&self, uris: Vec<String>) {
        if uris.is_empty() {
            return;
        }
        {
            let mut state = self.lock();
            for uri in uris {
                if state.requested_lists.len() < MAX_REQUESTED_LISTS {
                    state.requested_lists.insert(uri);
                }
            }
        }
        self.wake();
    }

    /// A refresh soon, at most once per cooldown (an event that could not be verified).
    pub(crate) fn refresh_soon(&self) {
        self.wake_rate_limited(&self.last_event_wake);
    }

    /// Waits `timeout` unless stopped first; returns false when stopped. Leaves wake-ups to the
    /// refresher.
    pub(crate) fn wait_unless_stopped(&self, timeout: Duration) -> bool {
        self.wait_for(timeout, |_| None::<()>);
        !self.is_stopped()
    }

    /// Waits until `ready` gives a value, the background work stops, or `timeout` passes; the
    /// value, if it came first. Wake-ups stay for the refresher.
    fn wait_for<T>(&self, timeout: Duration, ready: impl Fn(&State) -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if state.stop {
                return None;
            }
            if let Some(value) = ready(&state) {
                return Some(value);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(s, _)| s)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state inconsistent; keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wakes the refresher unless the last wake of this kind was within the cooldown, so a
    /// stream of garbage tokens cannot make the verifier hammer the issuer.
    fn wake_rate_limited(&self, last: &AtomicU64) -> bool {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        let prev = last.load(Ordering::Relaxed);
        if prev != NEVER && now.saturating_sub(prev) < self.cooldown_ms {
            return false;
        }
        if last
            .compare_exchange(prev, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return false; // another thread just did it
        }
        self.wake();
        true
    }

    pub(crate) fn wake(&self) {
        self.lock().wake = true;
        self.changed.notify_all();
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.lock().stop
    }

    /// Sleeps until `deadline`, a wake-up or stop. Returns false when stopped.
    pub(crate) fn sleep_until(&self, deadline: Instant) -> bool {
        let mut state = self.lock();
        while !state.stop && !state.wake {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(s, _)| s)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        state.wake = false;
        !state.stop
    }

    /// Takes the list URIs signed tokens asked for.
    pub(crate) fn take_requested_lists(&self) -> BTreeSet<String> {
        std::mem::take(&mut self.lock().requested_lists)
    }

    /// Records the start of a refresh cycle.
    pub(crate) fn cycle_started(&self) {
        self.lock().running = true;
    }

    /// Records the end of a refresh cycle.
    pub(crate) fn cycle_done(&self, result: Result<(), String>, loaded: bool) {
        let mut state = self.lock();
        state.cycles += 1;
        state.running = false;
        state.last_error = result.err();
        state.loaded |= loaded;
        drop(state);
        self.changed.notify_all();
    }

    /// Waits until refresh cycle number `target` has finished, and returns its outcome.
    pub(crate) fn wait_for_cycle(&self, target: u64, timeout: Duration) -> Result<(), String> {
        self.wait(timeout, |state| {
            (state.cycles >= target).then(|| state.last_error.clone().map_or(Ok(()), Err))
        })
    }

    /// Waits until keys and every listed status list have loaded once (retries included).
    pub(crate) fn wait_for_first_load(&self, timeout: Duration) -> Result<(), String> {
        self.wait(timeout, |state| state.loaded.then_some(Ok(())))
    }

    fn wait(
        &self,
        timeout: Duration,
        done: impl Fn(&State) -> Option<Result<(), String>>,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(outcome) = done(&state) {
                return outcome;
            }
            let now = Instant::now();
            if now >= deadline || state.stop {
                let why = state
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "no answer from the issuer yet".into());
                return Err(format!("{why} (waited {:.1} s)", timeout.as_secs_f64()));
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(s, _)| s)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }
}

impl Observer for Signals {
    fn missing_key(&self) {
        self.wake_rate_limited(&self.last_key_wake);
    }

    fn missing_list(&self, uri: &str) {
        {
            let mut state = self.lock();
            if state.requested_lists.len() < MAX_REQUESTED_LISTS {
                state.requested_lists.insert(uri.to_owned());
            }
        }
        self.wake_rate_limited(&self.last_list_wake);
    }

    fn verified(&self, claims: &Claims) {
        if let Some(usage) = &self.usage {
            usage.record(claims.token_id());
        }
    }
}

impl Background for Signals {
    fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
        if let Some(usage) = &self.usage {
            usage.stop();
        }
    }

    fn push_status(&self) -> super::push::PushStatus {
        self.link.status()
    }

    fn refresh(&self, timeout: Duration) -> Result<(), String> {
        // Wait for the first cycle that starts after this call: the next one, or the one after
        // the cycle that is running now (which may have read the issuer before the change).
        let target = {
            let mut state = self.lock();
            state.wake = true;
            state.cycles + if state.running { 2 } else { 1 }
        };
        self.changed.notify_all();
        self.wait_for_cycle(target, timeout)
    }
}
