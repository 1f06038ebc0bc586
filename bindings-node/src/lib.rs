//! The native half of the `gatepass` npm package: the Rust verifier as a napi class. It only
//! translates types and errors; `index.js` turns coded errors into `TokenError` instances.

#![allow(missing_docs)] // the public API is documented in index.d.ts

mod errors;
mod options;

use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use errors::{config_error, task_config_error, token_error};
use options::{OfflineOptions, OnlineOptions};

/// The claims as a flat array, for claims that hold a separator of [`packed`] (`index.js`
/// builds the object from either form):
/// `[subject, workspace, scopes (space-joined), tokenId, issuedAt, expiresAt|null, audience, issuer, claimsJson]`
type FlatClaims = (
    String,
    String,
    String,
    String,
    i64,
    Either<i64, Null>,
    Vec<String>,
    String,
    String,
);

/// Separates the fields of [`packed`]; the audience's entries are separated by [`AUD_SEP`].
const FIELD_SEP: &str = "\u{1}";
const AUD_SEP: &str = "\u{2}";

/// The same claims as one string, the fields of [`FlatClaims`] in order, separated by
/// [`FIELD_SEP`] (numbers in decimal, a never-expiring token's `expiresAt` empty); `index.js`
/// splits it. Creating nine array elements through N-API was most of what the binding added to
/// the core: one string and the split in JS take 1.19 µs per call against 1.83 µs (measured on
/// a cached token, where nothing else counts). `None` when a claim holds a separator character
/// (JSON text cannot, a decoded claim can): the caller then sends [`FlatClaims`].
fn packed(c: &gatepass::Claims) -> Option<String> {
    use std::fmt::Write;
    // A decoded claim may hold a separator; the JSON text cannot (the parser refuses raw control
    // characters).
    let holds_separator = [c.subject(), c.workspace(), c.token_id(), c.issuer()]
        .into_iter()
        .chain(c.scopes().iter().map(String::as_str))
        .any(|s| s.contains(FIELD_SEP))
        || c.audience()
            .iter()
            .any(|a| a.contains(FIELD_SEP) || a.contains(AUD_SEP));
    if holds_separator {
        return None;
    }
    let json = c.raw_json();
    // One buffer, written once: the claims take about as much again as the JSON text.
    let mut out = String::with_capacity(2 * json.len() + 64);
    let sep = FIELD_SEP;
    // Writing into a String cannot fail.
    let _ = write!(out, "{}{sep}{}{sep}", c.subject(), c.workspace());
    join_into(&mut out, c.scopes(), " ");
    let _ = write!(out, "{sep}{}{sep}{}{sep}", c.token_id(), c.issued_at());
    if let Some(expires_at) = c.expires_at() {
        let _ = write!(out, "{expires_at}");
    }
    out.push_str(sep);
    join_into(&mut out, c.audience(), AUD_SEP);
    let _ = write!(out, "{sep}{}{sep}{json}", c.issuer());
    Some(out)
}

/// Appends `items` separated by `sep` (`join` without its own allocation).
fn join_into(out: &mut String, items: &[String], sep: &str) {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
}

fn to_flat(c: &gatepass::Claims) -> FlatClaims {
    (
        c.subject().to_owned(),
        c.workspace().to_owned(),
        c.scopes().join(" "),
        c.token_id().to_owned(),
        c.issued_at(),
        c.expires_at().map_or(Either::B(Null), Either::A),
        c.audience().to_vec(),
        c.issuer().to_owned(),
        c.raw_json().to_owned(),
    )
}

#[napi]
pub struct NativeVerifier {
    inner: gatepass::Verifier,
}

#[napi]
impl NativeVerifier {
    #[napi(factory)]
    pub fn offline(env: Env, options: OfflineOptions) -> Result<Self> {
        Ok(NativeVerifier {
            inner: options.build().map_err(|e| config_error(&env, &e))?,
        })
    }

