//! A status list token (draft-ietf-oauth-status-list §5: `statuslist+jwt` or the CWT form of
//! [`super::cwt`]), checked before anything in it is used: signature by a key of the issuer's
//! set, `typ`, `sub` equal to the URI the list is registered under, and a decodable
//! `status_list`.

use serde_json::Value;

use super::cwt::open_cwt;
use super::StatusList;
use crate::error::ConfigError;
use crate::json;
use crate::jwks::KeySet;
use crate::jws::{Compact, STATUS_LIST_TYPE};

/// The shortest refresh interval a list's `ttl` can ask for.
pub(crate) const MIN_TTL_SECS: u64 = 5;
/// The longest refresh interval a list's `ttl` can ask for (one day).
pub(crate) const MAX_TTL_SECS: u64 = 86_400;

/// Clamps a list's `ttl` (seconds) to [`MIN_TTL_SECS`, `MAX_TTL_SECS`].
pub(crate) fn clamp_ttl(ttl: u64) -> u64 {
    ttl.clamp(MIN_TTL_SECS, MAX_TTL_SECS)
}

/// `sub` must be the URI the list was registered (and fetched) under: a list cannot stand in
/// for another.
fn check_sub(uri: &str, sub: &str) -> Result<(), &'static str> {
    if sub == uri {
        Ok(())
    } else {
        Err("\"sub\" is not the URI the list was loaded from")
    }
}

/// A verified status list, ready for lookups.
#[derive(Debug, Clone)]
pub struct LoadedList {
    uri: String,
    list: StatusList,
    issued_at: i64,
    expires_at: Option<i64>,
    ttl: Option<u64>,
    version: Option<u64>,
}

impl LoadedList {
    /// Verifies a status list token in either form registered under `uri` against `keys`: a
    /// CWT (binary; its first byte is never ASCII) or a JWT (ASCII text).
    ///
    /// # Errors
    /// [`ConfigError`] naming the URI and the first problem found.
    pub fn from_token(uri: &str, token: &[u8], keys: &KeySet) -> Result<LoadedList, ConfigError> {
        match token.first() {
            Some(b) if !b.is_ascii() => LoadedList::from_cwt(uri, token, keys),
            _ => LoadedList::from_jwt(uri, token, keys),
        }
    }

    /// Verifies a status list CWT (`application/statuslist+cwt`) registered under `uri`.
    ///
    /// # Errors
    /// [`ConfigError`] naming the URI and the first problem found.
    pub fn from_cwt(uri: &str, cwt: &[u8], keys: &KeySet) -> Result<LoadedList, ConfigError> {
        let fail =
            |message: String| ConfigError::new(message).context(format!("status list {uri} (CWT)"));
        let claims = open_cwt(cwt, keys).map_err(fail)?;
        check_sub(uri, &claims.sub).map_err(|m| fail(m.into()))?;
        let list =
            StatusList::decompress(claims.bits, &claims.lst).map_err(|e| fail(e.to_string()))?;
        Ok(LoadedList {
            uri: uri.to_owned(),
            list,
            issued_at: claims.iat,
            expires_at: claims.exp,
            ttl: claims.ttl,
            version: claims.version,
        })
    }

