//! Tokens: who may do what ([`Caller`]), signing ([`sign`]), the operations themselves
//! ([`service`]: create, revoke, rotate, all-or-nothing and race-free) and why they fail
//! ([`error`]; `problem.rs` makes that HTTP), their limits ([`caps`], [`text`], [`requests`])
//! and what the API shows of them ([`view`]).

pub mod caps;
pub mod error;
pub mod requests;
pub mod service;
pub mod text;
pub mod view;

use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Value};

use crate::config::Config;
use crate::db::models::{AuditRow, TokenRow};
use crate::keys::SigningKey;
use crate::status::{self, Slot};
pub use error::ServiceError;

/// Who is calling, from their verified token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The caller token's `jti`.
    pub token_id: String,
    /// `sub`.
    pub subject: String,
    /// `ws`.
    pub workspace: String,
    /// `scope`, expanded.
    pub scopes: Vec<String>,
    /// `exp`; `None` for a token that never expires. What it creates cannot outlive it.
    pub expires_at: Option<i64>,
    /// A portal session (not a token) ends at this time; `None` for tokens. Tokens a session
    /// creates may outlive it, as tokens created from a product's web session do.
    pub session_expires_at: Option<i64>,
}

impl Caller {
    /// True when the caller's token carries `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// True with `tokens:admin`: every token of the workspace is in reach.
    pub fn is_admin(&self) -> bool {
        self.has(crate::scopes::TOKENS_ADMIN)
    }

    /// True when the caller may see `row`.
    pub fn can_see(&self, row: &TokenRow) -> bool {
        row.workspace == self.workspace && (self.is_admin() || row.subject == self.subject)
    }
}

/// Everything a new token needs, already validated and authorized.
#[derive(Debug, Clone)]
pub struct MintSpec {
    /// Workspace.
    pub workspace: String,
    /// Subject.
    pub subject: String,
    /// Name (trimmed).
    pub name: String,
    /// Description.
    pub description: String,
    /// Scopes, expanded by implications.
    pub scopes: Vec<String>,
    /// Lifetime in seconds; `None` = never expires.
    pub lifetime_secs: Option<i64>,
    /// The creating token's `exp`: the new token's expiry is cut to it (a token never outlives
    /// its maker). `None`: no such limit.
    pub not_after: Option<i64>,
    /// The minting token's id (None for the CLI and bootstrap).
    pub created_by: Option<String>,
    /// The token this one replaces (rotation).
    pub rotated_from: Option<String>,
    /// A platform credential: audience `gatepass:platform` instead of the deployment's, so
    /// product APIs refuse it.
    pub platform: bool,
}

/// A fresh id: `prefix` + 26 Crockford base32 characters (48-bit time in ms, 80 random bits),
/// so ids sort by creation time. Within this process they strictly increase, also within one
/// millisecond (a random step up from the last one, as monotonic ULIDs do): audit events
/// raised one after the other in the same millisecond keep their order, and webhooks deliver
/// a token's events in id order.
pub fn new_id(prefix: &str) -> String {
    static LAST: std::sync::Mutex<u128> = std::sync::Mutex::new(0);
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let mut random = [0u8; 10];
    let _ = SystemRandom::new().fill(&mut random);
    let mut value: u128 = (millis & 0xFFFF_FFFF_FFFF) << 80;
    for (i, b) in random.iter().enumerate() {
        value |= u128::from(*b) << (8 * (9 - i));
    }
    if let Ok(mut last) = LAST.lock() {
        if value <= *last {
            // Same millisecond (or the clock stepped back): a step of 1 to 2^32 past the last.
            value = *last + 1 + (value & 0xFFFF_FFFF);
        }
        *last = value;
    }
    let mut out = String::with_capacity(prefix.len() + 26);
    out.push_str(prefix);
    for i in (0..26).rev() {
        out.push(ALPHABET[((value >> (i * 5)) & 31) as usize] as char);
    }
    out
}

/// What lists show instead of the secret: the prefix, `…`, and the last 4 characters.
pub fn hint(prefix: &str, secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{prefix}…{tail}")
}

/// Signs a token for `spec` with id `id`, its status at `slot`; returns the secret (shown
/// once, never stored) and the row to store. No I/O: the service allocates and stores.
///
/// # Errors
/// Signing failed.
pub fn sign(
    config: &Config,
    key: &SigningKey,
    spec: &MintSpec,
    id: String,
    slot: Slot,
    now: i64,
) -> Result<(String, TokenRow), crate::keys::SignerError> {
    let expires_at = spec.lifetime_secs.map(|l| now.saturating_add(l));
    let mut claims = json!({
        "iss": config.issuer_url,
        "sub": spec.subject,
        "ws": spec.workspace,
        "scope": spec.scopes.join(" "),
        "iat": now,
        "jti": id,
        "status": {"status_list": {"idx": slot.idx, "uri": status::uri(&config.issuer_url, &slot.list)}},
    });
    if let Some(exp) = expires_at {
        claims["exp"] = json!(exp);
    }
    match config.audiences.as_slice() {
        _ if spec.platform => claims["aud"] = json!(crate::scopes::PLATFORM_AUDIENCE),
        [] => {}
        [one] => claims["aud"] = json!(one),
        many => claims["aud"] = json!(many),
    }
    let jws = key.sign_jws(gatepass::TOKEN_TYPE, &claims)?;
    let secret = format!("{}{jws}", config.token_prefix);
    let row = TokenRow {
        id,
        workspace: spec.workspace.clone(),
        subject: spec.subject.clone(),
        name: spec.name.clone(),
        description: spec.description.clone(),
        scopes: spec.scopes.join(" "),
        hint: hint(&config.token_prefix, &secret),
        kid: key.kid().to_owned(),
        created_at: now,
        expires_at,
        lifetime_secs: spec.lifetime_secs,
        last_used_at: None,
        revoked_at: None,
        revokes_at: None,
        rotated_from: spec.rotated_from.clone(),
        rotated_to: None,
        created_by: spec.created_by.clone(),
        status_list: slot.list,
        status_idx: slot.idx,
    };
    Ok((secret, row))
}

/// An audit event, to be stored in the transaction of the change it records.
pub fn audit_event(
    workspace: &str,
    action: &str,
    token_id: Option<&str>,
    actor: Option<&Caller>,
    detail: Value,
    now: i64,
) -> AuditRow {
    AuditRow {
        id: new_id("evt_"),
        workspace: workspace.to_owned(),
        at: now,
        action: action.to_owned(),
        token_id: token_id.map(str::to_owned),
        actor_token: actor.map(|a| a.token_id.clone()),
        actor_subject: actor.map(|a| a.subject.clone()),
        detail: detail.to_string(),
        webhook_pending: crate::webhooks::is_event(action).then_some(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_are_unique() {
        let a = new_id("tok_");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id("tok_");
        assert!(a < b);
        assert_eq!(a.len(), 30);
        assert_ne!(new_id("tok_"), new_id("tok_"));
    }

    /// Ids made one after the other in the same millisecond still sort in the order they were
    /// made (before, their order was random: a token's webhook events could go out swapped).
    #[test]
    fn ids_made_in_one_millisecond_keep_their_order() {
        let ids: Vec<String> = (0..10_000).map(|_| new_id("evt_")).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "strictly increasing");
    }

    #[test]
    fn hint_shows_prefix_and_last_four() {
        assert_eq!(hint("gp_", "gp_abc.def.x7Qa"), "gp_…x7Qa");
    }
}