    /// `require`, returning the claims packed in one string, or as a flat array when a claim
    /// holds a separator (what `index.js` uses; see `packed` and `FlatClaims`).
    #[napi(
        ts_return_type = "string | [string, string, string, string, number, number | null, string[], string, string]"
    )]
    pub fn require_packed(
        &self,
        env: Env,
        token: String,
        scopes: Option<Vec<String>>,
        workspace: Option<String>,
    ) -> Result<Either<String, FlatClaims>> {
        let scopes = scopes.unwrap_or_default();
        self.inner
            .require(&token, &scopes, workspace.as_deref())
            .map(|c| packed(&c).map_or_else(|| Either::B(to_flat(&c)), Either::A))
            .map_err(|e| token_error(&env, &e))
    }

    /// Refreshes and waits, on a libuv worker thread (never the event loop).
    #[napi]
    pub fn refresh(&self, timeout_ms: Option<u32>) -> AsyncTask<RefreshTask> {
        AsyncTask::new(RefreshTask {
            verifier: self.inner.clone(),
            timeout: Duration::from_millis(u64::from(timeout_ms.unwrap_or(10_000))),
        })
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }

    #[napi]
    pub fn push_status(&self) -> PushStatus {
        let status = self.inner.push_status();
        PushStatus {
            enabled: status.enabled,
            connected: status.connected,
            last_event_age: status.last_event_age.map(|d| d.as_secs_f64()),
        }
    }

    #[napi(getter)]
    pub fn issuer(&self) -> String {
        self.inner.issuer().to_owned()
    }

    #[napi(getter)]
    pub fn key_ids(&self) -> Vec<String> {
        self.inner.key_ids()
    }

    #[napi(getter)]
    pub fn status_list_uris(&self) -> Vec<String> {
        self.inner.status_list_uris()
    }
}

/// The state of a verifier's push link.
#[napi(object)]
pub struct PushStatus {
    pub enabled: bool,
    pub connected: bool,
    /// Seconds since the last event or heartbeat; null before the first.
    pub last_event_age: Option<f64>,
}

/// Builds an online verifier on a libuv worker thread; resolves to a `NativeVerifier`.
#[napi]
pub fn connect(
    env: Env,
    issuer_url: String,
    options: Option<OnlineOptions>,
) -> Result<AsyncTask<ConnectTask>> {
    let builder = options
        .unwrap_or_default()
        .builder(issuer_url)
        .map_err(|e| config_error(&env, &e))?;
    Ok(AsyncTask::new(ConnectTask {
        builder: Some(builder),
    }))
}

pub struct ConnectTask {
    builder: Option<gatepass::OnlineBuilder>,
}

impl Task for ConnectTask {
    type Output = gatepass::Verifier;
    type JsValue = NativeVerifier;

    fn compute(&mut self) -> Result<Self::Output> {
        let builder = self
            .builder
            .take()
            .ok_or_else(|| Error::from_reason("connect ran twice"))?;
        builder.build().map_err(|e| task_config_error(&e))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(NativeVerifier { inner: output })
    }
}

pub struct RefreshTask {
    verifier: gatepass::Verifier,
    timeout: Duration,
}

impl Task for RefreshTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        self.verifier
            .refresh(self.timeout)
            .map_err(|e| task_config_error(&e))
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> Result<()> {
        Ok(())
    }
}

/// The codes an API answers with 403 (the core's decision; every other code is a 401).
#[napi]
pub fn forbidden_codes() -> Vec<String> {
    gatepass::ErrorCode::ALL
        .iter()
        .filter(|c| c.is_forbidden())
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// The stable error codes, in step order.
#[napi]
pub fn error_codes() -> Vec<String> {
    gatepass::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// `(status, [(header, value)…], body)` of a refused request.
type Answer = (u16, Vec<(String, String)>, String);

/// The token of an `Authorization` header value, or null (the core's RFC 6750 reading).
#[napi]
pub fn bearer_token(authorization: Option<String>) -> Option<String> {
    gatepass::http::bearer_token(authorization.as_deref()).map(str::to_owned)
}

/// The HTTP answer for a refused request (`gatepass::http`): `[status, [[name, value]…], body]`.
/// `code` null: no token was sent; otherwise the failure's code and message.
#[napi]
pub fn rejection(
    code: Option<String>,
    message: Option<String>,
    scopes: Vec<String>,
) -> Result<Answer> {
    let answer = gatepass::http::Rejection::from_parts(
        code.as_deref(),
        message.as_deref().unwrap_or(""),
        &scopes,
    )
    .ok_or_else(|| Error::new(Status::InvalidArg, "not a gatepass error code".to_owned()))?;
    let headers = answer
        .headers()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Ok((answer.status(), headers, answer.body().to_owned()))
}
