//! A webhook receiver for tests: a local HTTP server that records every delivery, answers 500
//! to the first `fail_first` requests and 204 after, and checks signatures with the Standard
//! Webhooks algorithm written out here (not the issuer's code).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// What the receiver answered.
    pub answered: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// The Standard Webhooks check: HMAC-SHA256 over `id.timestamp.body` with the base64 key
    /// after `whsec_`, compared with each `v1,` signature of the header.
    pub fn signed_by(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("whsec_ secret"))
            .unwrap();
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
        let content = format!("{}.{}.{}", self.id, self.timestamp, self.body);
        self.signature.split(' ').any(|s| {
            s.strip_prefix("v1,")
                .and_then(|b| STANDARD.decode(b).ok())
                .is_some_and(|sig| ring::hmac::verify(&key, content.as_bytes(), &sig).is_ok())
        })
    }
}

pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Receiver {
    pub fn start(fail_first: usize) -> Receiver {
        Receiver::slow(fail_first, Duration::ZERO)
    }

    /// A receiver that takes `delay` over each answer (so deliveries are in flight for a while).
    pub fn slow(fail_first: usize, delay: Duration) -> Receiver {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let seen = AtomicUsize::new(0);
        let (g, s) = (got.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let Ok(Some(mut req)) = server.recv_timeout(Duration::from_millis(50)) else {
                    continue;
                };
                let header = |name: &'static str| {
                    req.headers()
                        .iter()
                        .find(|h| h.field.equiv(name))
                        .map(|h| h.value.as_str().to_owned())
                        .unwrap_or_default()
                };
                let (id, timestamp, signature) = (
                    header("webhook-id"),
                    header("webhook-timestamp"),
                    header("webhook-signature"),
                );
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let answered = if seen.fetch_add(1, Ordering::SeqCst) < fail_first {
                    500
                } else {
                    204
                };
                g.lock().unwrap().push(Received {
                    id,
                    timestamp,
                    signature,
                    body,
                    answered,
                });
                std::thread::sleep(delay);
                let _ = req.respond(tiny_http::Response::empty(answered));
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            got,
            stop,
            thread: Some(thread),
        }
    }

    /// Every request so far.
    pub fn all(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The requests it accepted (answered 2xx).
    pub fn accepted(&self) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|r| r.answered < 300)
            .collect()
    }

    /// Waits until `done` holds for the accepted requests, or fails after `limit`.
    pub fn wait_for(&self, limit: Duration, mut done: impl FnMut(&[Received]) -> bool) {
        let start = Instant::now();
        loop {
            if done(&self.accepted()) {
                return;
            }
            assert!(
                start.elapsed() < limit,
                "the receiver did not get what was expected in {limit:?}; it got {:#?}",
                self.all()
                    .iter()
                    .map(|r| (&r.id, r.answered, r.json()["type"].clone()))
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
