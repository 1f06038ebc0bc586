//! A fake issuer for the online tests: an in-process HTTP server serving discovery, JWKS, the
//! status-list index and lists, with ETags, switchable failures and delays, and request counts.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "../../examples/gen_vectors/keys.rs"]
pub mod keys;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gatepass::status_list::StatusList;
use keys::{b64, Key};
use serde_json::{json, Value};

pub struct Resource {
    pub body: String,
    pub etag: String,
}

#[derive(Default)]
pub struct State {
    pub resources: HashMap<String, Resource>,
    pub fail: bool,
    pub delay: Duration,
    /// path → (200s, 304s)
    pub hits: HashMap<String, (u32, u32)>,
    pub usage_posts: Vec<(String, String)>,
    /// `Last-Event-ID` of every request for the push stream (empty when absent).
    pub last_event_ids: Vec<String>,
    /// path → where a 302 sends it (a redirect loop when it points back).
    pub redirects: HashMap<String, String>,
    version: u64,
}

pub struct FakeIssuer {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    pub keys: Vec<Key>,
    /// Which of `keys` are published.
    published: Vec<usize>,
    pub lists: HashMap<String, StatusList>,
    /// Whether discovery names a push channel (`/v1/status-stream`).
    pub stream: bool,
    server: Arc<tiny_http::Server>,
}

impl Drop for FakeIssuer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

pub fn sign(header: &Value, payload: &Value, key: &Key) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    format!("{input}.{}", b64(&key.sign(input.as_bytes())))
}

impl FakeIssuer {
    /// An issuer publishing one Ed25519 key and one list ("1", 1024 entries, nothing revoked).
    pub fn start() -> FakeIssuer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let url = format!("http://{}", server.server_addr().to_ip().expect("ip"));
        let state = Arc::new(Mutex::new(State::default()));
        let (srv, st) = (Arc::clone(&server), Arc::clone(&state));
        std::thread::spawn(move || serve(&srv, &st));
        let mut issuer = FakeIssuer {
            url,
            state,
            keys: vec![
                Key::ed("online test key 1"),
                Key::ed("online test key 2"),
                Key::es("online test key 3"),
                Key::ed("online test key never published"),
            ],
            published: vec![0],
            lists: HashMap::new(),
            stream: false,
            server,
        };
        issuer
            .lists
            .insert("1".into(), StatusList::new(1, 1024).expect("list"));
        issuer.publish();
        issuer
    }

    pub fn list_uri(&self, name: &str) -> String {
        format!("{}/v1/status-lists/{name}", self.url)
    }

    /// Writes discovery, JWKS, index and signed lists (signed with the first published key).
    pub fn publish(&mut self) {
        let discovery = json!({
            "issuer": self.url,
            "jwks_uri": format!("{}/.well-known/jwks.json", self.url),
            "status_lists_uri": format!("{}/v1/status-lists", self.url),
            "token_prefix": "gp_",
            "token_type": "gatepass+jwt",
            "algorithms": ["EdDSA", "ES256"],
            "status_list_ttl": 300,
        });
        let mut discovery = discovery;
        if self.stream {
            discovery["status_stream_uri"] = json!(format!("{}/v1/status-stream", self.url));
        }
        let jwks =
            json!({"keys": self.published.iter().map(|i| self.keys[*i].jwk()).collect::<Vec<_>>()});
        let mut names: Vec<&String> = self.lists.keys().collect();
        names.sort();
        let index = json!({"lists": names.iter().map(|n| self.list_uri(n)).collect::<Vec<_>>()});
        let lists: Vec<(String, String)> = self
            .lists
            .iter()
            .map(|(name, list)| {
                (
                    format!("/v1/status-lists/{name}"),
                    self.signed_list(name, list),
                )
            })
            .collect();
        self.set("/.well-known/gatepass-configuration", discovery.to_string());
        self.set("/.well-known/jwks.json", jwks.to_string());
        self.set("/v1/status-lists", index.to_string());
        for (path, jwt) in lists {
            self.set(&path, jwt);
        }
    }

    /// Serves `body` at `path`; the ETag changes only when the body does.
    pub fn set(&self, path: &str, body: String) {
        let mut state = self.state.lock().expect("state");
        if state.resources.get(path).is_some_and(|r| r.body == body) {
            return;
        }
        state.version += 1;
        let etag = format!("\"v{}\"", state.version);
        state
            .resources
            .insert(path.to_owned(), Resource { body, etag });
    }

    /// List `name` as a `statuslist+jwt`, signed with the first published key.
    fn signed_list(&self, name: &str, list: &StatusList) -> String {
        let signer = &self.keys[self.published[0]];
        let header = json!({"alg": signer.alg(), "typ": "statuslist+jwt", "kid": signer.kid()});
        let claims = json!({"sub": self.list_uri(name), "iat": now(), "ttl": 300, "status_list": {"bits": 1, "lst": list.encode()}});
        sign(&header, &claims, signer)
    }

    /// List `name` as a `statuslist+jwt` with a `version` claim and the given `iat`.
    pub fn signed_list_at(&self, name: &str, list: &StatusList, version: u64, iat: i64) -> String {
        let signer = &self.keys[self.published[0]];
        let header = json!({"alg": signer.alg(), "typ": "statuslist+jwt", "kid": signer.kid()});
        let claims = json!({"sub": self.list_uri(name), "iat": iat, "ttl": 300, "version": version,
            "status_list": {"bits": 1, "lst": list.encode()}});
        sign(&header, &claims, signer)
    }

    /// A push event: `claims` signed by `keys[key]` with header `typ`.
    pub fn event(&self, key: usize, typ: &str, claims: &Value) -> String {
        let signer = &self.keys[key];
        let header = json!({"alg": signer.alg(), "typ": typ, "kid": signer.kid()});
        sign(&header, claims, signer)
    }

    /// Serves `events` (`(id, name, jws)`) as the push stream; the connection ends after them.
    pub fn serve_stream(&self, events: &[(u64, &str, String)]) {
        let body: String = events
            .iter()
            .map(|(id, name, data)| format!("id: {id}\nevent: {name}\ndata: {data}\n\n"))
            .collect();
        self.set("/v1/status-stream", format!(": hello\n\n{body}"));
    }

    /// The JWKS being served.
    pub fn jwks(&self) -> String {
        self.state.lock().expect("state").resources["/.well-known/jwks.json"]
            .body
            .clone()
    }

    /// Serves list `name` (64 entries, entry `revoked` revoked) without naming it in the index,
    /// as a list only tokens point at; returns its URI.
    pub fn serve_unlisted(&self, name: &str, revoked: u64) -> String {
        let mut list = StatusList::new(1, 64).expect("list");
        list.set(revoked, 1).expect("set");
        self.set(
            &format!("/v1/status-lists/{name}"),
            self.signed_list(name, &list),
        );
        self.list_uri(name)
    }

    pub fn publish_keys(&mut self, which: &[usize]) {
        self.published = which.to_vec();
        self.publish();
    }

    pub fn revoke(&mut self, list: &str, idx: u64) {
        self.lists
            .get_mut(list)
            .expect("list")
            .set(idx, 1)
            .expect("set");
        self.publish();
    }

    pub fn token(&self, key: usize, idx: u64, edit: impl FnOnce(&mut Value)) -> String {
        let key = &self.keys[key];
        let mut claims = json!({
            "iss": self.url, "sub": "user_1", "ws": "acme", "scope": "user:read",
            "iat": now() - 10, "exp": now() + 3600, "jti": format!("tok_{idx}"),
            "status": {"status_list": {"idx": idx, "uri": self.list_uri("1")}},
        });
        edit(&mut claims);
        let header = json!({"alg": key.alg(), "typ": "gatepass+jwt", "kid": key.kid()});
        format!("gp_{}", sign(&header, &claims, key))
    }

    /// Answers `path` with a 302 to `location`.
    pub fn redirect(&self, path: &str, location: &str) {
        self.state
            .lock()
            .expect("state")
            .redirects
            .insert(path.to_owned(), location.to_owned());
    }

    /// Stops answering at all: the port is closed (the issuer is gone).
    pub fn stop(&self) {
        self.server.unblock();
    }

    pub fn set_failing(&self, fail: bool) {
        self.state.lock().expect("state").fail = fail;
    }

    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().expect("state").delay = delay;
    }

    /// (200 answers, 304 answers) for `path`.
    pub fn hits(&self, path: &str) -> (u32, u32) {
        self.state
            .lock()
            .expect("state")
            .hits
            .get(path)
            .copied()
            .unwrap_or_default()
    }

    pub fn total_requests(&self) -> u32 {
        self.state
            .lock()
            .expect("state")
            .hits
            .values()
            .map(|(a, b)| a + b)
            .sum()
    }

    pub fn last_event_ids(&self) -> Vec<String> {
        self.state.lock().expect("state").last_event_ids.clone()
    }

    pub fn usage_posts(&self) -> Vec<(String, String)> {
        self.state.lock().expect("state").usage_posts.clone()
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64
}

