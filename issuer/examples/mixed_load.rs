//! Load client for `scripts/soak` and `scripts/db-outage`: a mix of everything an issuer is asked
//! in production, from worker threads with keep-alive connections, plus push-stream subscribers.
//!
//! The mix (weights out of 100): mint 15, `GET /v1/me` with a minted token 25, list 8, get 5,
//! revoke 5, rotate 5, batch revoke (up to 20 ids) 2, usage report 5, and conditional polls
//! (`If-None-Match`, as the SDKs do) of a status list 10, the JWKS 10, discovery 5 and the
//! list index 5. Each worker revokes and rotates only tokens it minted, so every answer has one
//! expected status; anything else is counted as unexpected and its first examples printed.
//!
//! `--rate 0` runs unthrottled (the capacity of this mix with this many workers); otherwise the
//! workers share the rate, each pacing its own requests. Latency is a request's service time
//! (send to last byte read); a worker that falls behind its schedule is reported as `late`.
//!
//! `--outage` also accepts 503 problem+json (`storage_unavailable`, `storage_busy`) for calls
//! that need the database, and `--check` then checks the ledger once `/readyz` is ready again:
//! every acknowledged mint exists, every acknowledged revocation is stored, every acknowledged
//! rotation has its successor, and the secrets answer `/v1/me` accordingly.
//!
//! Usage: mixed_load --api URL --admin TOKEN --seconds N [--rate R] [--workers W]
//!                   [--subscribers S] [--timeout SECS] [--outage] [--check]
//! Prints one JSON object on stdout.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The operations and their weights out of 100.
const MIX: &[(Op, u32)] = &[
    (Op::Mint, 15),
    (Op::Me, 25),
    (Op::List, 8),
    (Op::Get, 5),
    (Op::Revoke, 5),
    (Op::Rotate, 5),
    (Op::BatchRevoke, 2),
    (Op::Usage, 5),
    (Op::StatusList, 10),
    (Op::Jwks, 10),
    (Op::Discovery, 5),
    (Op::ListIndex, 5),
];

/// Live tokens a worker keeps at most; past that, it revokes before it mints.
const POOL_MAX: usize = 40;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Op {
    Mint,
    Me,
    List,
    Get,
    Revoke,
    Rotate,
    BatchRevoke,
    Usage,
    StatusList,
    Jwks,
    Discovery,
    ListIndex,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Mint => "POST /v1/tokens",
            Op::Me => "GET /v1/me",
            Op::List => "GET /v1/tokens",
            Op::Get => "GET /v1/tokens/{id}",
            Op::Revoke => "POST /v1/tokens/{id}/revoke",
            Op::Rotate => "POST /v1/tokens/{id}/rotate",
            Op::BatchRevoke => "POST /v1/tokens/revoke",
            Op::Usage => "POST /v1/usage",
            Op::StatusList => "GET /v1/status-lists/{list}",
            Op::Jwks => "GET /.well-known/jwks.json",
            Op::Discovery => "GET /.well-known/gatepass-configuration",
            Op::ListIndex => "GET /v1/status-lists",
        }
    }

    /// Whether the answer may need the database (so 503 is expected while it is down). The
    /// published documents are served from memory; `/v1/me` reads the token's name once.
    fn needs_database(self) -> bool {
        !matches!(
            self,
            Op::StatusList | Op::Jwks | Op::Discovery | Op::ListIndex
        )
    }
}

/// A token a worker minted: its id and secret.
#[derive(Clone, Debug)]
struct Minted {
    id: String,
    secret: String,
}

/// What the issuer acknowledged (a 2xx answer), checked after an outage.
#[derive(Default)]
struct Ledger {
    minted: Vec<Minted>,
    revoked: Vec<String>,
    /// Old id → successor id.
    rotated: Vec<(String, String)>,
}

/// Per-route figures.
#[derive(Default)]
struct RouteStats {
    latencies_ms: Vec<f64>,
    statuses: BTreeMap<String, u64>,
}

#[derive(Default)]
struct Tally {
    routes: BTreeMap<&'static str, RouteStats>,
    unexpected: u64,
    examples: Vec<String>,
    late: u64,
}

struct Config {
    api: String,
    admin: String,
    timeout: Duration,
    outage: bool,
}

/// A small xorshift generator: the mix needs no cryptographic randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// One HTTP answer: status, content type, ETag and body.
struct Answer {
    status: u16,
    content_type: String,
    etag: Option<String>,
    body: String,
}