    /// Verifies a status list JWT (`statuslist+jwt`) registered under `uri` against `keys`.
    ///
    /// # Errors
    /// [`ConfigError`] naming the URI and the first problem found.
    pub fn from_jwt(uri: &str, jwt: &[u8], keys: &KeySet) -> Result<LoadedList, ConfigError> {
        let fail =
            |message: String| ConfigError::new(message).context(format!("status list {uri}"));
        let text = std::str::from_utf8(jwt).map_err(|_| fail("is not UTF-8 text".into()))?;
        let payload = Compact::split(text)
            .and_then(|c| c.verify(Some(keys), STATUS_LIST_TYPE))
            .map_err(|e| fail(format!("{} ({})", e.message(), e.code())))?;
        let claims = json::parse_object(&payload)
            .ok_or_else(|| fail("payload is not a JSON object without duplicate members".into()))?;
        match claims.get("sub") {
            Some(Value::String(sub)) => check_sub(uri, sub).map_err(|m| fail(m.into()))?,
            _ => return Err(fail("\"sub\" must be a string".into())),
        }
        let int = |name: &str| {
            claims.get(name).map(|v| {
                v.as_number()
                    .filter(|n| !n.is_f64())
                    .and_then(|n| n.as_i64())
            })
        };
        let issued_at = int("iat")
            .flatten()
            .ok_or_else(|| fail("\"iat\" must be an integer".into()))?;
        let expires_at = match int("exp") {
            None => None,
            Some(Some(exp)) => Some(exp),
            Some(None) => return Err(fail("\"exp\" must be an integer".into())),
        };
        let ttl = match int("ttl") {
            None => None,
            Some(Some(ttl)) if ttl >= 0 => Some(ttl as u64),
            Some(_) => return Err(fail("\"ttl\" must be a non-negative integer".into())),
        };
        let version = match int("version") {
            None => None,
            Some(Some(v)) if v >= 0 => Some(v as u64),
            Some(_) => return Err(fail("\"version\" must be a non-negative integer".into())),
        };
        let body = claims
            .get("status_list")
            .and_then(Value::as_object)
            .ok_or_else(|| fail("\"status_list\" must be an object".into()))?;
        let bits = body
            .get("bits")
            .and_then(|b| {
                b.as_number()
                    .filter(|n| !n.is_f64())
                    .and_then(|n| n.as_u64())
            })
            .ok_or_else(|| fail("\"status_list.bits\" must be 1, 2, 4 or 8".into()))?;
        let lst = body
            .get("lst")
            .and_then(Value::as_str)
            .ok_or_else(|| fail("\"status_list.lst\" must be a string".into()))?;
        let list = StatusList::decode(bits, lst).map_err(|e| fail(e.to_string()))?;
        Ok(LoadedList {
            uri: uri.to_owned(),
            list,
            issued_at,
            expires_at,
            ttl,
            version,
        })
    }

    /// The list's `version` claim (gatepass issuers: grows with every change), if it has one.
    pub fn version(&self) -> Option<u64> {
        self.version
    }

    /// This list with the statuses at `indexes` made non-zero (1), as version `version`: how a
    /// push event is applied. `iat`, `exp` and `ttl` stay those of the signed list it came from.
    ///
    /// # Errors
    /// An index outside the list (the event does not belong to it).
    pub fn with_revoked(&self, indexes: &[u64], version: u64) -> Result<LoadedList, String> {
        let mut next = self.clone();
        for &idx in indexes {
            next.list
                .set(idx, 1)
                .map_err(|e| format!("index {idx}: {e}"))?;
        }
        next.version = Some(version);
        Ok(next)
    }

    /// True when this list is older than `held`, so must not replace it: a lower `version`
    /// when both carry one and they differ, otherwise an earlier `iat`. A verifier never goes
    /// back to older revocation data (a lagging replica, cache or slow rebuild cannot undo a
    /// revocation).
    pub fn is_older_than(&self, held: &LoadedList) -> bool {
        match (self.version, held.version) {
            (Some(new), Some(old)) if new != old => new < old,
            _ => self.issued_at < held.issued_at,
        }
    }

    /// The URI the list is registered under (its `sub`).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The decoded status array.
    pub fn list(&self) -> &StatusList {
        &self.list
    }

    /// The list's `iat`.
    pub fn issued_at(&self) -> i64 {
        self.issued_at
    }

    /// The list's `exp`, if it has one.
    pub fn expires_at(&self) -> Option<i64> {
        self.expires_at
    }

    /// The list's `ttl` in seconds, clamped to 5 s … 1 day; `None` when the list has none.
    pub fn ttl(&self) -> Option<u64> {
        self.ttl.map(clamp_ttl)
    }
}
