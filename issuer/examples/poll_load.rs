//! Load client for `scripts/bench-pollers`: N online verifiers that poll an issuer as the SDK
//! does when the push channel is off — discovery, JWKS, the list index and every list, each with
//! `If-None-Match` and `Accept-Encoding: gzip` (lists: `Accept` preferring the CWT form, as the
//! SDK asks), every `--interval` seconds less 0–20% jitter,
//! each fleet member starting at a random moment of the first interval (verifiers start at
//! different times). Each request is a new connection (`Connection: close`): after a minute idle
//! a verifier's kept-alive connection is gone anyway.
//!
//! Halfway through, one token is revoked through the API (`--admin`, `--revoke ID`); the bytes
//! of list bodies all pollers then fetch are what that one revocation cost on the wire.
//!
//! Usage: poll_load --api URL --pollers N --seconds S [--interval SECS] [--admin TOKEN --revoke ID]
//!                  [--pid ISSUER_PID]
//! Prints one JSON object on stdout: requests, answers by status, bytes, the issuer's CPU
//! (from /proc, when `--pid` is given), and the revocation's cost.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Default)]
struct Totals {
    requests: AtomicU64,
    bytes: AtomicU64,
    /// Bytes of list bodies (200 answers) fetched after the revocation.
    list_bytes_after_revocation: AtomicU64,
    list_fetches_after_revocation: AtomicU64,
    errors: AtomicU64,
    statuses: Mutex<BTreeMap<u16, u64>>,
    first_error: Mutex<Option<String>>,
}

