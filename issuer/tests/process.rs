//! The real binary: CLI commands, restarts, a wrong KEK, graceful shutdown, the online SDK
//! against a live issuer, and two replicas on one PostgreSQL.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use support::{fresh_database, Backend};

const BIN: &str = env!("CARGO_BIN_EXE_gatepass-issuer");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn kek(byte: u8) -> String {
    base64::engine::general_purpose::STANDARD.encode([byte; 32])
}

/// The environment of one issuer: a data dir, a database and a KEK.
struct Env {
    dir: PathBuf,
    database_url: String,
    kek: String,
    pg_name: Option<String>,
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            support::drop_database(name);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Env {
    fn new(backend: Backend) -> Env {
        let (database_url, dir, pg_name) = fresh_database(backend);
        Env {
            dir,
            database_url,
            kek: kek(7),
            pg_name,
        }
    }

    fn command(&self, port: u16) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GATEPASS_DATA_DIR", &self.dir)
            .env("GATEPASS_DATABASE_URL", &self.database_url)
            .env("GATEPASS_KEK", &self.kek)
            .env("GATEPASS_LISTEN", format!("127.0.0.1:{port}"))
            .env("GATEPASS_ISSUER_URL", format!("http://127.0.0.1:{port}"))
            .env("GATEPASS_STATUS_LIST_TTL", "5")
            .env("GATEPASS_STATUS_LIST_CAPACITY", "65536")
            .env("GATEPASS_KEY_ACTIVATION_DELAY_SECS", "2");
        cmd
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(free_port()).args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// A running `serve`.
struct Server {
    child: Child,
    url: String,
    bootstrap: Option<String>,
    /// What the first-start banner says after "Manage tokens:".
    page_line: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the issuer at `url` answers `/healthz`; fails the test if it exits first or
/// `deadline` passes.
fn wait_healthy(url: &str, child: &mut Child, deadline: Instant) {
    while ureq::get(&format!("{url}/healthz")).call().is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the issuer at {url} exited before answering: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "the issuer at {url} did not start in time"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn serve(env: &Env) -> Server {
    serve_on(env, free_port())
}

fn serve_on(env: &Env, port: u16) -> Server {
    serve_with(env, port, &[])
}

fn serve_with(env: &Env, port: u16, extra: &[(&str, &str)]) -> Server {
    let mut command = env.command(port);
    for (k, v) in extra {
        command.env(k, v);
    }
    let mut child = command
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // The banner: the token line, then where to manage tokens.
        let mut banner = (None, None);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let line = line.trim();
            if line.starts_with("gp_") {
                banner.0 = Some(line.to_owned());
            } else if let Some(page) = line.strip_prefix("Manage tokens:") {
                banner.1 = Some(page.trim().to_owned());
                let _ = tx.send(banner.clone());
            }
        }
    });
    wait_healthy(&url, &mut child, Instant::now() + Duration::from_secs(30));
    let (bootstrap, page_line) = rx
        .recv_timeout(Duration::from_millis(300))
        .unwrap_or_default();
    Server {
        child,
        url,
        bootstrap,
        page_line,
    }
}

/// `token mint --platform` through the CLI of the issuer on `port`: (the credential, what it
/// said on stderr).
fn mint_platform(env: &Env, port: u16, args: &[&str]) -> (String, String) {
    let out = env
        .command(port)
        .args(["token", "mint", "--platform"])
        .args(args)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    (
        String::from_utf8(out.stdout).unwrap().trim().to_owned(),
        said,
    )
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn get(url: &str, token: &str) -> (u16, Value) {
    let mut r = agent()
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    (
        r.status().as_u16(),
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap_or(Value::Null),
    )
}

fn post(url: &str, token: &str, body: Value) -> (u16, Value) {
    let mut r = agent()
        .post(url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .unwrap();
    (
        r.status().as_u16(),
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap_or(Value::Null),
    )
}

#[test]
fn cli_mints_lists_rotates_and_retires() {
    let env = Env::new(Backend::Sqlite);
    let (code, _, err) = env.run(&["migrate"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = env.run(&[
        "token",
        "mint",
        "--workspace",
        "acme",
        "--subject",
        "u",
        "--scopes",
        "user:read",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("workspace create acme"), "{err}");
    assert_eq!(
        env.run(&["workspace", "create", "acme", "--max-expiry-days", "30"])
            .0,
        0
    );
    let (_, list, _) = env.run(&["workspace", "list"]);
    assert!(list.contains("acme") && list.contains("30 days"), "{list}");
    let (code, _, err) = env.run(&["workspace", "create", "acme"]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");

    let (code, _, err) = env.run(&[
        "token",
        "mint",
        "--workspace",
        "acme",
        "--subject",
        "u",
        "--scopes",
        "user:write",
    ]);
    assert_eq!(code, 1, "the workspace caps expiry");
    assert!(err.contains("--expires-in-days"), "{err}");
    let (code, out, err) = env.run(&[
        "token",
        "mint",
        "--workspace",
        "acme",
        "--subject",
        "u",
        "--scopes",
        "user:write",
        "--expires-in-days",
        "7",
    ]);
    assert_eq!(code, 0, "{err}");
    let token = out.trim();
    assert!(
        token.starts_with("gp_") && !token.contains(char::is_whitespace),
        "stdout holds the token alone: {out:?}"
    );
    assert_eq!(support::claims_of(token)["scope"], "user:read user:write");
    let (code, _, err) = env.run(&[
        "token",
        "mint",
        "--workspace",
        "acme",
        "--subject",
        "u",
        "--scopes",
        "bogus",
        "--expires-in-days",
        "7",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown scope \"bogus\""), "{err}");

    let (_, keys, _) = env.run(&["keys", "list"]);
    assert!(keys.contains("current"), "{keys}");
    let (code, new_kid, err) = env.run(&["keys", "rotate"]);
    assert_eq!(code, 0);
    assert!(err.contains("signs new tokens from"), "{err}");
    let (_, keys, _) = env.run(&["keys", "list"]);
    assert!(
        keys.lines()
            .any(|l| l.starts_with(new_kid.trim()) && l.contains(" next ")),
        "published before it signs: {keys}"
    );
    let old_kid = keys
        .lines()
        .find(|l| l.contains(" current "))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(keys.contains(new_kid.trim()));
    let (code, _, err) = env.run(&["keys", "retire", &old_kid]);
    assert_eq!(code, 1, "a live token was signed with it");
    assert!(
        err.contains("1 live token") && err.contains("--force"),
        "{err}"
    );
    let (code, _, err) = env.run(&["keys", "retire", &old_kid, "--force"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = env.run(&["keys", "retire", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("no published key"), "{err}");
}

#[test]
fn bad_configuration_fails_at_start_naming_the_key() {
    let env = Env::new(Backend::Sqlite);
    let out = env
        .command(free_port())
        .env("GATEPASS_STATUS_LIST_TTL", "0")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("status_list_ttl"), "{err}");
    let out = env
        .command(free_port())
        .env("GATEPASS_KEK", "short")
        .arg("serve")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("kek"));
}

#[test]
fn restart_keeps_tokens_and_a_wrong_kek_changes_nothing() {
    let mut env = Env::new(Backend::Sqlite);
    let port = free_port();
    let server = serve_on(&env, port);
    let admin = server
        .bootstrap
        .clone()
        .expect("bootstrap token printed on the first start");
    let page_line = server.page_line.clone().unwrap_or_default();
    assert!(
        page_line.starts_with(&format!("{}/ ", server.url)),
        "the banner names the management page: {page_line:?}"
    );
    let (status, created) = post(
        &format!("{}/v1/tokens", server.url),
        &admin,
        json!({"name": "kept", "scopes": ["user:read"], "expires_in_days": 30}),
    );
    assert_eq!(status, 201);
    let token = created["token"].as_str().unwrap().to_owned();
    drop(server);

    env.kek = kek(9);
    let out = env.command(free_port()).arg("serve").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot be decrypted with this KEK") && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("gp_"),
        "no new bootstrap token"
    );

    env.kek = kek(7);
    let server = serve_on(&env, port);
    assert!(
        server.bootstrap.is_none(),
        "the bootstrap token is printed once only"
    );
    let (status, me) = get(&format!("{}/v1/me", server.url), &token);
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["name"], "kept");
}

#[test]
fn the_online_sdk_verifies_against_a_live_issuer() {
    let env = Env::new(Backend::Sqlite);
    let server = serve(&env);
    let admin = server.bootstrap.clone().unwrap();
    let (_, created) = post(
        &format!("{}/v1/tokens", server.url),
        &admin,
        json!({"name": "sdk", "scopes": ["user:read"]}),
    );
    let token = created["token"].as_str().unwrap().to_owned();
    let verifier = gatepass::Verifier::builder(&server.url)
        .build()
        .expect("discovers and loads");
    let claims = verifier
        .require(&token, &["user:read"], Some("default"))
        .unwrap();
    assert_eq!(claims.subject(), "admin");
    assert_eq!(
        verifier
            .require(&token, &["admin:read"], None)
            .unwrap_err()
            .code(),
        "insufficient_scope"
    );

    let id = created["id"].as_str().unwrap();
    assert_eq!(
        post(
            &format!("{}/v1/tokens/{id}/revoke", server.url),
            &admin,
            json!({})
        )
        .0,
        200
    );
    verifier.refresh(Duration::from_secs(5)).unwrap();
    assert_eq!(verifier.verify(&token).unwrap_err().code(), "revoked");

    // Keys rotated by the CLI: the running issuer publishes the new key within seconds, and
    // the SDK verifies old and new tokens.
    let (code, kid, _) = env.run(&["keys", "rotate"]);
    assert_eq!(code, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, created) = post(
            &format!("{}/v1/tokens", server.url),
            &admin,
            json!({"name": "new key", "scopes": ["user:read"]}),
        );
        let new = created["token"].as_str().unwrap().to_owned();
        let header: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(new[3..].split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        if header["kid"] == kid.trim() {
            verifier.refresh(Duration::from_secs(5)).unwrap();
            assert!(verifier.verify(&new).is_ok(), "new key");
            assert!(verifier.verify(&admin).is_ok(), "old key still published");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the issuer did not pick up the new key"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn logs_never_contain_a_token() {
    let env = Env::new(Backend::Sqlite);
    let port = free_port();
    let mut child = env
        .command(port)
        .env("GATEPASS_LOG", "debug,hyper=info,h2=info")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain stderr as it comes, so the server never blocks on a full pipe.
    let mut stderr = child.stderr.take().unwrap();
    let log_reader = std::thread::spawn(move || {
        let mut log = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut log);
        log
    });
    let url = format!("http://127.0.0.1:{port}");
    wait_healthy(&url, &mut child, Instant::now() + Duration::from_secs(30));
    let mut stdout = String::new();
    let mut out = child.stdout.take().unwrap();
    // The bootstrap banner is the first thing on stdout.
    let mut buf = [0u8; 4096];
    let n = std::io::Read::read(&mut out, &mut buf).unwrap();
    stdout.push_str(&String::from_utf8_lossy(&buf[..n]));
    let admin = stdout
        .split_whitespace()
        .find(|w| w.starts_with("gp_"))
        .expect("bootstrap token")
        .to_owned();
    let (_, created) = post(
        &format!("{url}/v1/tokens"),
        &admin,
        json!({"name": "logged?", "scopes": ["user:read"]}),
    );
    let secret = created["token"].as_str().unwrap().to_owned();
    get(&format!("{url}/v1/me"), &secret);
    get(&format!("{url}/v1/me"), "gp_bad.token.value");
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let log = log_reader.join().unwrap();
    assert!(
        log.contains("route=/v1/me") || log.contains("\"route\":\"/v1/me\""),
        "debug access logs are on: {log}"
    );
    for secret in [&admin, &secret] {
        let signature = secret.rsplit('.').next().unwrap();
        assert!(!log.contains(signature), "a token leaked into the log");
    }
    assert!(!log.contains("gp_bad.token.value"));
}

#[cfg(unix)]
#[test]
fn sigterm_shuts_down_gracefully() {
    let env = Env::new(Backend::Sqlite);
    let mut server = serve(&env);
    // A subscribed verifier must not hold the shutdown: push streams end with it.
    let stream = ureq::get(&format!("{}/v1/status-stream", server.url))
        .call()
        .unwrap();
    let subscriber = std::thread::spawn(move || {
        let mut body = String::new();
        let _ = std::io::Read::read_to_string(&mut stream.into_body().into_reader(), &mut body);
        body
    });
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(subscriber.join().unwrap().contains("event: snapshot"));
}

/// Two issuer processes on one PostgreSQL database mint and revoke at the same time: no status
/// index is handed out twice, and each serves the other's revocations within the list ttl.
#[test]
fn two_replicas_share_one_postgres() {
    let env = Env::new(Backend::Postgres);
    // Both replicas serve one public issuer URL, as behind a load balancer, and start at the
    // same moment on the empty database (migrations and bootstrap must not collide).
    let start = |port: u16| {
        let mut cmd = env.command(port);
        cmd.env("GATEPASS_ISSUER_URL", "http://issuer.replicas")
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        Server {
            child: cmd.spawn().unwrap(),
            url: format!("http://127.0.0.1:{port}"),
            bootstrap: None,
            page_line: None,
        }
    };
    let (mut a, mut b) = (start(free_port()), start(free_port()));
    let deadline = Instant::now() + Duration::from_secs(30);
    for server in [&mut a, &mut b] {
        wait_healthy(&server.url, &mut server.child, deadline);
    }
    let mut mint = env.command(free_port());
    let out = mint
        .env("GATEPASS_ISSUER_URL", "http://issuer.replicas")
        .args([
            "token",
            "mint",
            "--workspace",
            "default",
            "--subject",
            "ops",
            "--scopes",
            "tokens:admin user:read",
        ])
        .output()
        .unwrap();
    let ops = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let mut minted: Vec<(String, String)> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = [&a.url, &b.url]
            .into_iter()
            .map(|url| {
                let ops = ops.clone();
                s.spawn(move || {
                    (0..40)
                        .map(|i| {
                            let (status, body) = post(
                                &format!("{url}/v1/tokens"),
                                &ops,
                                json!({"name": format!("r{i}"), "scopes": ["user:read"]}),
                            );
                            assert_eq!(status, 201, "{body}");
                            (
                                body["token"].as_str().unwrap().to_owned(),
                                body["id"].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            minted.extend(h.join().unwrap());
        }
    });
    let mut slots: Vec<(String, u64)> = minted
        .iter()
        .map(|(t, _)| {
            let c = support::claims_of(t);
            (
                c["status"]["status_list"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                c["status"]["status_list"]["idx"].as_u64().unwrap(),
            )
        })
        .collect();
    let total = slots.len();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), total, "no status index handed out twice");

    // Revoke through A: B serves the revocation (its own API and its list) within the ttl.
    let (token, id) = &minted[0];
    assert_eq!(
        post(&format!("{}/v1/tokens/{id}/revoke", a.url), &ops, json!({})).0,
        200
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while get(&format!("{}/v1/me", b.url), token).0 != 401 {
        assert!(
            Instant::now() < deadline,
            "replica B never saw the revocation"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Slow or silent clients cannot hold a connection: the headers must arrive within
/// `http_header_timeout_secs`, the whole request within `http_request_timeout_secs` (408).
#[test]
fn slow_clients_cannot_hold_connections() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let env = Env::new(Backend::Sqlite);
    let port = free_port();
    let server = serve_with(
        &env,
        port,
        &[
            ("GATEPASS_HTTP_HEADER_TIMEOUT_SECS", "1"),
            ("GATEPASS_HTTP_REQUEST_TIMEOUT_SECS", "2"),
        ],
    );
    let minted = env
        .command(port)
        .args([
            "token",
            "mint",
            "--workspace",
            "default",
            "--subject",
            "ops",
            "--scopes",
            "tokens:write user:read",
        ])
        .output()
        .unwrap();
    let admin = String::from_utf8(minted.stdout).unwrap();
    let closed_within = |mut stream: TcpStream, drip: &[u8], limit: Duration| -> bool {
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let started = Instant::now();
        let mut buf = [0u8; 512];
        for byte in drip.iter().cycle() {
            if started.elapsed() > limit {
                return false;
            }
            if stream.write_all(&[*byte]).is_err() {
                return true;
            }
            match stream.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => {} // an answer (e.g. 408) may come before the close
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return true,
            }
        }
        false
    };
    // Slowloris: header bytes trickle in forever.
    let slow_headers = TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert!(
        closed_within(
            slow_headers,
            b"GET /healthz HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa",
            Duration::from_secs(8)
        ),
        "a connection trickling its headers was held past the header timeout"
    );
    // A connection that never sends anything.
    let mut silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(8)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 16];
    let n = silent.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "nothing is sent to a silent client");
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "a silent connection was held"
    );
    // A body that never completes: 408 as problem+json once the request timeout passes.
    let mut slow_body = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        slow_body,
        "POST /v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":",
        admin.trim()
    )
    .unwrap();
    slow_body
        .set_read_timeout(Some(Duration::from_secs(8)))
        .unwrap();
    let mut answer = String::new();
    let _ = slow_body.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // The server is still fine.
    assert_eq!(
        ureq::get(&format!("{}/healthz", server.url))
            .call()
            .unwrap()
            .status(),
        200
    );
}

/// The data directory is private (0700), and so are the SQLite database and the KEK file
/// (0600); a KEK file others can read stops the start, naming the fix.
#[cfg(unix)]
#[test]
fn files_are_private_and_a_shared_kek_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new(Backend::Sqlite);
    let data = env.dir.join("fresh-data");
    let run = || {
        env.command(free_port())
            .env_remove("GATEPASS_KEK")
            .env_remove("GATEPASS_DATABASE_URL")
            .env("GATEPASS_DATA_DIR", &data)
            .args(["workspace", "list"])
            .output()
            .unwrap()
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("kek")), 0o600);
    assert_eq!(mode(&data.join("gatepass.db")), 0o600);
    std::fs::set_permissions(data.join("kek"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("chmod 600"), "{stderr}");
}

/// Polls `f` until it is true or `limit` passes; returns how long it took.
fn within(limit: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if f() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

fn code(v: &gatepass::Verifier, token: &str) -> &'static str {
    v.verify(token).map(|_| "ok").unwrap_or_else(|e| e.code())
}

/// With lists that are only re-polled every 300 s, a revocation still reaches a subscribed
/// verifier within a second (the push channel), survives an issuer restart (reconnect with
/// Last-Event-ID), and a verifier with push off sees it only after a refresh.
#[test]
fn revocations_are_pushed_to_verifiers_at_once() {
    let env = Env::new(Backend::Sqlite);
    let port = free_port();
    let long_ttl = [("GATEPASS_STATUS_LIST_TTL", "300")];
    let server = serve_with(&env, port, &long_ttl);
    let admin = server.bootstrap.clone().unwrap();
    let mint = |url: &str, name: &str| {
        let (status, body) = post(
            &format!("{url}/v1/tokens"),
            &admin,
            json!({"name": name, "scopes": ["user:read"]}),
        );
        assert_eq!(status, 201, "{body}");
        (
            body["token"].as_str().unwrap().to_owned(),
            body["id"].as_str().unwrap().to_owned(),
        )
    };
    let revoke = |url: &str, id: &str| {
        let (status, body) = post(&format!("{url}/v1/tokens/{id}/revoke"), &admin, json!({}));
        assert_eq!(status, 200, "{body}");
    };
    let (first, first_id) = mint(&server.url, "first");
    let (second, second_id) = mint(&server.url, "second");
    let pushed = gatepass::Verifier::builder(server.url.clone())
        .build()
        .unwrap();
    let polled = gatepass::Verifier::builder(server.url.clone())
        .push(false)
        .build()
        .unwrap();
    assert!(
        within(Duration::from_secs(10), || pushed.push_status().connected).is_some(),
        "the push link did not come up"
    );
    assert_eq!(code(&pushed, &first), "ok");
    revoke(&server.url, &first_id);
    let took = within(Duration::from_secs(5), || {
        code(&pushed, &first) == "revoked"
    });
    assert!(
        took.is_some(),
        "the revocation was not pushed (the list ttl is 300 s)"
    );
    eprintln!(
        "revocation applied by the subscribed verifier after {:?}",
        took.unwrap()
    );
    assert_eq!(
        code(&polled, &first),
        "ok",
        "push off: nothing until the next refresh"
    );
    polled.refresh(Duration::from_secs(10)).unwrap();
    assert_eq!(code(&polled, &first), "revoked");

    // The issuer restarts; the link comes back by itself and carries the next revocation.
    drop(server);
    assert!(within(Duration::from_secs(10), || !pushed.push_status().connected).is_some());
    let server = serve_with(&env, port, &long_ttl);
    assert!(
        within(Duration::from_secs(20), || pushed.push_status().connected).is_some(),
        "no reconnect"
    );
    revoke(&server.url, &second_id);
    assert!(
        within(Duration::from_secs(5), || code(&pushed, &second)
            == "revoked")
        .is_some(),
        "no push after the reconnect"
    );
}

/// Two replicas on one PostgreSQL: a revocation made on one reaches a verifier subscribed to the
/// other within a second (LISTEN/NOTIFY wakes the other replica, which streams it).
#[test]
fn a_revocation_on_one_replica_is_pushed_by_the_other() {
    let env = Env::new(Backend::Postgres);
    let long_ttl = [("GATEPASS_STATUS_LIST_TTL", "300")];
    let a = serve_with(&env, free_port(), &long_ttl);
    let admin = a.bootstrap.clone().unwrap();
    // Both replicas must present one issuer URL, as behind a load balancer: give B A's.
    let b = serve_with(
        &env,
        free_port(),
        &[
            ("GATEPASS_ISSUER_URL", &a.url),
            ("GATEPASS_STATUS_LIST_TTL", "300"),
        ],
    );
    let b_url = b.url.clone();
    let (status, body) = post(
        &format!("{}/v1/tokens", a.url),
        &admin,
        json!({"name": "x", "scopes": ["user:read"]}),
    );
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    // A verifier of issuer A's URL whose stream comes from B: read B's stream directly.
    let stream = ureq::get(&format!("{b_url}/v1/status-stream"))
        .call()
        .unwrap();
    let reader = std::io::BufReader::new(stream.into_body().into_reader());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let snapshot_seen = within(Duration::from_secs(10), || {
        rx.try_iter().any(|l| l == "event: snapshot")
    });
    assert!(snapshot_seen.is_some());
    let id = body["id"].as_str().unwrap();
    let started = Instant::now();
    let (status, _) = post(
        &format!("{}/v1/tokens/{id}/revoke", a.url),
        &admin,
        json!({}),
    );
    assert_eq!(status, 200);
    let idx = support::claims_of(&token)["status"]["status_list"]["idx"]
        .as_u64()
        .unwrap();
    let mut seen = None;
    while started.elapsed() < Duration::from_secs(5) && seen.is_none() {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            if let Some(data) = line.strip_prefix("data: ") {
                let claims = support::claims_of(data);
                if claims["type"] == "status"
                    && claims["idx"]
                        .as_array()
                        .is_some_and(|a| a.contains(&json!(idx)))
                {
                    seen = Some(started.elapsed());
                }
            }
        }
    }
    let took = seen.expect("replica B did not stream replica A's revocation");
    eprintln!("replica B streamed replica A's revocation after {took:?}");
    assert!(
        took < Duration::from_secs(2),
        "{took:?}: LISTEN/NOTIFY should wake B at once"
    );
}

/// A verifier catches up on revocations made while its link was down: its replica stops, another
/// replica revokes, the first comes back; the verifier reconnects with Last-Event-ID and applies
/// the missed revocation long before its lists would be re-polled (300 s).
#[test]
fn a_verifier_catches_up_on_what_it_missed_while_disconnected() {
    let env = Env::new(Backend::Postgres);
    let long_ttl = [("GATEPASS_STATUS_LIST_TTL", "300")];
    let a_port = free_port();
    let a = serve_with(&env, a_port, &long_ttl);
    let admin = a.bootstrap.clone().unwrap();
    let issuer_url = a.url.clone();
    let b = serve_with(
        &env,
        free_port(),
        &[
            ("GATEPASS_ISSUER_URL", &issuer_url),
            ("GATEPASS_STATUS_LIST_TTL", "300"),
        ],
    );
    let (status, body) = post(
        &format!("{issuer_url}/v1/tokens"),
        &admin,
        json!({"name": "missed", "scopes": ["user:read"]}),
    );
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let id = body["id"].as_str().unwrap().to_owned();
    let v = gatepass::Verifier::builder(issuer_url.clone())
        .build()
        .unwrap();
    assert!(within(Duration::from_secs(10), || v.push_status().connected).is_some());
    drop(a); // the verifier's replica goes away
    assert!(within(Duration::from_secs(10), || !v.push_status().connected).is_some());
    let (status, _) = post(
        &format!("{}/v1/tokens/{id}/revoke", b.url),
        &admin,
        json!({}),
    );
    assert_eq!(status, 200);
    assert_eq!(code(&v, &token), "ok", "nothing reached the verifier yet");
    let _a = serve_with(&env, a_port, &long_ttl);
    let took = within(Duration::from_secs(20), || code(&v, &token) == "revoked");
    assert!(
        took.is_some(),
        "the missed revocation was not caught up after the reconnect"
    );
    // Caught up by the replay on the reconnected link, not by a later poll or refetch.
    assert!(v.push_status().connected, "{:?}", v.push_status());
}

fn kid_of(token: &str) -> String {
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token[3..].split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

/// Mints and verifies continuously for `secs` while `rotate` runs the CLI after half a second;
/// returns (verifications, unknown_key failures, verified tokens of the new key, new kid).
fn mint_and_verify_through(
    env: &Env,
    server: &Server,
    admin: &str,
    v: &gatepass::Verifier,
    rotate: &[&str],
    secs: u64,
) -> (usize, usize, usize, String) {
    let started = Instant::now();
    let args: Vec<String> = rotate.iter().map(|a| a.to_string()).collect();
    let mut rotation = Some(env.command(free_port()));
    let port = server.url.rsplit(':').next().unwrap().to_owned();
    let mut new_kid = String::new();
    let (mut total, mut unknown, mut on_new) = (0, 0, 0);
    while started.elapsed() < Duration::from_secs(secs) {
        if started.elapsed() > Duration::from_millis(500) {
            if let Some(mut cmd) = rotation.take() {
                cmd.env("GATEPASS_LISTEN", format!("127.0.0.1:{port}"))
                    .env("GATEPASS_ISSUER_URL", &server.url);
                let out = cmd.args(&args).output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                new_kid = String::from_utf8(out.stdout).unwrap().trim().to_owned();
            }
        }
        let (status, body) = post(
            &format!("{}/v1/tokens", server.url),
            admin,
            json!({"name": "rollover", "scopes": ["user:read"]}),
        );
        assert_eq!(status, 201, "{body}");
        let token = body["token"].as_str().unwrap();
        total += 1;
        match v.verify(token) {
            Ok(_) if kid_of(token) == new_kid => on_new += 1,
            Ok(_) => {}
            Err(e) if e.code() == "unknown_key" => unknown += 1,
            Err(e) => panic!("verification failed: {e}"),
        }
    }
    (total, unknown, on_new, new_kid)
}

/// Key rotation without a single refused token: an online verifier with default options checks
/// every freshly minted token while `keys rotate` runs. The next key is published (and announced)
/// before it signs, so not one verification fails with unknown_key, and the new key's tokens
/// verify once it signs. A forced retirement stops the old key's tokens everywhere at once.
#[test]
fn key_rotation_refuses_no_token() {
    let env = Env::new(Backend::Sqlite);
    // Lists and keys re-polled only every 300 s: only the lifecycle and the push channel help.
    let server = serve_with(&env, free_port(), &[("GATEPASS_STATUS_LIST_TTL", "300")]);
    let admin = server.bootstrap.clone().unwrap();
    let old_token = {
        let (_, body) = post(
            &format!("{}/v1/tokens", server.url),
            &admin,
            json!({"name": "old", "scopes": ["user:read"]}),
        );
        body["token"].as_str().unwrap().to_owned()
    };
    let v = gatepass::Verifier::builder(server.url.clone())
        .build()
        .unwrap();
    assert!(within(Duration::from_secs(10), || v.push_status().connected).is_some());

    let (total, unknown, on_new, new_kid) =
        mint_and_verify_through(&env, &server, &admin, &v, &["keys", "rotate"], 5);
    eprintln!("rotation: {total} tokens minted and verified, {unknown} unknown_key, {on_new} signed by the new key");
    assert_eq!(unknown, 0, "a rotation refused {unknown} of {total} tokens");
    assert!(
        on_new > 0,
        "the new key {new_kid} never signed within the run"
    );

    // The emergency switch is measured, not promised: connected verifiers fetch the new key
    // set within milliseconds of the announcement, so few or no tokens are refused.
    let (total, unknown, on_new, _) =
        mint_and_verify_through(&env, &server, &admin, &v, &["keys", "rotate", "--now"], 3);
    eprintln!(
        "rotate --now: {total} tokens, {unknown} refused with unknown_key, {on_new} by the new key"
    );
    assert!(on_new > 0);

    // A leaked key is retired by force: its tokens stop verifying at the connected verifier at once.
    let old_kid = kid_of(&old_token);
    assert_eq!(code(&v, &old_token), "ok");
    let (code_, _, err) = env.run(&["keys", "retire", &old_kid, "--force"]);
    assert_eq!(code_, 0, "{err}");
    let took = within(Duration::from_secs(10), || {
        code(&v, &old_token) == "unknown_key"
    });
    let took = took.expect("the retired key's token still verifies");
    eprintln!("forced retirement reached the verifier after {took:?}");
    assert!(
        took < Duration::from_secs(3),
        "{took:?} (the JWKS is re-polled only every 300 s)"
    );
}

/// Two replicas on one PostgreSQL roll over together: the switch time is stored, so both sign
/// with the new key from the same second (a replica started mid-rollover too), and no token is
/// ever signed by a key the other replica's JWKS does not hold yet.
#[test]
fn replicas_roll_over_together() {
    let env = Env::new(Backend::Postgres);
    let a = serve(&env);
    let admin = a.bootstrap.clone().unwrap();
    let issuer_url = a.url.clone();
    let rotate = env
        .command(free_port())
        .env("GATEPASS_KEY_ACTIVATION_DELAY_SECS", "3")
        .args(["keys", "rotate"])
        .output()
        .unwrap();
    assert!(rotate.status.success());
    let new_kid = String::from_utf8(rotate.stdout).unwrap().trim().to_owned();
    let rotated_at = support_now();
    // B starts mid-rollover.
    let b = serve_with(&env, free_port(), &[("GATEPASS_ISSUER_URL", &issuer_url)]);
    let b_url = b.url.clone();
    let jwks = |url: &str| {
        get(&format!("{url}/.well-known/jwks.json"), &admin)
            .1
            .to_string()
    };
    let (mut old_seen, mut new_seen) = ([0; 2], [0; 2]);
    while support_now() < rotated_at + 6 {
        for (i, (mint_at, other)) in [(&a.url, &b_url), (&b_url, &a.url)].into_iter().enumerate() {
            let (status, body) = post(
                &format!("{mint_at}/v1/tokens"),
                &admin,
                json!({"name": "roll", "scopes": ["user:read"]}),
            );
            assert_eq!(status, 201, "{body}");
            let token = body["token"].as_str().unwrap();
            let kid = kid_of(token);
            assert!(
                jwks(other).contains(&kid),
                "replica {other} does not publish {kid} yet"
            );
            let iat = support::claims_of(token)["iat"].as_i64().unwrap();
            if kid == new_kid {
                new_seen[i] += 1;
                assert!(
                    iat >= rotated_at + 3 - 1,
                    "signed by the next key before its time"
                );
            } else {
                old_seen[i] += 1;
                assert!(iat <= rotated_at + 3, "the old key signed after the switch");
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        old_seen.iter().all(|n| *n > 0) && new_seen.iter().all(|n| *n > 0),
        "{old_seen:?} {new_seen:?}"
    );
}

fn support_now() -> i64 {
    gatepass_issuer::state::now()
}

/// Rotation by age, on a short configured interval, refuses no token either: the background
/// sync creates the next key, publishes and announces it, and it signs only once its time comes.
#[test]
fn key_rotation_by_age_refuses_no_token() {
    let env = Env::new(Backend::Sqlite);
    let server = serve_with(
        &env,
        free_port(),
        &[
            ("GATEPASS_STATUS_LIST_TTL", "300"),
            ("GATEPASS_KEY_ROTATION_DAYS", "0.00004"),
        ],
    );
    let admin = server.bootstrap.clone().unwrap();
    let first_kid = kid_of(&admin);
    let v = gatepass::Verifier::builder(server.url.clone())
        .build()
        .unwrap();
    assert!(within(Duration::from_secs(10), || v.push_status().connected).is_some());
    let (mut total, mut unknown, mut on_new) = (0, 0, 0);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(12) {
        let (status, body) = post(
            &format!("{}/v1/tokens", server.url),
            &admin,
            json!({"name": "by age", "scopes": ["user:read"]}),
        );
        assert_eq!(status, 201, "{body}");
        let token = body["token"].as_str().unwrap();
        total += 1;
        match v.verify(token) {
            Ok(_) if kid_of(token) != first_kid => on_new += 1,
            Ok(_) => {}
            Err(e) if e.code() == "unknown_key" => unknown += 1,
            Err(e) => panic!("verification failed: {e}"),
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    eprintln!(
        "rotation by age: {total} tokens, {unknown} unknown_key, {on_new} signed by a newer key"
    );
    assert_eq!(unknown, 0);
    assert!(on_new > 0, "no key rotated by age signed within the run");
}

/// `token mint --platform` prints a platform credential that provisions workspaces over the API;
/// it does not mix with the options of a user token.
#[test]
fn the_cli_mints_a_platform_credential() {
    let env = Env::new(Backend::Sqlite);
    let server = serve(&env);
    let port = server.url.rsplit(':').next().unwrap().to_owned();
    let (platform, said) =
        mint_platform(&env, port.parse().unwrap(), &["--name", "product backend"]);
    assert!(said.contains("product APIs refuse it"), "{said}");
    let (status, body) = post(
        &format!("{}/v1/workspaces", server.url),
        &platform,
        json!({"id": "ws_cli"}),
    );
    assert_eq!(status, 201, "{body}");
    let (code, _, err) = env.run(&["token", "mint", "--platform", "--workspace", "default"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
}

/// The operator's CLI, for when the API or the admin token is lost: list, show, revoke (also
/// every token of a subject), rotate and audit, acting on the database. A revocation from the CLI
/// reaches a subscribed verifier within seconds, as one from the API does (lists re-polled only
/// every 300 s), and the audit trail names the actor `cli`.
#[test]
fn the_operator_cli_revokes_rotates_and_audits() {
    let env = Env::new(Backend::Sqlite);
    let port = free_port();
    let server = serve_with(&env, port, &[("GATEPASS_STATUS_LIST_TTL", "300")]);
    let admin = server.bootstrap.clone().unwrap();
    let cli = |args: &[&str]| {
        let out = env.command(port).args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mint = |name: &str, subject: &str| {
        let (status, body) = post(
            &format!("{}/v1/tokens", server.url),
            &admin,
            json!({"name": name, "scopes": ["user:read"], "subject": subject}),
        );
        assert_eq!(status, 201, "{body}");
        (
            body["token"].as_str().unwrap().to_owned(),
            body["id"].as_str().unwrap().to_owned(),
        )
    };
    let (leaked, leaked_id) = mint("leaked", "mallory");
    let (other, _) = mint("other", "mallory");
    let (keep, keep_id) = mint("keep", "alice");
    let v = gatepass::Verifier::builder(server.url.clone())
        .build()
        .unwrap();
    assert!(within(Duration::from_secs(10), || v.push_status().connected).is_some());

    let (code_, out, err) = cli(&["token", "list", "--workspace", "default", "--json"]);
    assert_eq!(code_, 0, "{err}");
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == leaked_id.as_str()));
    let (_, table, _) = cli(&["token", "list", "--subject", "mallory"]);
    assert!(
        table.contains("leaked") && table.contains("other") && !table.contains("keep"),
        "{table}"
    );
    let (code_, shown, _) = cli(&["token", "show", &keep_id, "--json"]);
    assert_eq!(code_, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&shown).unwrap()["name"],
        "keep"
    );

    // One leaked token, from the shell: refused by the verifier within seconds.
    let (code_, _, err) = cli(&["token", "revoke", &leaked_id]);
    assert_eq!(code_, 0, "{err}");
    assert!(
        within(Duration::from_secs(5), || code(&v, &leaked) == "revoked").is_some(),
        "not pushed"
    );
    // Everything of that subject.
    let (code_, out, err) = cli(&[
        "token",
        "revoke",
        "--all-by-subject",
        "mallory",
        "--workspace",
        "default",
        "--json",
    ]);
    assert_eq!(code_, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1,
        "the one left"
    );
    assert!(within(Duration::from_secs(5), || code(&v, &other) == "revoked").is_some());
    assert_eq!(code(&v, &keep), "ok");
    let (code_, _, err) = cli(&["token", "revoke", "tok_01NOSUCHTOKENXXXXXXXXXXXXX"]);
    assert_eq!(code_, 1);
    assert!(err.contains("no token"), "{err}");

    // Rotation with a grace period: the new secret once on stdout, the old one still works.
    let (code_, secret, err) = cli(&["token", "rotate", &keep_id, "--grace-period", "1h"]);
    assert_eq!(code_, 0, "{err}");
    assert!(err.contains("stops working at"), "{err}");
    let secret = secret.trim();
    assert!(within(Duration::from_secs(5), || code(&v, secret) == "ok").is_some());
    assert_eq!(code(&v, &keep), "ok", "within its grace period");
    let (code_, _, err) = cli(&["token", "rotate", &keep_id, "--grace-period", "forever"]);
    assert_eq!(code_, 1);
    assert!(err.contains("--grace-period"), "{err}");

    // The trail names the CLI.
    let (code_, out, err) = cli(&["audit", "--workspace", "default", "--json"]);
    assert_eq!(code_, 0, "{err}");
    let events: Value = serde_json::from_str(&out).unwrap();
    let by_cli: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor_subject"] == "cli")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        by_cli.contains(&"token.revoked") && by_cli.contains(&"token.rotated"),
        "{by_cli:?}"
    );
    let (code_, _, err) = cli(&["audit", "--since", "yesterday"]);
    assert_eq!(code_, 1);
    assert!(err.contains("RFC 3339"), "{err}");
}

/// Webhooks through kill -9: token events are delivered at least once each, signed, in order
/// per token, although the issuer is killed (SIGKILL) three times while it delivers and the
/// receiver fails the first three attempts. Nothing a replica had taken when it died is lost.
fn webhooks_survive_kill_9(backend: Backend) {
    use support::receiver::Receiver;
    let env = Env::new(backend);
    // Slow answers keep deliveries in flight when the kills come.
    let rx = Receiver::slow(3, Duration::from_millis(100));
    let port = free_port();
    let fast = [
        ("GATEPASS_WEBHOOK_RETRY_SECS", "1"),
        ("GATEPASS_WEBHOOK_TIMEOUT_SECS", "2"),
    ];
    let mut server = serve_with(&env, port, &fast);
    let admin = server.bootstrap.clone().unwrap();
    let (platform, _) = mint_platform(&env, port, &[]);
    let (status, hook) = post(
        &format!("{}/v1/webhooks", server.url),
        &platform,
        json!({"url": rx.url, "events": ["token.created", "token.revoked"]}),
    );
    assert_eq!(status, 201, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_owned();

    let mut ids = Vec::new();
    for kill in 0..3 {
        for i in 0..10 {
            let (status, body) = post(
                &format!("{}/v1/tokens", server.url),
                &admin,
                json!({"name": format!("k{kill}-{i}"), "scopes": ["user:read"]}),
            );
            assert_eq!(status, 201, "{body}");
            ids.push(body["id"].as_str().unwrap().to_owned());
        }
        let batch = &ids[ids.len() - 10..];
        let (status, body) = post(
            &format!("{}/v1/tokens/revoke", server.url),
            &admin,
            json!({"ids": batch}),
        );
        assert_eq!(status, 200, "{body}");
        // Let it be mid-delivery, then SIGKILL and start again.
        std::thread::sleep(Duration::from_millis(300 + 250 * kill));
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        server = serve_with(&env, port, &fast);
    }

    let expected = ids.len() * 2;
    rx.wait_for(Duration::from_secs(90), |got| {
        let mut seen: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len() >= expected
    });
    let got = rx.accepted();
    assert!(rx.all().iter().all(|r| r.signed_by(&secret)));
    for id in &ids {
        let mut types: Vec<String> = got
            .iter()
            .filter(|r| r.json()["data"]["id"] == json!(id))
            .map(|r| r.json()["type"].as_str().unwrap().to_owned())
            .collect();
        types.dedup();
        assert_eq!(types, ["token.created", "token.revoked"], "{id}");
    }
    // The issuer's record agrees: every delivery delivered. A delivery whose attempt was cut by
    // a kill (the receiver got it, the dead issuer never recorded it) is taken again when its
    // lease ends, so the record may settle a few seconds after the receiver has everything.
    let url = format!(
        "{}/v1/webhooks/{}/deliveries?limit=200",
        server.url,
        hook["id"].as_str().unwrap()
    );
    let mut page = Value::Null;
    let settled = within(Duration::from_secs(60), || {
        let (status, body) = get(&url, &platform);
        assert_eq!(status, 200);
        page = body;
        let deliveries = page["deliveries"].as_array().unwrap();
        deliveries.len() == expected && deliveries.iter().all(|d| d["state"] == "delivered")
    });
    assert!(settled.is_some(), "{page}");
}

#[test]
fn webhooks_survive_kill_9_on_sqlite() {
    webhooks_survive_kill_9(Backend::Sqlite);
}

#[test]
fn webhooks_survive_kill_9_on_postgres() {
    webhooks_survive_kill_9(Backend::Postgres);
}

/// A connection pool to the issuer's database, one per URL, read beside the running issuer.
fn pool_for(database_url: &str) -> gatepass_issuer::db::DbPool {
    static POOLS: std::sync::Mutex<Vec<(String, gatepass_issuer::db::DbPool)>> =
        std::sync::Mutex::new(Vec::new());
    let mut pools = POOLS.lock().unwrap();
    if let Some((_, p)) = pools.iter().find(|(u, _)| u == database_url) {
        return p.clone();
    }
    let pool = gatepass_issuer::db::connect(database_url, 2).unwrap();
    pools.push((database_url.to_owned(), pool.clone()));
    pool
}

/// A count from the issuer's database (`SELECT … AS n`).
fn count(database_url: &str, query: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::RunQueryDsl;
    let mut conn = gatepass_issuer::db::get(&pool_for(database_url)).unwrap();
    diesel::sql_query(query)
        .get_result::<N>(&mut *conn)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .n
}

/// The ids a query returns (`SELECT id …`).
fn ids(database_url: &str, query: &str) -> std::collections::HashSet<String> {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    use diesel::RunQueryDsl;
    let mut conn = gatepass_issuer::db::get(&pool_for(database_url)).unwrap();
    diesel::sql_query(query)
        .load::<Id>(&mut *conn)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn id_list(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Crash consistency: the issuer is SIGKILLed at a random moment during a batch revoke, a batch
/// rotation or a run of mints, then restarted, again and again. After each restart: it started;
/// each batch is all or nothing (all, when it was acknowledged); acknowledged mints exist; no
/// status index is used twice; no token has two successors; every revoked token's bit is set in
/// the lists the restarted issuer serves, and every live one verifies (checked with the SDK);
/// every revocation and creation has its audit event. `GATEPASS_CRASH_KILLS` (default 4) and
/// `GATEPASS_CRASH_TOKENS` (default 200) size it, `GATEPASS_CRASH_SEED` replays a run;
/// `scripts/crash-loop` runs 50 kills over 1,000 tokens per backend.
fn crash_consistency(backend: Backend) {
    let kills: usize = std::env::var("GATEPASS_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let tokens: usize = std::env::var("GATEPASS_CRASH_TOKENS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    // GATEPASS_CRASH_SEED replays the run a failure printed.
    let mut seed = std::env::var("GATEPASS_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
        | 1;
    eprintln!("crash consistency on {backend:?}: {kills} kills over {tokens} tokens, seed {seed}");
    let mut random = move |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below.max(1)
    };
    let env = Env::new(backend);
    let port = free_port();
    let mut server = serve_on(&env, port);
    let admin = server.bootstrap.clone().unwrap();
    let url = server.url.clone();
    // id → secret of every token whose secret we were given.
    let mut secrets: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mint = |url: &str, name: String| -> Option<(String, String)> {
        let mut r = agent()
            .post(&format!("{url}/v1/tokens"))
            .header("Authorization", format!("Bearer {admin}"))
            .header("Content-Type", "application/json")
            .send(json!({"name": name, "scopes": ["user:read"]}).to_string())
            .ok()?;
        let body: Value = serde_json::from_str(&r.body_mut().read_to_string().ok()?).ok()?;
        (r.status().as_u16() == 201).then(|| {
            (
                body["id"].as_str().unwrap().to_owned(),
                body["token"].as_str().unwrap().to_owned(),
            )
        })
    };
    for i in 0..tokens {
        let (id, secret) = mint(&url, format!("t{i}")).expect("initial mint");
        secrets.insert(id, secret);
    }
    let live = |secrets: &std::collections::HashMap<String, String>| -> Vec<String> {
        let live = ids(
            &env.database_url,
            "SELECT id FROM tokens WHERE revoked_at IS NULL AND rotated_to IS NULL",
        );
        let mut held: Vec<String> = secrets
            .keys()
            .filter(|id| live.contains(*id))
            .cloned()
            .collect();
        held.sort();
        held
    };
    // Calls the kill left without an answer, and calls answered.
    let (mut cut, mut answered) = (0, 0);
    for kill in 0..kills {
        let pool = live(&secrets);
        // With every token revoked (a batch revoke takes up to 1,000), only minting is left.
        let operation = match random(3) {
            _ if pool.is_empty() => 2,
            op => op,
        };
        let delay = Duration::from_millis(random(60));
        let (tx, rx) = std::sync::mpsc::channel();
        let (u, a) = (url.clone(), admin.clone());
        let batch: Vec<String> = match operation {
            0 => pool.iter().take(1000).cloned().collect(),
            1 => pool.iter().take(50).cloned().collect(),
            _ => Vec::new(),
        };
        let sent = batch.clone();
        let worker = std::thread::spawn(move || {
            let call = |path: &str, body: Value| {
                agent()
                    .post(&format!("{u}{path}"))
                    .header("Authorization", format!("Bearer {a}"))
                    .header("Content-Type", "application/json")
                    .send(body.to_string())
                    .ok()
                    .and_then(|mut r| {
                        let status = r.status().as_u16();
                        let text = r.body_mut().read_to_string().ok()?;
                        Some((
                            status,
                            serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
                        ))
                    })
            };
            match operation {
                0 => {
                    let _ = tx.send(("revoke", call("/v1/tokens/revoke", json!({"ids": sent}))));
                }
                1 => {
                    let _ = tx.send(("rotate", call("/v1/tokens/rotate", json!({"ids": sent}))));
                }
                _ => {
                    for i in 0..20 {
                        let r = call(
                            "/v1/tokens",
                            json!({"name": format!("m{kill}-{i}"), "scopes": ["user:read"]}),
                        );
                        if tx.send(("mint", r)).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        std::thread::sleep(delay);
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        let _ = worker.join();
        let answers: Vec<(&str, Option<(u16, Value)>)> = rx.try_iter().collect();
        // It starts again, cleanly.
        server = serve_on(&env, port);

        let db = env.database_url.as_str();
        let n = |q: &str| count(db, q);
        let done = |column: &str| {
            n(&format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tokens WHERE {column} IS NOT NULL AND id IN ({})", id_list(&batch)))
        };
        for (what, answer) in &answers {
            let acknowledged = answer.as_ref().is_some_and(|(s, _)| *s == 200 || *s == 201);
            if answer.is_none() {
                cut += 1;
            } else {
                answered += 1;
            }
            match *what {
                "revoke" | "rotate" => {
                    let column = if *what == "revoke" {
                        "revoked_at"
                    } else {
                        "rotated_to"
                    };
                    let changed = done(column) as usize;
                    assert!(
                        changed == 0 || changed == batch.len(),
                        "kill {kill}: batch {what} of {} left {changed} changed",
                        batch.len()
                    );
                    if acknowledged {
                        assert_eq!(
                            changed,
                            batch.len(),
                            "kill {kill}: an acknowledged {what} was lost"
                        );
                    }
                    if *what == "rotate" && acknowledged {
                        // A batch rotation answers `{"rotated": [new token, …]}`.
                        for t in answer.as_ref().unwrap().1["rotated"].as_array().unwrap() {
                            secrets.insert(
                                t["id"].as_str().unwrap().to_owned(),
                                t["token"].as_str().unwrap().to_owned(),
                            );
                        }
                    }
                }
                _ => {
                    if let Some((201, body)) = answer {
                        let id = body["id"].as_str().unwrap().to_owned();
                        assert_eq!(n(&format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tokens WHERE id = '{id}'")), 1, "kill {kill}: an acknowledged mint was lost");
                        secrets.insert(id, body["token"].as_str().unwrap().to_owned());
                    }
                }
            }
        }
        assert_eq!(n("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT status_list, status_idx FROM tokens GROUP BY status_list, status_idx HAVING COUNT(*) > 1) d"), 0, "kill {kill}: a status index used twice");
        assert_eq!(n("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT rotated_from FROM tokens WHERE rotated_from IS NOT NULL GROUP BY rotated_from HAVING COUNT(*) > 1) d"), 0, "kill {kill}: a token with two successors");
        assert_eq!(n("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tokens t WHERE t.revoked_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.token_id = t.id AND a.action IN ('token.revoked', 'token.rotated'))"), 0, "kill {kill}: a revocation without its audit event");
        assert_eq!(n("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tokens t WHERE t.rotated_from IS NULL AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.token_id = t.id AND a.action = 'token.created')"), 0, "kill {kill}: a token without its creation event");
        assert_eq!(n("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_events a WHERE a.action = 'token.revoked' AND NOT EXISTS (SELECT 1 FROM tokens t WHERE t.id = a.token_id AND t.revoked_at IS NOT NULL)"), 0, "kill {kill}: a revocation event for a live token");

        // What the restarted issuer serves: every token we hold a secret of answers as stored.
        let jwks = agent()
            .get(&format!("{url}/.well-known/jwks.json"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let (_, index) = get(&format!("{url}/v1/status-lists"), &admin);
        let mut builder = gatepass::Verifier::offline(url.clone(), jwks.into_bytes());
        for uri in index["lists"].as_array().unwrap() {
            let uri = uri.as_str().unwrap();
            let jwt = agent()
                .get(uri)
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            builder = builder.status_list(uri, jwt.into_bytes());
        }
        let verifier = builder.build().unwrap();
        let revoked_ids = ids(db, "SELECT id FROM tokens WHERE revoked_at IS NOT NULL");
        for (id, secret) in &secrets {
            let revoked = revoked_ids.contains(id);
            let got = code(&verifier, secret);
            assert_eq!(
                got,
                if revoked { "revoked" } else { "ok" },
                "kill {kill}: token {id} after the restart"
            );
        }
    }
    eprintln!(
        "crash consistency on {backend:?}: {kills} kills ({cut} calls without an answer, {answered} answered), {} tokens checked after each, all held",
        secrets.len()
    );
}

#[test]
fn crash_consistency_on_sqlite() {
    crash_consistency(Backend::Sqlite);
}

#[test]
fn crash_consistency_on_postgres() {
    crash_consistency(Backend::Postgres);
}
