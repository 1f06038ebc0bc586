//! `TestApp`: a booted issuer on a fresh SQLite file or a fresh PostgreSQL database, driven
//! through the router without sockets.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod receiver;

use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use diesel::{Connection, RunQueryDsl};
use gatepass_issuer::config::Config;
use gatepass_issuer::state::AppState;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The server the machine provides for PostgreSQL tests.
pub const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique name per test (process id + counter), so runs never collide.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh, empty database for `backend`: (database_url, temp dir, postgres db name).
pub fn fresh_database(backend: Backend) -> (String, std::path::PathBuf, Option<String>) {
    let dir = std::env::temp_dir().join(unique("gatepass-issuer-test"));
    std::fs::create_dir_all(&dir).unwrap();
    match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.join("gatepass.db").display()),
            dir,
            None,
        ),
        Backend::Postgres => {
            let name = unique("gp_test");
            let mut admin = diesel::PgConnection::establish(POSTGRES_ADMIN_URL)
                .unwrap_or_else(|e| panic!("PostgreSQL tests need {POSTGRES_ADMIN_URL} (start it with pg_ctlcluster): {e}"));
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .unwrap();
            (
                format!("postgres://postgres@127.0.0.1:5432/{name}"),
                dir,
                Some(name),
            )
        }
    }
}

pub fn drop_database(name: &str) {
    if let Ok(mut admin) = diesel::PgConnection::establish(POSTGRES_ADMIN_URL) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin);
    }
}

pub fn test_config(database_url: &str, dir: &std::path::Path) -> Config {
    Config {
        issuer_url: "http://issuer.test".into(),
        data_dir: dir.to_path_buf(),
        database_url: Some(database_url.into()),
        kek: Some(base64::engine::general_purpose::STANDARD.encode([42u8; 32])),
        status_list_capacity: 4096,
        ..Config::default()
    }
}

pub struct TestApp {
    pub state: AppState,
    pub admin: String,
    pub backend: Backend,
    pub dir: std::path::PathBuf,
    pg_name: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            drop_database(name);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body as sent (`text` is its lossy UTF-8).
    pub bytes: axum::body::Bytes,
}

impl TestApp {
    /// Drops the status slots this issuer reserved, as after a restart: a test that sets a
    /// list's `used` by hand then sees its next mint reserve from the lists as they now are.
    pub fn forget_reserved_slots(&self) {
        let _ = self.state.reserve.take(self.state.reserve.len());
    }

    pub fn new(backend: Backend) -> TestApp {
        TestApp::with(backend, |_| {})
    }

    pub fn with(backend: Backend, edit: impl FnOnce(&mut Config)) -> TestApp {
        let (url, dir, pg_name) = fresh_database(backend);
        let mut config = test_config(&url, &dir);
        edit(&mut config);
        let booted = gatepass_issuer::boot::boot(config).expect("boot");
        TestApp {
            state: booted.state,
            admin: booted
                .bootstrap_token
                .expect("bootstrap token on a fresh store"),
            backend,
            dir,
            pg_name,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("Content-Type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        self.send(req).await
    }

    /// Runs `req` through the router and reads the whole answer.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let response = gatepass_issuer::router::app(self.state.clone())
            .oneshot(req)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            bytes,
        }
    }

    /// A request with a raw body and an optional content type.
    pub async fn call_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call("POST", path, Some(token), Some(body)).await
    }

    /// Revokes token `id` with the admin token.
    pub async fn revoke(&self, id: &str) -> Reply {
        let path = format!("/v1/tokens/{id}/revoke");
        self.post(&path, &self.admin, serde_json::json!({})).await
    }

    /// Creates a token with the admin token; returns (secret, id).
    pub async fn create(&self, body: Value) -> (String, String) {
        self.create_as(&self.admin.clone(), body).await
    }

    pub async fn create_as(&self, token: &str, body: Value) -> (String, String) {
        let r = self.post("/v1/tokens", token, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        (
            r.body["token"].as_str().unwrap().to_owned(),
            r.body["id"].as_str().unwrap().to_owned(),
        )
    }

    /// PostgreSQL only: drops the database under the running app (connections are terminated).
    pub fn drop_database(&self) {
        drop_database(self.pg_name.as_deref().expect("postgres"));
    }

    /// A platform credential, as `gatepass-issuer token mint --platform` makes one.
    pub fn platform_token(&self) -> String {
        let spec = gatepass_issuer::tokens::MintSpec {
            workspace: gatepass_issuer::scopes::PLATFORM_WORKSPACE.into(),
            subject: "platform".into(),
            name: "platform".into(),
            description: String::new(),
            scopes: vec![gatepass_issuer::scopes::PLATFORM_ADMIN.into()],
            lifetime_secs: None,
            not_after: None,
            created_by: None,
            rotated_from: None,
            platform: true,
        };
        let mut conn = gatepass_issuer::db::get(&self.state.pool).unwrap();
        let mut created = gatepass_issuer::tokens::service::create(
            &self.state,
            &mut conn,
            None,
            &[spec],
            &serde_json::json!({}),
            None,
        )
        .unwrap();
        created.pop().unwrap().secret
    }

    /// A second issuer replica on the same database (dropping it leaves the database).
    pub fn replica(&self) -> TestApp {
        let (state, _) =
            gatepass_issuer::boot::open_state(self.state.config.clone(), 8).expect("replica");
        TestApp {
            state,
            admin: self.admin.clone(),
            backend: self.backend,
            dir: std::env::temp_dir().join(unique("gatepass-replica")),
            pg_name: None,
        }
    }

    /// The first column of the first row of `query`, an integer (`SELECT … AS n`).
    pub fn number(&self, query: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = gatepass_issuer::db::get(&self.state.pool).unwrap();
        diesel::sql_query(query)
            .get_result::<N>(&mut *conn)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .n
    }

    /// Runs blocking SQL against the test database.
    pub fn sql(&self, query: &str) {
        let mut conn = gatepass_issuer::db::get(&self.state.pool).unwrap();
        diesel::sql_query(query).execute(&mut *conn).unwrap();
    }
}

/// The status value at `idx` of a served list, decoded independently of the gatepass crate.
pub fn independent_status(list_jwt: &str, idx: u64) -> u8 {
    use std::io::Read;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload: Value =
        serde_json::from_slice(&b64.decode(list_jwt.split('.').nth(1).unwrap()).unwrap()).unwrap();
    let bits = payload["status_list"]["bits"].as_u64().unwrap();
    assert_eq!(bits, 1);
    let compressed = b64
        .decode(payload["status_list"]["lst"].as_str().unwrap())
        .unwrap();
    let mut bytes = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .read_to_end(&mut bytes)
        .unwrap();
    (bytes[(idx / 8) as usize] >> (idx % 8)) & 1
}

/// The claims of a token, decoded without verification (tests only).
pub fn claims_of(token: &str) -> Value {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    serde_json::from_slice(
        &b64.decode(token.trim_start_matches("gp_").split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

/// Runs the async test body once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::support::Backend::Sqlite).await }) *
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::support::Backend::Postgres).await }) *
        }
    };
}
