//! Usage reports (docs/protocol.md, "Usage reports"): the ids of verified tokens, batched in memory and posted to the
//! issuer's `/v1/usage` from a background thread, never on the request path.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::http::Http;

/// The most distinct token ids held between two reports; beyond it, new ids wait for the next.
const MAX_PENDING: usize = 10_000;
/// The most entries sent in one request.
const MAX_BATCH: usize = 1_000;

#[derive(Default)]
struct Pending {
    /// jti → last time seen (seconds since the epoch).
    seen: HashMap<String, u64>,
    stop: bool,
}

/// The buffer verification writes into.
pub(crate) struct UsageBuffer {
    pending: Arc<(Mutex<Pending>, Condvar)>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl UsageBuffer {
    pub(crate) fn new() -> UsageBuffer {
        UsageBuffer {
            pending: Arc::new((Mutex::new(Pending::default()), Condvar::new())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn record(&self, jti: &str) {
        let now = now_secs();
        let mut pending = self.lock();
        if let Some(at) = pending.seen.get_mut(jti) {
            *at = now;
        } else if pending.seen.len() < MAX_PENDING {
            pending.seen.insert(jti.to_owned(), now);
        }
    }

    pub(crate) fn stop(&self) {
        self.lock().stop = true;
        self.pending.1.notify_all();
    }

    /// Starts the reporting thread: every `interval`, post what was seen to `url`.
    pub(crate) fn spawn_reporter(
        &self,
        http: Http,
        url: String,
        token: String,
        interval: Duration,
    ) -> std::io::Result<()> {
        let pending = Arc::clone(&self.pending);
        std::thread::Builder::new()
            .name("gatepass-usage".into())
            .spawn(move || {
                let buffer = UsageBuffer { pending };
                loop {
                    let stopped = {
                        let guard = buffer.lock();
                        let (guard, _) = buffer
                            .pending
                            .1
                            .wait_timeout_while(guard, interval, |p| !p.stop)
                            .unwrap_or_else(|p| p.into_inner());
                        guard.stop
                    };
                    buffer.flush(&http, &url, &token);
                    if stopped {
                        return;
                    }
                }
            })?;
        Ok(())
    }

    /// Posts everything pending; on failure puts it back (up to the cap) for the next round.
    fn flush(&self, http: &Http, url: &str, token: &str) {
        let batch: Vec<(String, u64)> = self.lock().seen.drain().collect();
        for chunk in batch.chunks(MAX_BATCH) {
            let seen: Vec<_> = chunk
                .iter()
                .map(|(jti, at)| json!({"jti": jti, "at": humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(*at)).to_string()}))
                .collect();
            match http.post_json(url, token, &json!({ "seen": seen })) {
                Ok(status) if (200..300).contains(&status) => {}
                // Refused for good (bad or revoked token, missing scope): retrying cannot help.
                Ok(status) if (400..500).contains(&status) && status != 429 => {
                    log::error!("gatepass: the issuer refused the usage report with HTTP {status}; check the usage_report_token (it needs usage:report)");
                }
                outcome => {
                    log::warn!("gatepass: usage report to {url} failed ({outcome:?}); will retry");
                    let mut pending = self.lock();
                    for (jti, at) in chunk {
                        if pending.seen.len() < MAX_PENDING {
                            let entry = pending.seen.entry(jti.clone()).or_insert(*at);
                            *entry = (*entry).max(*at);
                        }
                    }
                }
            }
        }
    }
}
