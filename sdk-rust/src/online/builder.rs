//! [`OnlineBuilder`]: options of an online verifier, and starting its background threads.

use std::sync::Arc;
use std::time::Duration;

use super::http::Http;
use super::push::Push;
use super::refresher::Refresher;
use super::signals::Signals;
use super::usage::UsageBuffer;
use crate::cache::TokenCache;
use crate::error::ConfigError;
use crate::verifier::options::{option_setters, Options, Policy, DEFAULT_PREFIX};
use crate::verifier::state::{ListMap, Shared, Snapshot};
use crate::verifier::Verifier;

/// Default upper bound on the refresh interval: 5 minutes (a list's shorter `ttl` wins).
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(300);
/// Default maximum staleness of a status list before status checks fail closed: 24 hours.
pub const DEFAULT_MAX_STALENESS: Duration = Duration::from_secs(24 * 3600);
/// Default connect and overall timeout of one HTTP request: 10 seconds.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Default minimum time between refetches caused by unknown `kid`s or lists: 30 seconds.
pub const DEFAULT_UNKNOWN_KEY_COOLDOWN: Duration = Duration::from_secs(30);
/// Default interval between usage reports: 60 seconds.
pub const DEFAULT_USAGE_REPORT_INTERVAL: Duration = Duration::from_secs(60);
/// Default wait for the first load in [`OnlineBuilder::build`]: 10 seconds.
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// What [`OnlineBuilder::build`] does before returning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Startup {
    /// Wait up to this long for discovery, keys and every status list to load; fail with a
    /// [`ConfigError`] that says what failed if they do not. (Default: 10 seconds.)
    Wait(Duration),
    /// Return at once; until the first load finishes, tokens fail with `unknown_key` or
    /// `status_unavailable`.
    Background,
}

/// Builds an online [`Verifier`]; start with [`Verifier::builder`].
#[must_use]
pub struct OnlineBuilder {
    issuer: String,
    options: Options,
    refresh_interval: Duration,
    max_staleness: Duration,
    http_timeout: Duration,
    unknown_key_cooldown: Duration,
    startup: Startup,
    usage_report_token: Option<String>,
    usage_report_interval: Duration,
    push: bool,
}

impl Verifier {
    /// Starts an online verifier for the issuer at `issuer_url` (which must equal the `issuer`
    /// of its discovery document and the `iss` of its tokens).
    pub fn builder(issuer_url: impl Into<String>) -> OnlineBuilder {
        OnlineBuilder {
            issuer: issuer_url.into(),
            options: Options::default(),
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            max_staleness: DEFAULT_MAX_STALENESS,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            unknown_key_cooldown: DEFAULT_UNKNOWN_KEY_COOLDOWN,
            startup: Startup::Wait(DEFAULT_STARTUP_TIMEOUT),
            usage_report_token: None,
            usage_report_interval: DEFAULT_USAGE_REPORT_INTERVAL,
            push: true,
        }
    }
}

impl OnlineBuilder {
    option_setters!();

    /// The longest time between two refreshes. Default: 5 minutes; a status list's `ttl`
    /// (clamped to 5 s … 1 day) shortens it.
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// How long a status list may go unconfirmed by the issuer (errors, issuer down) before
    /// status checks fail closed with `status_unavailable`. Default: 24 hours.
    pub fn max_staleness(mut self, max_staleness: Duration) -> Self {
        self.max_staleness = max_staleness;
        self
    }

    /// Connect and overall timeout of each HTTP request. Default: 10 seconds.
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }

    /// The minimum time between refetches triggered by tokens with an unknown `kid` (or an
    /// unknown status list), so garbage tokens cannot make the verifier hammer the issuer.
    /// Default: 30 seconds.
    pub fn unknown_key_cooldown(mut self, cooldown: Duration) -> Self {
        self.unknown_key_cooldown = cooldown;
        self
    }

    /// Wait for the first load (default, 10 s) or return at once; see [`Startup`].
    pub fn startup(mut self, startup: Startup) -> Self {
        self.startup = startup;
        self
    }

    /// Report verified token ids to the issuer's `/v1/usage` with this token (which needs the
    /// `usage:report` scope), from a background thread. Default: off.
    pub fn usage_report_token(mut self, token: impl Into<String>) -> Self {
        self.usage_report_token = Some(token.into());
        self
    }

    /// Subscribe to the issuer's push channel (its status stream), so revocations apply within a
    /// second; polling at the lists' `ttl` continues either way and is the bound while the link
    /// is down. Default: on (when the issuer offers a stream). See [`Verifier::push_status`].
    pub fn push(mut self, enabled: bool) -> Self {
        self.push = enabled;
        self
    }

    /// How often usage reports are sent. Default: 60 seconds.
    pub fn usage_report_interval(mut self, interval: Duration) -> Self {
        self.usage_report_interval = interval;
        self
    }

    /// Starts the background refresh and, unless [`Startup::Background`], waits for the first load.
    ///
    /// # Errors
    /// [`ConfigError`] for an issuer URL that is not http(s), or when the first load does not
    /// finish in time (the message says which request or check failed).
    pub fn build(self) -> Result<Verifier, ConfigError> {
        let issuer = self.issuer;
        if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
            return Err(ConfigError::new(format!(
                "issuer URL must start with https:// or http://, not \"{issuer}\""
            )));
        }
        if self.refresh_interval.is_zero() {
            return Err(ConfigError::new(
                "refresh_interval must be longer than zero",
            ));
        }
        let usage = self.usage_report_token.as_ref().map(|_| UsageBuffer::new());
        let signals = Arc::new(Signals::new(self.unknown_key_cooldown, usage, self.push));
        let snapshot = Snapshot {
            keys: None,
            key_generation: 0,
            lists: ListMap::default(),
            prefix: DEFAULT_PREFIX.to_owned(),
        };
        let policy = Policy::new(issuer.clone(), &self.options, Some(self.max_staleness));
        let mut shared = Shared::new(
            policy,
            self.options.clock,
            snapshot,
            TokenCache::new(self.options.cache_size),
        );
        shared.observer = Some(signals.clone());
        shared.background = Some(signals.clone());
        let shared = Arc::new(shared);

        let refresher = Refresher::new(
            Arc::downgrade(&shared),
            Arc::clone(&signals),
            Http::new(self.http_timeout),
            issuer.clone(),
            self.refresh_interval,
        );
        let spawn_error = |e: std::io::Error| {
            ConfigError::new(format!("could not start the refresh thread: {e}"))
        };
        std::thread::Builder::new()
            .name("gatepass-refresh".into())
            .spawn(move || refresher.run())
            .map_err(spawn_error)?;
        if self.push {
            let push = Push::new(
                Arc::downgrade(&shared),
                Arc::clone(&signals),
                self.http_timeout,
                issuer.clone(),
            );
            std::thread::Builder::new()
                .name("gatepass-push".into())
                .spawn(move || push.run())
                .map_err(spawn_error)?;
        }
        if let (Some(usage), Some(token)) = (&signals.usage, self.usage_report_token) {
            let url = format!("{}/v1/usage", issuer.trim_end_matches('/'));
            usage
                .spawn_reporter(
                    Http::new(self.http_timeout),
                    url,
                    token,
                    self.usage_report_interval,
                )
                .map_err(spawn_error)?;
        }
        let verifier = Verifier { shared };
        if let Startup::Wait(timeout) = self.startup {
            if let Err(why) = signals.wait_for_first_load(timeout) {
                verifier.close();
                return Err(ConfigError::new(format!(
                    "could not load keys and status lists from issuer {issuer}: {why}"
                )));
            }
        }
        Ok(verifier)
    }
}
