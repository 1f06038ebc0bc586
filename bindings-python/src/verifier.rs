//! `gatepass.Verifier`: online (issuer URL, background refresh on Rust threads) or offline
//! (JWKS and status-list bytes). Network waits and verification run without the GIL.

use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;

use crate::claims::Claims;
use crate::convert::bytes_of;
use crate::errors::{config_error, token_error};

/// One audience or several.
#[derive(FromPyObject)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn into_vec(self) -> Vec<String> {
        match self {
            Audience::One(a) => vec![a],
            Audience::Many(v) => v,
        }
    }
}

/// Seconds, checked by the core (`seconds_option`): every binding refuses the same values alike
/// (a `gatepass.ConfigError`, which is a `ValueError`).
fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    gatepass::seconds_option(name, value).map_err(|e| config_error(&e))
}

/// Sets `option` on `builder` when given; left out, the core's default stays.
fn given<B, T>(builder: B, value: Option<T>, set: impl FnOnce(B, T) -> B) -> B {
    match value {
        Some(v) => set(builder, v),
        None => builder,
    }
}

/// Verifies gatepass tokens locally.
#[pyclass(frozen, module = "gatepass")]
pub struct Verifier(gatepass::Verifier);

#[pymethods]
impl Verifier {
    /// Online verifier: discovers the issuer, loads keys and status lists, refreshes them in
    /// the background. Blocks (without the GIL) until the first load, up to `startup_timeout`
    /// seconds; `startup_timeout=None` returns at once.
    #[new]
    #[pyo3(
        text_signature = "(issuer_url, *, audience=None, leeway=None, refresh_interval=None, max_staleness=None, http_timeout=None, unknown_key_cooldown=None, startup_timeout=10.0, usage_report_token=None, usage_report_interval=None, cache_size=None, danger_fail_open_when_stale=None, push=None)"
    )]
    #[pyo3(signature = (issuer_url, *, audience=None, leeway=None, refresh_interval=None, max_staleness=None,
        http_timeout=None, unknown_key_cooldown=None, startup_timeout=Some(gatepass::DEFAULT_STARTUP_TIMEOUT.as_secs_f64()),
        usage_report_token=None, usage_report_interval=None, cache_size=None, danger_fail_open_when_stale=None, push=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        issuer_url: String,
        audience: Option<Audience>,
        leeway: Option<f64>,
        refresh_interval: Option<f64>,
        max_staleness: Option<f64>,
        http_timeout: Option<f64>,
        unknown_key_cooldown: Option<f64>,
        startup_timeout: Option<f64>,
        usage_report_token: Option<String>,
        usage_report_interval: Option<f64>,
        cache_size: Option<usize>,
        danger_fail_open_when_stale: Option<bool>,
        push: Option<bool>,
    ) -> PyResult<Self> {
        let secs = |name: &str, v: Option<f64>| v.map(|v| seconds(name, v)).transpose();
        // Options left out (None) keep the core's defaults.
        let mut builder = gatepass::Verifier::builder(issuer_url)
            .audiences(audience.map(Audience::into_vec).unwrap_or_default());
        builder = given(builder, push, gatepass::OnlineBuilder::push);
        builder = given(
            builder,
            secs("leeway", leeway)?,
            gatepass::OnlineBuilder::leeway,
        );
        builder = given(
            builder,
            secs("refresh_interval", refresh_interval)?,
            gatepass::OnlineBuilder::refresh_interval,
        );
        builder = given(
            builder,
            secs("max_staleness", max_staleness)?,
            gatepass::OnlineBuilder::max_staleness,
        );
        builder = given(
            builder,
            secs("http_timeout", http_timeout)?,
            gatepass::OnlineBuilder::http_timeout,
        );
        builder = given(
            builder,
            secs("unknown_key_cooldown", unknown_key_cooldown)?,
            gatepass::OnlineBuilder::unknown_key_cooldown,
        );
        builder = given(
            builder,
            secs("usage_report_interval", usage_report_interval)?,
            gatepass::OnlineBuilder::usage_report_interval,
        );
        builder = given(builder, cache_size, gatepass::OnlineBuilder::cache_size);
        builder = given(
            builder,
            danger_fail_open_when_stale,
            gatepass::OnlineBuilder::danger_fail_open_when_stale,
        );
        builder = builder.startup(match startup_timeout {
            Some(t) => gatepass::Startup::Wait(seconds("startup_timeout", t)?),
            None => gatepass::Startup::Background,
        });
        if let Some(token) = usage_report_token {
            builder = builder.usage_report_token(token);
        }
        py.detach(|| builder.build())
            .map(Verifier)
            .map_err(|e| config_error(&e))
    }

    /// Offline verifier from the issuer's JWKS and status-list tokens (str or bytes).
    /// `now` pins the clock (seconds since the epoch), for tests.
    #[staticmethod]
    #[pyo3(
        text_signature = "(*, issuer, jwks, status_lists=None, audience=None, leeway=None, prefix=None, now=None, cache_size=None, danger_fail_open_when_stale=None)"
    )]
    #[pyo3(signature = (*, issuer, jwks, status_lists=None, audience=None, leeway=None, prefix=None,
        now=None, cache_size=None, danger_fail_open_when_stale=None))]
    #[allow(clippy::too_many_arguments)]
    fn offline(
        issuer: String,
        jwks: &Bound<'_, PyAny>,
        status_lists: Option<&Bound<'_, PyDict>>,
        audience: Option<Audience>,
        leeway: Option<f64>,
        prefix: Option<String>,
        now: Option<i64>,
        cache_size: Option<usize>,
        danger_fail_open_when_stale: Option<bool>,
    ) -> PyResult<Self> {
        // Options left out (None) keep the core's defaults.
        let mut builder = gatepass::Verifier::offline(issuer, bytes_of(jwks, "jwks")?)
            .audiences(audience.map(Audience::into_vec).unwrap_or_default());
        let leeway = leeway.map(|v| seconds("leeway", v)).transpose()?;
        builder = given(builder, leeway, gatepass::OfflineBuilder::leeway);
        builder = given(builder, prefix, gatepass::OfflineBuilder::prefix);
        builder = given(builder, cache_size, gatepass::OfflineBuilder::cache_size);
        builder = given(
            builder,
            danger_fail_open_when_stale,
            gatepass::OfflineBuilder::danger_fail_open_when_stale,
        );
        if let Some(now) = now {
            builder = builder.clock(gatepass::clock::ManualClock::new(now));
        }
        if let Some(lists) = status_lists {
            for (uri, jwt) in lists.iter() {
                let uri: String = uri
                    .extract()
                    .map_err(|_| PyValueError::new_err("status_lists keys must be URI strings"))?;
                builder = builder.status_list(uri, bytes_of(&jwt, "each status list")?);
            }
        }
        builder.build().map(Verifier).map_err(|e| config_error(&e))
    }

    /// Verifies `token` (with or without the prefix); returns its claims or raises a
    /// `TokenError` subclass whose `code` says why.
    fn verify(&self, py: Python<'_>, token: PyBackedStr) -> PyResult<Claims> {
        py.detach(|| self.0.verify(&token))
            .map(Claims)
            .map_err(|e| token_error(py, &e))
    }

    /// `verify`, then the workspace (`wrong_workspace`) and every scope (`insufficient_scope`).
    #[pyo3(signature = (token, scopes=None, workspace=None))]
    fn require(
        &self,
        py: Python<'_>,
        token: PyBackedStr,
        scopes: Option<Vec<String>>,
        workspace: Option<String>,
    ) -> PyResult<Claims> {
        let scopes = scopes.unwrap_or_default();
        py.detach(|| self.0.require(&token, &scopes, workspace.as_deref()))
            .map(Claims)
            .map_err(|e| token_error(py, &e))
    }

    /// Online: refresh keys and status lists now and wait for it (raises `ConfigError` with
    /// what failed; the last good data stays). Offline: does nothing.
    #[pyo3(signature = (timeout=10.0))]
    fn refresh(&self, py: Python<'_>, timeout: f64) -> PyResult<()> {
        let timeout = seconds("timeout", timeout)?;
        py.detach(|| self.0.refresh(timeout))
            .map_err(|e| config_error(&e))
    }

    /// The push link: whether it is on and up, and how long ago the issuer was last heard on
    /// it. While it is down, revocations take up to the lists' `ttl`; alert on it.
    fn push_status(&self) -> PushStatus {
        PushStatus(self.0.push_status())
    }

    /// Stops the background refresh (verification keeps using the data it has).
    fn close(&self) {
        self.0.close();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.0.close();
        false
    }

    /// The issuer URL tokens must name in `iss`.
    #[getter]
    fn issuer(&self) -> &str {
        self.0.issuer()
    }

    /// `kid`s of the keys loaded now.
    #[getter]
    fn key_ids(&self) -> Vec<String> {
        self.0.key_ids()
    }

    /// URIs of the status lists loaded now.
    #[getter]
    fn status_list_uris(&self) -> Vec<String> {
        self.0.status_list_uris()
    }

    fn __repr__(&self) -> String {
        format!(
            "Verifier(issuer={:?}, keys={}, status_lists={})",
            self.0.issuer(),
            self.0.key_ids().len(),
            self.0.status_list_uris().len()
        )
    }
}

/// The state of a verifier's push link (`Verifier.push_status()`).
#[pyclass(frozen, module = "gatepass")]
pub struct PushStatus(gatepass::PushStatus);

#[pymethods]
impl PushStatus {
    /// The verifier subscribes to the issuer's push channel.
    #[getter]
    fn enabled(&self) -> bool {
        self.0.enabled
    }

    /// The link is up (heard from within the last 15 s).
    #[getter]
    fn connected(&self) -> bool {
        self.0.connected
    }

    /// Seconds since the last event or heartbeat; `None` before the first.
    #[getter]
    fn last_event_age(&self) -> Option<f64> {
        self.0.last_event_age.map(|d| d.as_secs_f64())
    }

    fn __repr__(&self) -> String {
        format!(
            "PushStatus(enabled={}, connected={}, last_event_age={})",
            if self.0.enabled { "True" } else { "False" },
            if self.0.connected { "True" } else { "False" },
            self.0
                .last_event_age
                .map_or("None".to_owned(), |d| format!("{:.3}", d.as_secs_f64()))
        )
    }
}