/// One answer: status, ETag, body (as sent: gzip-compressed when the issuer chose to).
struct Answer {
    status: u16,
    etag: Option<String>,
    body: Vec<u8>,
    /// Bytes on the wire, headers included.
    wire: usize,
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A GET over a new connection, as a verifier's HTTP client sends it.
async fn get(addr: &str, path: &str, etag: Option<&str>) -> Result<Answer, String> {
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n"
    );
    if path.starts_with("/v1/status-lists/") {
        // As the SDK asks: the CWT form, else the JWT.
        request
            .push_str("Accept: application/statuslist+cwt, application/statuslist+jwt;q=0.9\r\n");
    }
    if let Some(tag) = etag {
        request.push_str(&format!("If-None-Match: {tag}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| e.to_string())?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    let etag = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("etag")
            .then(|| value.trim().to_owned())
    });
    Ok(Answer {
        status,
        etag,
        body: raw[split + 4..].to_vec(),
        wire: raw.len(),
    })
}

/// The path of `url` (the issuer's own URLs: `http://host:port/path`).
fn path_of(url: &str) -> String {
    url.splitn(4, '/')
        .nth(3)
        .map_or("/".into(), |p| format!("/{p}"))
}

/// One verifier's refresh loop.
async fn poller(
    addr: String,
    interval: Duration,
    end: Instant,
    revoked: Arc<AtomicBool>,
    totals: Arc<Totals>,
) {
    let mut etags: HashMap<String, String> = HashMap::new();
    let mut lists: Vec<String> = Vec::new();
    tokio::time::sleep_until(
        (Instant::now() + interval.mul_f64(fastrand_unit()))
            .min(end)
            .into(),
    )
    .await;
    while Instant::now() < end {
        let mut paths = vec![
            "/.well-known/gatepass-configuration".to_owned(),
            "/.well-known/jwks.json".to_owned(),
            "/v1/status-lists".to_owned(),
        ];
        paths.extend(lists.iter().cloned());
        for path in paths {
            let answer = get(&addr, &path, etags.get(&path).map(String::as_str)).await;
            totals.requests.fetch_add(1, Ordering::Relaxed);
            match answer {
                Ok(a) => {
                    totals.bytes.fetch_add(a.wire as u64, Ordering::Relaxed);
                    *totals.statuses.lock().unwrap().entry(a.status).or_default() += 1;
                    if a.status == 200 {
                        if let Some(tag) = &a.etag {
                            etags.insert(path.clone(), tag.clone());
                        }
                        if path == "/v1/status-lists" {
                            lists = index_lists(&a.body);
                        } else if path.starts_with("/v1/status-lists/")
                            && revoked.load(Ordering::Relaxed)
                        {
                            totals
                                .list_bytes_after_revocation
                                .fetch_add(a.body.len() as u64, Ordering::Relaxed);
                            totals
                                .list_fetches_after_revocation
                                .fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Err(e) => {
                    totals.errors.fetch_add(1, Ordering::Relaxed);
                    totals
                        .first_error
                        .lock()
                        .unwrap()
                        .get_or_insert_with(|| format!("{path}: {e}"));
                }
            }
        }
        let pause = interval.mul_f64(1.0 - 0.2 * fastrand_unit());
        tokio::time::sleep_until((Instant::now() + pause).min(end).into()).await;
    }
}

/// The list paths of an index body (gzip or plain JSON).
fn index_lists(body: &[u8]) -> Vec<String> {
    let mut text = Vec::new();
    let plain = if body.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let _ = flate2::read::GzDecoder::new(body).read_to_end(&mut text);
        &text[..]
    } else {
        body
    };
    serde_json::from_slice::<serde_json::Value>(plain)
        .ok()
        .and_then(|v| v["lists"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|u| u.as_str().map(path_of))
        .collect()
}

/// A uniform number in [0, 1) (the jitter needs no cryptographic randomness).
fn fastrand_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The issuer's CPU seconds so far (user + system), from /proc.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let api = arg(&args, "--api").expect("--api URL");
    let addr = api
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let pollers: usize = arg(&args, "--pollers")
        .expect("--pollers N")
        .parse()
        .unwrap();
    let seconds: f64 = arg(&args, "--seconds")
        .expect("--seconds S")
        .parse()
        .unwrap();
    let interval =
        Duration::from_secs_f64(arg(&args, "--interval").map_or(60.0, |i| i.parse().unwrap()));
    let pid: Option<u32> = arg(&args, "--pid").map(|p| p.parse().unwrap());
    let totals = Arc::new(Totals::default());
    let revoked = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(seconds);
    let cpu_start = pid.and_then(cpu_seconds);
    let tasks: Vec<_> = (0..pollers)
        .map(|_| {
            tokio::spawn(poller(
                addr.clone(),
                interval,
                end,
                revoked.clone(),
                totals.clone(),
            ))
        })
        .collect();
    // The revocation, halfway: every poller then fetches the changed list once.
    if let (Some(admin), Some(id)) = (arg(&args, "--admin"), arg(&args, "--revoke")) {
        tokio::time::sleep(Duration::from_secs_f64(seconds / 2.0)).await;
        let url = format!("{api}/v1/tokens/{id}/revoke");
        let status = tokio::task::spawn_blocking(move || {
            ureq::post(&url)
                .header("Authorization", &format!("Bearer {admin}"))
                .send_empty()
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        })
        .await
        .unwrap();
        assert_eq!(status, 200, "the revocation failed");
        revoked.store(true, Ordering::Relaxed);
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = match (cpu_start, pid.and_then(cpu_seconds)) {
        (Some(a), Some(b)) => Some((b - a) / elapsed),
        _ => None,
    };
    let requests = totals.requests.load(Ordering::Relaxed);
    let statuses = totals.statuses.lock().unwrap().clone();
    let not_modified = statuses.get(&304).copied().unwrap_or(0);
    println!(
        "{}",
        serde_json::json!({
            "pollers": pollers,
            "interval_secs": interval.as_secs_f64(),
            "seconds": elapsed,
            "requests": requests,
            "rate": requests as f64 / elapsed,
            "statuses": statuses,
            "share_304": not_modified as f64 / requests.max(1) as f64,
            "errors": totals.errors.load(Ordering::Relaxed),
            "first_error": *totals.first_error.lock().unwrap(),
            "bytes": totals.bytes.load(Ordering::Relaxed),
            "issuer_cpu_cores": cpu,
            "revocation_list_fetches": totals.list_fetches_after_revocation.load(Ordering::Relaxed),
            "revocation_list_bytes": totals.list_bytes_after_revocation.load(Ordering::Relaxed),
        })
    );
}