/// Sends a request; `Err` is a transport failure (refused, reset, timed out).
fn send(
    http: &ureq::Agent,
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
    if_none_match: Option<&str>,
) -> Result<Answer, String> {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    if let Some(token) = bearer {
        builder = builder.header("Authorization", format!("Bearer {token}"));
    }
    if let Some(tag) = if_none_match {
        builder = builder.header("If-None-Match", tag);
    }
    let result = match body {
        Some(b) => {
            let request = builder
                .header("Content-Type", "application/json")
                .body(b.to_string())
                .unwrap();
            http.run(request)
        }
        None => http.run(builder.body(()).unwrap()),
    };
    let mut response = result.map_err(|e| e.to_string())?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").unwrap_or_default();
    let etag = header("etag");
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .map_err(|e| format!("reading the body: {e}"))?;
    Ok(Answer {
        status,
        content_type,
        etag,
        body,
    })
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .new_agent()
}

/// One worker: its agent, its tokens, its cached ETags.
struct Worker {
    config: Arc<Config>,
    http: ureq::Agent,
    rng: Rng,
    pool: Vec<Minted>,
    etags: HashMap<String, String>,
    lists: Vec<String>,
    mints: u64,
}

/// What one call produced, for the tally.
struct Outcome {
    op: Op,
    status: String,
    ms: f64,
    problem: Option<String>,
}

impl Worker {
    fn pick(&mut self) -> Op {
        let mut roll = self.rng.below(100) as u32;
        let mut op = Op::Mint;
        for &(candidate, weight) in MIX {
            if roll < weight {
                op = candidate;
                break;
            }
            roll -= weight;
        }
        // Calls that need a token of ours mint one first; a full pool revokes instead of minting.
        match op {
            Op::Me | Op::Get | Op::Revoke | Op::Rotate | Op::BatchRevoke | Op::Usage
                if self.pool.is_empty() =>
            {
                Op::Mint
            }
            Op::Mint if self.pool.len() >= POOL_MAX => Op::BatchRevoke,
            other => other,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.api)
    }

