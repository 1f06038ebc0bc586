//! Option objects of `Verifier.offline({...})` and `Verifier.connect(url, {...})`.

use std::collections::HashMap;
use std::time::Duration;

use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;

type Bytes = Either<String, Buffer>;

fn bytes(b: Bytes) -> Vec<u8> {
    match b {
        Either::A(s) => s.into_bytes(),
        Either::B(buf) => buf.to_vec(),
    }
}

fn audiences(a: Option<Either<String, Vec<String>>>) -> Vec<String> {
    match a {
        None => Vec::new(),
        Some(Either::A(one)) => vec![one],
        Some(Either::B(many)) => many,
    }
}

/// Seconds, checked by the core (`seconds_option`): every binding refuses the same values alike.
fn seconds(name: &str, value: f64) -> Result<Duration, gatepass::ConfigError> {
    gatepass::seconds_option(name, value)
}

#[napi(object)]
pub struct OfflineOptions {
    pub issuer: String,
    pub jwks: Bytes,
    pub status_lists: Option<HashMap<String, Bytes>>,
    pub audience: Option<Either<String, Vec<String>>>,
    /// Seconds (default 60).
    pub leeway: Option<f64>,
    pub prefix: Option<String>,
    /// Seconds since the epoch: pins the clock (tests).
    pub now: Option<i64>,
    pub cache_size: Option<u32>,
    pub danger_fail_open_when_stale: Option<bool>,
}

impl OfflineOptions {
    pub fn build(self) -> Result<gatepass::Verifier, gatepass::ConfigError> {
        // Options left out keep the core's defaults.
        let mut b = gatepass::Verifier::offline(self.issuer, bytes(self.jwks))
            .audiences(audiences(self.audience));
        if let Some(leeway) = self.leeway {
            b = b.leeway(seconds("leeway", leeway)?);
        }
        if let Some(prefix) = self.prefix {
            b = b.prefix(prefix);
        }
        if let Some(size) = self.cache_size {
            b = b.cache_size(size as usize);
        }
        if let Some(fail_open) = self.danger_fail_open_when_stale {
            b = b.danger_fail_open_when_stale(fail_open);
        }
        if let Some(now) = self.now {
            b = b.clock(gatepass::clock::ManualClock::new(now));
        }
        for (uri, jwt) in self.status_lists.unwrap_or_default() {
            b = b.status_list(uri, bytes(jwt));
        }
        b.build()
    }
}

#[napi(object)]
#[derive(Default)]
pub struct OnlineOptions {
    pub audience: Option<Either<String, Vec<String>>>,
    /// Seconds (default 60).
    pub leeway: Option<f64>,
    /// Seconds (default 300).
    pub refresh_interval: Option<f64>,
    /// Seconds (default 86400).
    pub max_staleness: Option<f64>,
    /// Milliseconds per HTTP request (default 10000), as jose's `timeoutDuration`.
    pub timeout_duration: Option<f64>,
    /// Milliseconds between refetches caused by unknown keys (default 30000), as jose's `cooldownDuration`.
    pub cooldown_duration: Option<f64>,
    /// Milliseconds to wait for the first load (default 10000); 0 resolves at once.
    pub startup_timeout: Option<f64>,
    pub usage_report_token: Option<String>,
    /// Seconds between usage reports (default 60).
    pub usage_report_interval: Option<f64>,
    pub cache_size: Option<u32>,
    pub danger_fail_open_when_stale: Option<bool>,
    /// Subscribe to the issuer's push channel (default true).
    pub push: Option<bool>,
}

impl OnlineOptions {
    pub fn builder(
        self,
        issuer_url: String,
    ) -> Result<gatepass::OnlineBuilder, gatepass::ConfigError> {
        // Options left out keep the core's defaults. Milliseconds for the jose-named ones.
        let ms = |name: &str, v: f64| seconds(name, v / 1000.0);
        let mut b = gatepass::Verifier::builder(issuer_url).audiences(audiences(self.audience));
        if let Some(push) = self.push {
            b = b.push(push);
        }
        if let Some(v) = self.leeway {
            b = b.leeway(seconds("leeway", v)?);
        }
        if let Some(v) = self.refresh_interval {
            b = b.refresh_interval(seconds("refreshInterval", v)?);
        }
        if let Some(v) = self.max_staleness {
            b = b.max_staleness(seconds("maxStaleness", v)?);
        }
        if let Some(v) = self.timeout_duration {
            b = b.http_timeout(ms("timeoutDuration", v)?);
        }
        if let Some(v) = self.cooldown_duration {
            b = b.unknown_key_cooldown(ms("cooldownDuration", v)?);
        }
        if let Some(v) = self.usage_report_interval {
            b = b.usage_report_interval(seconds("usageReportInterval", v)?);
        }
        if let Some(size) = self.cache_size {
            b = b.cache_size(size as usize);
        }
        if let Some(fail_open) = self.danger_fail_open_when_stale {
            b = b.danger_fail_open_when_stale(fail_open);
        }
        if let Some(v) = self.startup_timeout {
            let startup = ms("startupTimeout", v)?;
            b = b.startup(if startup.is_zero() {
                gatepass::Startup::Background
            } else {
                gatepass::Startup::Wait(startup)
            });
        }
        if let Some(token) = self.usage_report_token {
            b = b.usage_report_token(token);
        }
        Ok(b)
    }
}
