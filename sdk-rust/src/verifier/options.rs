//! Options shared by the offline and the online verifier, and the setters both builders offer.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};

/// Default clock-skew allowance: 60 seconds (docs/protocol.md, step 12).
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// Default capacity of the verified-token cache.
pub const DEFAULT_CACHE_SIZE: usize = 10_000;
/// Default token prefix for offline verifiers (online ones learn it from discovery).
pub const DEFAULT_PREFIX: &str = "gp_";

/// A duration option given in seconds by a binding (Python, Node), checked once for all of
/// them: a finite, non-negative number.
///
/// # Errors
/// A [`crate::ConfigError`] naming the option.
pub fn seconds_option(name: &str, seconds: f64) -> Result<Duration, crate::ConfigError> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        crate::ConfigError::new(format!(
            "{name} must be a non-negative number of seconds, got {seconds}"
        ))
    })
}

/// What both builders configure.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) audiences: Vec<String>,
    pub(crate) leeway: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) fail_open_when_stale: bool,
    pub(crate) cache_size: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            audiences: Vec::new(),
            leeway: DEFAULT_LEEWAY,
            clock: Arc::new(SystemClock),
            fail_open_when_stale: false,
            cache_size: DEFAULT_CACHE_SIZE,
        }
    }
}

/// The rules a token is checked against once the verifier is built.
pub(crate) struct Policy {
    pub(crate) issuer: String,
    pub(crate) audiences: Vec<String>,
    pub(crate) leeway: i64,
    pub(crate) fail_open_when_stale: bool,
    /// Online only: how old the last confirmation of a status list may be.
    pub(crate) max_staleness: Option<i64>,
}

impl Policy {
    pub(crate) fn new(
        issuer: String,
        options: &Options,
        max_staleness: Option<Duration>,
    ) -> Policy {
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        Policy {
            issuer,
            audiences: options.audiences.clone(),
            leeway: secs(options.leeway),
            fail_open_when_stale: options.fail_open_when_stale,
            max_staleness: max_staleness.map(secs),
        }
    }
}

/// The option setters of both builders (each has an `options: Options` field).
macro_rules! option_setters {
    () => {
        /// Accept tokens whose `aud` contains `audience`. Call again to accept several.
        /// Default: no audience, and then a token that carries `aud` is refused (RFC 7519 §4.1.3).
        pub fn audience(mut self, audience: impl Into<String>) -> Self {
            self.options.audiences.push(audience.into());
            self
        }

        /// Accept tokens whose `aud` contains any of `audiences` (adds to earlier calls).
        pub fn audiences<I, S>(mut self, audiences: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.options
                .audiences
                .extend(audiences.into_iter().map(Into::into));
            self
        }

        /// Allowed clock skew for `exp`, `nbf` and `iat` (and a status list's `exp`).
        /// Default: 60 seconds. Sub-second parts are ignored.
        pub fn leeway(mut self, leeway: std::time::Duration) -> Self {
            self.options.leeway = leeway;
            self
        }

        /// Where "now" comes from. Default: the system clock.
        pub fn clock(mut self, clock: impl $crate::clock::Clock) -> Self {
            self.options.clock = std::sync::Arc::new(clock);
            self
        }

        /// DANGER: when a token's revocation status cannot be known (list missing, expired,
        /// stale, or too short), accept the token instead of failing with `status_unavailable`.
        /// A token whose known status is revoked is still refused. Default: off (fail closed).
        pub fn danger_fail_open_when_stale(mut self, fail_open: bool) -> Self {
            self.options.fail_open_when_stale = fail_open;
            self
        }

        /// How many verified tokens to remember, so a repeated token skips the signature check.
        /// Default: 10,000. Zero turns the cache off.
        pub fn cache_size(mut self, entries: usize) -> Self {
            self.options.cache_size = entries;
            self
        }
    };
}
pub(crate) use option_setters;