    /// Runs one call; returns its outcome, acknowledging writes into `ledger`.
    fn call(&mut self, op: Op, ledger: &Mutex<Ledger>) -> Outcome {
        let admin = self.config.admin.clone();
        let started = Instant::now();
        let (answer, expected): (Result<Answer, String>, &[u16]) = match op {
            Op::Mint => {
                self.mints += 1;
                let body = json!({"name": format!("soak {}", self.mints), "scopes": ["user:read"], "expires_in_days": 30});
                let a = send(
                    &self.http,
                    "POST",
                    &self.url("/v1/tokens"),
                    Some(&admin),
                    Some(&body),
                    None,
                );
                if let Some(ok) = a.as_ref().ok().filter(|a| a.status == 201) {
                    let v: Value = serde_json::from_str(&ok.body).unwrap_or(Value::Null);
                    let minted = Minted {
                        id: v["id"].as_str().unwrap_or_default().to_owned(),
                        secret: v["token"].as_str().unwrap_or_default().to_owned(),
                    };
                    ledger.lock().unwrap().minted.push(minted.clone());
                    self.pool.push(minted);
                }
                (a, &[201])
            }
            Op::Me => {
                let secret = self.pool[self.rng.below(self.pool.len())].secret.clone();
                let a = send(
                    &self.http,
                    "GET",
                    &self.url("/v1/me"),
                    Some(&secret),
                    None,
                    None,
                );
                (a, &[200])
            }
            Op::List => (
                send(
                    &self.http,
                    "GET",
                    &self.url("/v1/tokens?limit=20"),
                    Some(&admin),
                    None,
                    None,
                ),
                &[200],
            ),
            Op::Get => {
                let id = self.pool[self.rng.below(self.pool.len())].id.clone();
                (
                    send(
                        &self.http,
                        "GET",
                        &self.url(&format!("/v1/tokens/{id}")),
                        Some(&admin),
                        None,
                        None,
                    ),
                    &[200],
                )
            }
            Op::Revoke => {
                let at = self.rng.below(self.pool.len());
                let token = self.pool.swap_remove(at);
                let a = send(
                    &self.http,
                    "POST",
                    &self.url(&format!("/v1/tokens/{}/revoke", token.id)),
                    Some(&admin),
                    None,
                    None,
                );
                // Not acknowledged: the token may or may not be revoked; it leaves the pool
                // either way (only acknowledged revocations are checked).
                if matches!(a.as_ref().map(|a| a.status), Ok(200)) {
                    ledger.lock().unwrap().revoked.push(token.id);
                }
                (a, &[200])
            }
            Op::Rotate => {
                let at = self.rng.below(self.pool.len());
                let token = self.pool.swap_remove(at);
                let a = send(
                    &self.http,
                    "POST",
                    &self.url(&format!("/v1/tokens/{}/rotate", token.id)),
                    Some(&admin),
                    None,
                    None,
                );
                if let Some(ok) = a.as_ref().ok().filter(|a| a.status == 201) {
                    let v: Value = serde_json::from_str(&ok.body).unwrap_or(Value::Null);
                    let successor = Minted {
                        id: v["id"].as_str().unwrap_or_default().to_owned(),
                        secret: v["token"].as_str().unwrap_or_default().to_owned(),
                    };
                    let mut ledger = ledger.lock().unwrap();
                    ledger.rotated.push((token.id, successor.id.clone()));
                    ledger.minted.push(successor.clone());
                    self.pool.push(successor);
                }
                (a, &[201])
            }
            Op::BatchRevoke => {
                let n = (1 + self.rng.below(20)).min(self.pool.len());
                let batch: Vec<Minted> = self.pool.drain(..n).collect();
                let ids: Vec<&str> = batch.iter().map(|t| t.id.as_str()).collect();
                let a = send(
                    &self.http,
                    "POST",
                    &self.url("/v1/tokens/revoke"),
                    Some(&admin),
                    Some(&json!({ "ids": ids })),
                    None,
                );
                if matches!(a.as_ref().map(|a| a.status), Ok(200)) {
                    ledger
                        .lock()
                        .unwrap()
                        .revoked
                        .extend(batch.into_iter().map(|t| t.id));
                }
                (a, &[200])
            }
            Op::Usage => {
                let now = time_now_rfc3339();
                let seen: Vec<Value> = self
                    .pool
                    .iter()
                    .take(10)
                    .map(|t| json!({"jti": t.id, "at": now}))
                    .collect();
                (
                    send(
                        &self.http,
                        "POST",
                        &self.url("/v1/usage"),
                        Some(&admin),
                        Some(&json!({ "seen": seen })),
                        None,
                    ),
                    &[200],
                )
            }
            Op::StatusList => {
                if self.lists.is_empty() {
                    if let Ok(index) = self.poll(&self.url("/v1/status-lists")) {
                        self.learn_lists(&index);
                    }
                }
                if self.lists.is_empty() {
                    return Outcome {
                        op,
                        status: "no list yet".into(),
                        ms: 0.0,
                        problem: None,
                    };
                }
                let uri = self.lists[self.rng.below(self.lists.len())].clone();
                let a = self.poll(&uri);
                // A list this worker has not seen a new version of answers 304.
                (a, &[200, 304])
            }
            Op::Jwks => (self.poll(&self.url("/.well-known/jwks.json")), &[200, 304]),
            Op::Discovery => (
                self.poll(&self.url("/.well-known/gatepass-configuration")),
                &[200, 304],
            ),
            Op::ListIndex => {
                let a = self.poll(&self.url("/v1/status-lists"));
                if let Ok(index) = &a {
                    self.learn_lists(index);
                }
                (a, &[200, 304])
            }
        };
        let ms = started.elapsed().as_secs_f64() * 1e3;
        match answer {
            Err(e) => Outcome {
                op,
                status: "transport error".into(),
                ms,
                problem: Some(format!("{}: {e}", op.name())),
            },
            Ok(a) => {
                let is_problem = a.content_type.starts_with("application/problem+json");
                let unavailable = a.status == 503
                    && is_problem
                    && (a.body.contains("problem:storage_unavailable\"")
                        || a.body.contains("problem:storage_busy\""));
                let fine = expected.contains(&a.status)
                    || (self.config.outage && op.needs_database() && unavailable);
                Outcome {
                    op,
                    status: a.status.to_string(),
                    ms,
                    problem: (!fine).then(|| {
                        format!(
                            "{}: {} {}",
                            op.name(),
                            a.status,
                            a.body.chars().take(300).collect::<String>()
                        )
                    }),
                }
            }
        }
    }

    /// Keeps the list URIs of a 200 answer of the list index.
    fn learn_lists(&mut self, index: &Answer) {
        if index.status != 200 {
            return;
        }
        let v: Value = serde_json::from_str(&index.body).unwrap_or(Value::Null);
        if let Some(lists) = v["lists"].as_array() {
            self.lists = lists
                .iter()
                .filter_map(|u| u.as_str().map(str::to_owned))
                .collect();
        }
    }

