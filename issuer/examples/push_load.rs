//! Load client for `scripts/bench-push`: holds N subscribers of an issuer's push channel (raw
//! SSE over TCP, one tokio task each) plus one real online `gatepass::Verifier`, revokes tokens
//! through the API, and reports how long each revocation took to reach each subscriber.
//!
//! Latency is measured from just before the revoke request is sent (an upper bound on
//! commit → applied) to the moment a subscriber has read the event (raw subscribers) or
//! `verify` first answers `revoked` (the real verifier, polled every millisecond).
//!
//! Usage: push_load --stream URL[,URL…] --api URL --admin TOKEN --subscribers N
//!                  --mode steady|burst [--revocations R] [--rate PER_SECOND] [--tokens FILE]
//! Prints one JSON object on stdout.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// Status events received by all subscribers together.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);

/// Every subscriber reads the same frames: each event (by its SSE event name and id, the log's
/// sequence number) is decoded once, so the load client's own CPU does not inflate the latencies.
static DECODED: std::sync::LazyLock<std::sync::Mutex<HashMap<String, Decoded>>> =
    std::sync::LazyLock::new(Default::default);

/// An event's `type` and first index.
type Decoded = (String, Option<u64>);

fn decode(data: &str) -> Decoded {
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(data.split('.').nth(1).unwrap_or(""))
            .unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    let kind = payload["type"].as_str().unwrap_or("").to_owned();
    let idx = payload["idx"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(Value::as_u64);
    (kind, idx)
}

fn epoch_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// What one subscriber saw: (idx of the event's first index, receive time µs, frame bytes).
type Seen = Vec<(u64, u64, usize)>;

async fn subscribe(
    stream_url: String,
    ready: tokio::sync::mpsc::Sender<()>,
    mut stop: watch::Receiver<bool>,
) -> Seen {
    let without_scheme = stream_url.trim_start_matches("http://");
    let (host, path) = without_scheme.split_once('/').unwrap();
    let mut attempts = 0;
    let tcp = loop {
        match TcpStream::connect(host).await {
            Ok(s) => break s,
            Err(e) if attempts < 50 => {
                attempts += 1;
                let _ = e;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("connecting to {host}: {e}"),
        }
    };
    let (read, mut write) = tcp.into_split();
    write
        .write_all(
            format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut lines = BufReader::new(read).lines();
    let mut seen = Vec::new();
    let mut frame_bytes = 0usize;
    let mut id = String::new();
    let mut ready = Some(ready);
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line,
            _ = stop.changed() => return seen,
        };
        let Ok(Some(line)) = line else { return seen };
        frame_bytes += line.len() + 1;
        if line.is_empty() {
            frame_bytes = 0;
            continue;
        }
        if let Some(seq) = line.strip_prefix("id: ") {
            id = seq.to_owned();
            continue;
        }
        if let Some(name) = line.strip_prefix("event: ") {
            // A snapshot carries the head's id: the name keeps the two apart.
            id = format!("{name}:{id}");
            continue;
        }
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        let at = epoch_us();
        let cached = DECODED.lock().unwrap().get(&id).cloned();
        let (kind, idx) = match cached {
            Some(hit) => hit,
            None => {
                let decoded = decode(data);
                DECODED.lock().unwrap().insert(id.clone(), decoded.clone());
                decoded
            }
        };
        match kind.as_str() {
            "snapshot" => {
                if let Some(r) = ready.take() {
                    let _ = r.send(()).await;
                }
            }
            "status" => {
                if let Some(idx) = idx {
                    // The frame's bytes: what was read for it so far plus the blank line.
                    seen.push((idx, at, frame_bytes + 1));
                    RECEIVED.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {}
        }
    }
}

/// A JSON POST with the admin token: (status, body).
fn post(http: &ureq::Agent, url: &str, admin: &str, body: &Value) -> (u16, Value) {
    let mut r = http
        .post(url)
        .header("Authorization", &format!("Bearer {admin}"))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .unwrap();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (
        r.status().as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(mut ms: Vec<f64>) -> Value {
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    json!({"n": ms.len(), "p50": percentile(&ms, 0.5), "p99": percentile(&ms, 0.99),
        "max": ms.last().copied().unwrap_or(f64::NAN)})
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let streams: Vec<String> = arg(&args, "--stream")
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let api = arg(&args, "--api").unwrap();
    let admin = arg(&args, "--admin").unwrap();
    let n: usize = arg(&args, "--subscribers").unwrap().parse().unwrap();
    let mode = arg(&args, "--mode").unwrap_or_else(|| "steady".into());
    let revocations: usize = arg(&args, "--revocations").map_or(100, |r| r.parse().unwrap());
    let rate: f64 = arg(&args, "--rate").map_or(20.0, |r| r.parse().unwrap());
    let http = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();

    // Tokens to revoke (minted first; their indexes identify the events).
    let count = if mode == "burst" { 1000 } else { revocations };
    let mut tokens: Vec<(String, String, u64)> = Vec::with_capacity(count);
    for i in 0..count {
        let (status, body) = post(
            &http,
            &format!("{api}/v1/tokens"),
            &admin,
            &json!({"name": format!("push bench {i}"), "scopes": ["user:read"]}),
        );
        assert_eq!(status, 201, "{body}");
        let secret = body["token"].as_str().unwrap().to_owned();
        let payload: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(secret.trim_start_matches("gp_").split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        let idx = payload["status"]["status_list"]["idx"].as_u64().unwrap();
        tokens.push((body["id"].as_str().unwrap().to_owned(), secret, idx));
    }
    if let Some(path) = arg(&args, "--tokens") {
        let list: Vec<Value> = tokens
            .iter()
            .map(|(id, t, idx)| json!({"id": id, "token": t, "idx": idx}))
            .collect();
        std::fs::write(path, serde_json::to_string(&list).unwrap()).unwrap();
    }

    // Subscribers, spread over the streams (replicas), connected 200 at a time.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(n.max(1));
    let mut handles = Vec::with_capacity(n);
    let connect_started = Instant::now();
    for i in 0..n {
        let url = streams[i % streams.len()].clone();
        handles.push(tokio::spawn(subscribe(
            url,
            ready_tx.clone(),
            stop_rx.clone(),
        )));
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    drop(ready_tx);
    for _ in 0..n {
        ready_rx
            .recv()
            .await
            .expect("a subscriber failed to connect");
    }
    let connect_secs = connect_started.elapsed().as_secs_f64();
    eprintln!("{n} subscribers connected in {connect_secs:.1} s");
    if let Some(path) = arg(&args, "--connected-file") {
        std::fs::write(path, "1").unwrap();
    }
    if let Some(wait) = arg(&args, "--hold") {
        // Let the script read the issuer's memory with everyone connected.
        tokio::time::sleep(Duration::from_secs_f64(wait.parse().unwrap())).await;
    }

    // One real verifier, polled every millisecond for the tokens being revoked.
    let verifier = Arc::new(
        tokio::task::spawn_blocking({
            let issuer = api.clone();
            move || gatepass::Verifier::builder(issuer).build().unwrap()
        })
        .await
        .unwrap(),
    );
    let watched: Vec<(String, u64)> = tokens
        .iter()
        .take(100)
        .map(|(_, t, idx)| (t.clone(), *idx))
        .collect();
    let watcher = {
        let v = Arc::clone(&verifier);
        std::thread::spawn(move || {
            let mut detected: HashMap<u64, u64> = HashMap::new();
            let deadline = Instant::now() + Duration::from_secs(120);
            while detected.len() < watched.len() && Instant::now() < deadline {
                for (token, idx) in &watched {
                    if !detected.contains_key(idx)
                        && v.verify(token).is_err_and(|e| e.code() == "revoked")
                    {
                        detected.insert(*idx, epoch_us());
                    }
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            detected
        })
    };

    // Revoke: one at a time at `rate`, or all 1000 in one batch call.
    let mut sent: HashMap<u64, u64> = HashMap::new();
    let started = Instant::now();
    if mode == "burst" {
        let at = epoch_us();
        let ids: Vec<&str> = tokens.iter().map(|(id, _, _)| id.as_str()).collect();
        let (status, body) = post(
            &http,
            &format!("{api}/v1/tokens/revoke"),
            &admin,
            &json!({"ids": ids}),
        );
        assert_eq!(status, 200, "{body}");
        for (_, _, idx) in &tokens {
            sent.insert(*idx, at);
        }
    } else {
        for (i, (id, _, idx)) in tokens.iter().enumerate() {
            let due = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
            sent.insert(*idx, epoch_us());
            let (status, body) = post(
                &http,
                &format!("{api}/v1/tokens/{id}/revoke"),
                &admin,
                &json!({}),
            );
            assert_eq!(status, 200, "{body}");
        }
    }
    if let Some(path) = arg(&args, "--sent") {
        std::fs::write(path, serde_json::to_string(&sent).unwrap()).unwrap();
    }
    let expected_events = if mode == "burst" { 1 } else { count };
    // Wait until every subscriber has every event (or 30 s), then stop them.
    let want = n * expected_events;
    let deadline = Instant::now() + Duration::from_secs(30);
    while RECEIVED.load(Ordering::Relaxed) < want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop_tx.send(true);
    let mut latencies = Vec::new();
    let mut frame_bytes = Vec::new();
    let mut complete = 0usize;
    for h in handles {
        let seen = h.await.unwrap();
        let mut got = 0;
        for (idx, at, bytes) in seen {
            if let Some(s) = sent.get(&idx) {
                latencies.push(at.saturating_sub(*s) as f64 / 1000.0);
                frame_bytes.push(bytes);
                got += 1;
            }
        }
        if got >= expected_events {
            complete += 1;
        }
    }
    let detected = watcher.join().unwrap();
    let verifier_ms: Vec<f64> = detected
        .iter()
        .filter_map(|(idx, at)| sent.get(idx).map(|s| at.saturating_sub(*s) as f64 / 1000.0))
        .collect();
    let mean_bytes = frame_bytes.iter().sum::<usize>() as f64 / frame_bytes.len().max(1) as f64;
    let per_event = if mode == "burst" { count as f64 } else { 1.0 };
    println!(
        "{}",
        json!({
            "subscribers": n, "mode": mode, "revocations": count, "events_per_subscriber": expected_events,
            "subscribers_complete": complete, "connect_secs": connect_secs,
            "subscriber_ms": summary(latencies), "rust_verifier_ms": summary(verifier_ms),
            "bytes_per_event_per_subscriber": mean_bytes,
            "bytes_per_revocation_per_subscriber": mean_bytes / per_event,
        })
    );
}
