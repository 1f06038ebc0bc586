//! The verifier: [`Verifier::verify`] and [`Verifier::require`], no I/O on either path.

mod checks;
mod offline;
pub(crate) mod options;
pub(crate) mod state;
mod update;

use std::sync::Arc;

pub use offline::OfflineBuilder;
pub use options::{seconds_option, DEFAULT_CACHE_SIZE, DEFAULT_LEEWAY, DEFAULT_PREFIX};

use crate::claims::{self, Claims};
use crate::error::{ErrorCode, TokenError};
use crate::jws::{Compact, TOKEN_TYPE};
use state::{Shared, Snapshot};

/// The largest token accepted, prefix included (docs/protocol.md, "Tokens"); anything longer is refused unread.
pub const MAX_TOKEN_BYTES: usize = 8192;

/// Verifies gatepass tokens locally.
///
/// `Send + Sync` and cheap to clone (clones share keys, lists and cache). Build one with
/// [`Verifier::offline`] from JWKS and status-list bytes, or, with the `online` feature,
/// [`Verifier::builder`] from the issuer URL alone.
#[derive(Clone)]
pub struct Verifier {
    pub(crate) shared: Arc<Shared>,
}

impl Verifier {
    /// Starts an offline verifier for `issuer` (compared exactly with `iss`) from the issuer's
    /// JWKS bytes. Add status lists with [`OfflineBuilder::status_list`].
    pub fn offline(issuer: impl Into<String>, jwks: impl Into<Vec<u8>>) -> OfflineBuilder {
        OfflineBuilder::new(issuer.into(), jwks.into())
    }

    /// Verifies `token` (with or without the prefix) and returns its claims.
    ///
    /// Checks, in order, exactly the steps of docs/protocol.md ("Verification, step by step"); the first that fails decides the code.
    ///
    /// # Errors
    /// A [`TokenError`] whose [`code`](TokenError::code) is one of the stable codes.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let shared = &*self.shared;
        // Step 1: size before anything else.
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::new(
                ErrorCode::Malformed,
                "the token is longer than 8192 bytes",
            ));
        }
        let snapshot = shared.snapshot.load();
        // Step 2: the prefix is optional.
        let jws = token
            .strip_prefix(snapshot.prefix.as_str())
            .unwrap_or(token);
        let claims = match shared.cache.get(jws, snapshot.key_generation) {
            Some(claims) => claims,
            None => {
                let claims = self.verify_signed(jws, &snapshot)?;
                shared.cache.insert(jws, &claims, snapshot.key_generation);
                claims
            }
        };
        let now = shared.clock.now();
        checks::times(&shared.policy, &claims, now)?;
        let status = checks::status(&shared.policy, &snapshot, &claims, now);
        if let Some(observer) = &shared.observer {
            // A list that is not loaded is fetched whatever the outcome: fail-open accepts the
            // token now, but must not stay blind to that list.
            if status.is_err() || shared.policy.fail_open_when_stale {
                let uri = &claims.status().uri;
                if !snapshot.lists.contains_key(uri) {
                    observer.missing_list(uri);
                }
            }
        }
        status?;
        if let Some(observer) = &shared.observer {
            observer.verified(&claims);
        }
        Ok(claims)
    }

    /// [`verify`](Verifier::verify), then: the token belongs to `workspace` (when given), else
    /// `wrong_workspace`; and it carries every scope in `scopes` exactly as written, else
    /// `insufficient_scope`.
    ///
    /// # Errors
    /// As [`verify`](Verifier::verify), plus `wrong_workspace` and `insufficient_scope`.
    pub fn require<S: AsRef<str>>(
        &self,
        token: &str,
        scopes: &[S],
        workspace: Option<&str>,
    ) -> Result<Claims, TokenError> {
        let claims = self.verify(token)?;
        checks::workspace_and_scopes(&claims, scopes, workspace)?;
        Ok(claims)
    }

    /// Steps 3 to 11: everything that depends only on the token and the key set.
    fn verify_signed(&self, jws: &str, snapshot: &Snapshot) -> Result<Claims, TokenError> {
        let compact = Compact::split(jws)?;
        let verified = compact.verify(snapshot.keys.as_deref(), TOKEN_TYPE);
        if let (Err(e), Some(observer)) = (&verified, &self.shared.observer) {
            if e.kind() == ErrorCode::UnknownKey {
                observer.missing_key();
            }
        }
        let claims = claims::from_payload(verified?)?;
        checks::issuer_and_audience(&self.shared.policy, &claims)?;
        Ok(claims)
    }

    /// Online: refreshes keys and status lists now and waits (up to `timeout`) for that
    /// refresh to finish. Offline: does nothing.
    ///
    /// # Errors
    /// [`ConfigError`](crate::ConfigError) describing what failed (the verifier keeps its last good data).
    pub fn refresh(&self, timeout: std::time::Duration) -> Result<(), crate::ConfigError> {
        match &self.shared.background {
            Some(background) => background.refresh(timeout).map_err(crate::ConfigError::new),
            None => Ok(()),
        }
    }

    /// Online: stops the background refresh (all clones of this verifier keep verifying with
    /// the data they have, until it goes stale). Dropping the last clone does the same.
    pub fn close(&self) {
        if let Some(background) = &self.shared.background {
            background.stop();
        }
    }

    /// The state of the push link (online verifiers subscribe to the issuer's status stream by
    /// default, so revocations apply within a second): whether it is up, and how long ago the
    /// issuer was last heard from on it. Alert on it: while it is down, revocations take up to
    /// the status lists' `ttl`. Offline verifiers have none.
    #[cfg(feature = "online")]
    pub fn push_status(&self) -> crate::PushStatus {
        self.shared
            .background
            .as_ref()
            .map_or(crate::PushStatus::OFF, |b| b.push_status())
    }

    /// The issuer URL this verifier accepts.
    pub fn issuer(&self) -> &str {
        &self.shared.policy.issuer
    }

    /// The `kid`s of the keys currently loaded (sorted; empty before an online verifier's first load).
    pub fn key_ids(&self) -> Vec<String> {
        let snapshot = self.shared.snapshot.load();
        snapshot
            .keys
            .as_ref()
            .map(|k| k.kids().into_iter().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The URIs of the status lists currently loaded (sorted).
    pub fn status_list_uris(&self) -> Vec<String> {
        let mut uris: Vec<String> = self.shared.snapshot.load().lists.keys().cloned().collect();
        uris.sort_unstable();
        uris
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuer", &self.shared.policy.issuer)
            .field("keys", &self.key_ids())
            .field("status_lists", &self.status_list_uris())
            .finish()
    }
}