    /// A conditional GET, as the SDKs poll: the last ETag this worker saw for `url`.
    fn poll(&mut self, url: &str) -> Result<Answer, String> {
        let tag = self.etags.get(url).cloned();
        let a = send(&self.http, "GET", url, None, None, tag.as_deref())?;
        if let Some(etag) = a.etag.clone().filter(|_| a.status == 200) {
            self.etags.insert(url.to_owned(), etag);
        }
        Ok(a)
    }
}

/// Now as RFC 3339 (UTC, seconds).
fn time_now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Holds one push-stream subscription open, reconnecting with `Last-Event-ID` when it drops.
fn subscribe(api: String, stop: Arc<AtomicBool>, events: Arc<AtomicU64>, drops: Arc<AtomicU64>) {
    let http = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(5)))
        .build()
        .new_agent();
    let mut last_id: Option<String> = None;
    while !stop.load(Ordering::Relaxed) {
        let mut request = http.get(format!("{api}/v1/status-stream"));
        if let Some(id) = &last_id {
            request = request.header("Last-Event-ID", id);
        }
        if let Ok(mut response) = request.call() {
            if response.status() == 200 {
                let reader = std::io::BufReader::new(response.body_mut().as_reader());
                for line in reader.lines() {
                    let Ok(line) = line else { break };
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if let Some(id) = line.strip_prefix("id:") {
                        last_id = Some(id.trim().to_owned());
                    } else if line.starts_with("event: status") {
                        events.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        if !stop.load(Ordering::Relaxed) {
            drops.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Waits until `/readyz` answers 200; false after `limit`.
fn wait_ready(http: &ureq::Agent, api: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if matches!(send(http, "GET", &format!("{api}/readyz"), None, None, None), Ok(a) if a.status == 200)
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// Checks every acknowledged write against what the issuer now says; returns the failures.
fn check(config: &Config, ledger: &Ledger) -> (Value, Vec<String>) {
    let http = agent(config.timeout);
    let mut failures = Vec::new();
    if !wait_ready(&http, &config.api, Duration::from_secs(60)) {
        failures.push("/readyz did not answer 200 within 60 s after the load".to_owned());
        return (json!({}), failures);
    }
    let revoked: std::collections::HashSet<&str> =
        ledger.revoked.iter().map(String::as_str).collect();
    let rotated: HashMap<&str, &str> = ledger
        .rotated
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    for token in &ledger.minted {
        let info = send(
            &http,
            "GET",
            &format!("{}/v1/tokens/{}", config.api, token.id),
            Some(&config.admin),
            None,
            None,
        );
        let v: Value = match info {
            Ok(a) if a.status == 200 => serde_json::from_str(&a.body).unwrap_or(Value::Null),
            Ok(a) => {
                failures.push(format!(
                    "acknowledged token {} answers {}",
                    token.id, a.status
                ));
                continue;
            }
            Err(e) => {
                failures.push(format!("acknowledged token {}: {e}", token.id));
                continue;
            }
        };
        let should_be_revoked = revoked.contains(token.id.as_str());
        if should_be_revoked && v["revoked_at"].is_null() {
            failures.push(format!("acknowledged revocation of {} was lost", token.id));
        }
        if let Some(successor) = rotated.get(token.id.as_str()) {
            if v["rotated_to"].as_str() != Some(successor) {
                failures.push(format!(
                    "acknowledged rotation {} -> {successor} is stored as {}",
                    token.id, v["rotated_to"]
                ));
            }
        }
        // The secret answers /v1/me as its state says (a rotated token stays valid until its
        // grace period, if any, so only revocations are checked here).
        let me = send(
            &http,
            "GET",
            &format!("{}/v1/me", config.api),
            Some(&token.secret),
            None,
            None,
        );
        let me_status = me.map(|a| a.status).unwrap_or(0);
        let live_expected = !should_be_revoked && v["revoked_at"].is_null();
        if live_expected && !rotated.contains_key(token.id.as_str()) && me_status != 200 {
            failures.push(format!(
                "live token {} answers /v1/me {me_status}",
                token.id
            ));
        }
        if should_be_revoked && me_status != 401 {
            failures.push(format!(
                "revoked token {} answers /v1/me {me_status}",
                token.id
            ));
        }
    }
    (
        json!({"minted": ledger.minted.len(), "revoked": ledger.revoked.len(), "rotated": ledger.rotated.len()}),
        failures,
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let config = Arc::new(Config {
        api: arg(&args, "--api").expect("--api URL"),
        admin: arg(&args, "--admin").expect("--admin TOKEN"),
        timeout: Duration::from_secs_f64(
            arg(&args, "--timeout").map_or(15.0, |t| t.parse().unwrap()),
        ),
        outage: args.iter().any(|a| a == "--outage"),
    });
    let seconds: f64 = arg(&args, "--seconds")
        .expect("--seconds N")
        .parse()
        .unwrap();
    let rate: f64 = arg(&args, "--rate").map_or(0.0, |r| r.parse().unwrap());
    let workers: usize = arg(&args, "--workers").map_or(8, |w| w.parse().unwrap());
    let subscribers: usize = arg(&args, "--subscribers").map_or(0, |s| s.parse().unwrap());
    let run_check = args.iter().any(|a| a == "--check");

    let stop = Arc::new(AtomicBool::new(false));
    let events = Arc::new(AtomicU64::new(0));
    let drops = Arc::new(AtomicU64::new(0));
    for _ in 0..subscribers {
        let (api, stop, events, drops) = (
            config.api.clone(),
            stop.clone(),
            events.clone(),
            drops.clone(),
        );
        std::thread::spawn(move || subscribe(api, stop, events, drops));
    }

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(seconds);
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let (config, ledger, tally) = (config.clone(), ledger.clone(), tally.clone());
            std::thread::spawn(move || {
                let mut worker = Worker {
                    http: agent(config.timeout),
                    config,
                    rng: Rng(0x9E37_79B9_7F4A_7C15 ^ ((w as u64 + 1) << 17)),
                    pool: Vec::new(),
                    etags: HashMap::new(),
                    lists: Vec::new(),
                    mints: 0,
                };
                // Each worker's share of the rate; its schedule starts at a random offset so
                // the workers do not fire together.
                let interval = (rate > 0.0).then(|| Duration::from_secs_f64(workers as f64 / rate));
                let mut due = Instant::now()
                    + interval.map_or(Duration::ZERO, |i| {
                        i.mul_f64((worker.rng.below(1000) as f64) / 1000.0)
                    });
                while Instant::now() < end {
                    if let Some(i) = interval {
                        let now = Instant::now();
                        if due > now {
                            std::thread::sleep(due - now);
                        } else if now - due > i {
                            tally.lock().unwrap().late += 1;
                        }
                        due += i;
                    }
                    let op = worker.pick();
                    let outcome = worker.call(op, &ledger);
                    let mut t = tally.lock().unwrap();
                    let route = t.routes.entry(outcome.op.name()).or_default();
                    route.latencies_ms.push(outcome.ms);
                    *route.statuses.entry(outcome.status).or_default() += 1;
                    if let Some(problem) = outcome.problem {
                        t.unexpected += 1;
                        if t.examples.len() < 10 {
                            t.examples.push(problem);
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);

    let mut tally = std::mem::take(&mut *tally.lock().unwrap());
    let mut total = 0u64;
    let routes: BTreeMap<&str, Value> = tally
        .routes
        .iter_mut()
        .map(|(name, r)| {
            r.latencies_ms.sort_by(|a, b| a.total_cmp(b));
            total += r.latencies_ms.len() as u64;
            (
                *name,
                json!({
                    "n": r.latencies_ms.len(),
                    "p50_ms": percentile(&r.latencies_ms, 0.5),
                    "p99_ms": percentile(&r.latencies_ms, 0.99),
                    "max_ms": r.latencies_ms.last().copied().unwrap_or(f64::NAN),
                    "statuses": r.statuses,
                }),
            )
        })
        .collect();
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    let (checked, failures) = if run_check {
        check(&config, &ledger)
    } else {
        (json!(null), Vec::new())
    };
    println!(
        "{}",
        json!({
            "seconds": elapsed,
            "requests": total,
            "rate": total as f64 / elapsed,
            "target_rate": rate,
            "workers": workers,
            "late": tally.late,
            "unexpected": tally.unexpected,
            "examples": tally.examples,
            "routes": routes,
            "subscribers": subscribers,
            "stream_events": events.load(Ordering::Relaxed),
            "stream_reconnects": drops.load(Ordering::Relaxed),
            "acknowledged": {"minted": ledger.minted.len(), "revoked": ledger.revoked.len(), "rotated": ledger.rotated.len()},
            "checked": checked,
            "check_failures": failures,
        })
    );
}