fn serve(server: &tiny_http::Server, state: &Mutex<State>) {
    for mut request in server.incoming_requests() {
        let path = request.url().to_owned();
        let delay = state.lock().expect("state").delay;
        std::thread::sleep(delay);
        if request.method() == &tiny_http::Method::Post {
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let auth = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            state.lock().expect("state").usage_posts.push((auth, body));
            let _ = request.respond(tiny_http::Response::from_string("").with_status_code(204));
            continue;
        }
        let if_none_match = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("If-None-Match"))
            .map(|h| h.value.to_string());
        if path == "/v1/status-stream" {
            let last = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Last-Event-ID"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            state.lock().expect("state").last_event_ids.push(last);
        }
        let response = {
            let mut st = state.lock().expect("state");
            if st.fail {
                tiny_http::Response::from_string("down").with_status_code(500)
            } else if let Some(location) = st.redirects.get(&path) {
                tiny_http::Response::from_string("")
                    .with_status_code(302)
                    .with_header(
                        tiny_http::Header::from_bytes("Location", location.as_bytes())
                            .expect("header"),
                    )
            } else if let Some(r) = st.resources.get(&path) {
                let (body, etag) = (r.body.clone(), r.etag.clone());
                let counts = st.hits.entry(path.clone()).or_default();
                let etag_header =
                    tiny_http::Header::from_bytes("ETag", etag.as_bytes()).expect("header");
                if if_none_match.as_deref() == Some(etag.as_str()) {
                    counts.1 += 1;
                    tiny_http::Response::from_string("")
                        .with_status_code(304)
                        .with_header(etag_header)
                } else {
                    counts.0 += 1;
                    tiny_http::Response::from_string(body).with_header(etag_header)
                }
            } else {
                tiny_http::Response::from_string("not found").with_status_code(404)
            }
        };
        let _ = request.respond(response);
    }
}

/// Polls `f` until it returns true or `timeout` passes.
pub fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    f()
}
