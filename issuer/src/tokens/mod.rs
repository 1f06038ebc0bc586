//! Tokens: minting (claims, signature, status slot), revocation, rotation and the audit trail.
//! Functions here take a connection and run inside the caller's transaction.

pub mod requests;
pub mod view;

use diesel::Connection;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Value};

use crate::config::Config;
use crate::db::models::{AuditRow, TokenRow};
use crate::db::queries::{audit as audit_q, lists as list_q, tokens as token_q};
use crate::db::{is_unique_violation, DbConn, DbError};
use crate::keys::SigningKey;
use crate::status;

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
    /// The minting token's id (None for the CLI and bootstrap).
    pub created_by: Option<String>,
    /// The token this one replaces (rotation).
    pub rotated_from: Option<String>,
}

/// A fresh token id: `tok_` + 26 Crockford base32 characters (48-bit time in ms, 80 random bits),
/// so ids sort by creation time.
pub fn new_id(prefix: &str) -> String {
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

/// Mints a token: allocates a status slot (retrying on a taken index), signs, stores.
/// Returns the secret (shown once, never stored) and the stored row.
///
/// # Errors
/// Storage failed, or no free index after many tries.
pub fn mint(
    conn: &mut DbConn,
    config: &Config,
    key: &SigningKey,
    spec: &MintSpec,
    now: i64,
) -> Result<(String, TokenRow), DbError> {
    for _ in 0..32 {
        let slot = status::allocate(conn, config.status_list_capacity, now)?;
        let id = new_id("tok_");
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
            [] => {}
            [one] => claims["aud"] = json!(one),
            many => claims["aud"] = json!(many),
        }
        let jws = key
            .sign_jws(gatepass::TOKEN_TYPE, &claims)
            .map_err(|e| DbError::Unavailable(format!("signing failed: {e}")))?;
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
        // A savepoint, so a taken index does not abort the surrounding transaction (PostgreSQL).
        match conn.transaction(|c| token_q::insert(c, &row)) {
            Ok(()) => {
                crate::metrics::METRICS.minted.inc();
                return Ok((secret, row));
            }
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(DbError::Unavailable(
        "no free status index after 32 tries".into(),
    ))
}

/// Revokes `id` (in list `list`) and marks the list changed. Idempotent.
///
/// # Errors
/// Storage failed.
pub fn revoke_in_tx(
    conn: &mut DbConn,
    id: &str,
    list: &str,
    now: i64,
    actor: Option<&Caller>,
) -> Result<bool, DbError> {
    let changed = token_q::revoke(conn, id, now)?;
    if changed {
        crate::metrics::METRICS.revoked.inc();
        list_q::bump_version(conn, list)?;
        if let Some(row) = token_q::get(conn, id)? {
            let detail = if actor.is_none() {
                json!({"reason": "grace period ended"})
            } else {
                json!({})
            };
            audit(
                conn,
                &row.workspace,
                "token.revoked",
                Some(id),
                actor,
                detail,
                now,
            )?;
        }
    }
    Ok(changed)
}

/// Records an audit event.
///
/// # Errors
/// Storage failed.
pub fn audit(
    conn: &mut DbConn,
    workspace: &str,
    action: &str,
    token_id: Option<&str>,
    actor: Option<&Caller>,
    detail: Value,
    now: i64,
) -> Result<(), DbError> {
    audit_q::insert(
        conn,
        &AuditRow {
            id: new_id("evt_"),
            workspace: workspace.to_owned(),
            at: now,
            action: action.to_owned(),
            token_id: token_id.map(str::to_owned),
            actor_token: actor.map(|a| a.token_id.clone()),
            actor_subject: actor.map(|a| a.subject.clone()),
            detail: detail.to_string(),
        },
    )
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

    #[test]
    fn hint_shows_prefix_and_last_four() {
        assert_eq!(hint("gp_", "gp_abc.def.x7Qa"), "gp_…x7Qa");
    }
}
