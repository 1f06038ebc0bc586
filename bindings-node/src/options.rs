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

fn seconds(name: &str, value: f64) -> Result<Duration, gatepass::ConfigError> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| config(format!("{name} must be a non-negative number of seconds")))
}

fn config(message: String) -> gatepass::ConfigError {
    gatepass::ConfigError::from_message(message)
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
        let mut b = gatepass::Verifier::offline(self.issuer, bytes(self.jwks))
            .audiences(audiences(self.audience))
            .leeway(seconds("leeway", self.leeway.unwrap_or(60.0))?)
            .prefix(
                self.prefix
                    .unwrap_or_else(|| gatepass::DEFAULT_PREFIX.to_owned()),
            )
            .cache_size(
                self.cache_size
                    .map_or(gatepass::DEFAULT_CACHE_SIZE, |c| c as usize),
            )
            .danger_fail_open_when_stale(self.danger_fail_open_when_stale.unwrap_or(false));
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
        let ms =
            |name: &str, v: Option<f64>, default: f64| seconds(name, v.unwrap_or(default) / 1000.0);
        let startup = ms("startupTimeout", self.startup_timeout, 10_000.0)?;
        let mut b = gatepass::Verifier::builder(issuer_url)
            .push(self.push.unwrap_or(true))
            .audiences(audiences(self.audience))
            .leeway(seconds("leeway", self.leeway.unwrap_or(60.0))?)
            .refresh_interval(seconds(
                "refreshInterval",
                self.refresh_interval.unwrap_or(300.0),
            )?)
            .max_staleness(seconds(
                "maxStaleness",
                self.max_staleness.unwrap_or(86_400.0),
            )?)
            .http_timeout(ms("timeoutDuration", self.timeout_duration, 10_000.0)?)
            .unknown_key_cooldown(ms("cooldownDuration", self.cooldown_duration, 30_000.0)?)
            .usage_report_interval(seconds(
                "usageReportInterval",
                self.usage_report_interval.unwrap_or(60.0),
            )?)
            .cache_size(
                self.cache_size
                    .map_or(gatepass::DEFAULT_CACHE_SIZE, |c| c as usize),
            )
            .danger_fail_open_when_stale(self.danger_fail_open_when_stale.unwrap_or(false))
            .startup(if startup.is_zero() {
                gatepass::Startup::Background
            } else {
                gatepass::Startup::Wait(startup)
            });
        if let Some(token) = self.usage_report_token {
            b = b.usage_report_token(token);
        }
        Ok(b)
    }
}
