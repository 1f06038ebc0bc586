//! What the API returns about tokens (docs/api.md). Typed, so the OpenAPI document describes
//! exactly what is serialized. Token info never holds the secret; only [`NewToken`] does,
//! once, in the answer that created it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::models::TokenRow;
use crate::state::rfc3339;

/// A token's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    /// Works.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked (final).
    Revoked,
}

/// Token info. Times are RFC 3339 UTC; null means never / not yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenInfo {
    /// Token id (the `jti`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The user the token acts for.
    pub subject: String,
    /// Its workspace.
    pub workspace: String,
    /// Scopes, implications included.
    pub scopes: Vec<String>,
    /// Prefix, `…` and the last 4 characters of the secret.
    pub hint: String,
    /// Created.
    pub created_at: String,
    /// Expires; null = never.
    pub expires_at: Option<String>,
    /// Last used; null = never.
    pub last_used_at: Option<String>,
    /// Revoked.
    pub revoked_at: Option<String>,
    /// A pending revocation (end of a rotation's grace period).
    pub revokes_at: Option<String>,
    /// The token this one replaced.
    pub rotated_from: Option<String>,
    /// The token that replaced this one.
    pub rotated_to: Option<String>,
    /// State now.
    pub status: TokenStatus,
    /// Id of the token that created it (null: CLI or bootstrap).
    pub created_by: Option<String>,
}

/// A new token: the secret, shown this once, and its info.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewToken {
    /// The secret. Store it now: it is never shown again.
    pub token: String,
    /// Its info.
    #[serde(flatten)]
    pub info: TokenInfo,
    /// Rotation only: the replaced token's info.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<TokenInfo>,
    /// Set when the expiry was cut short: `workspace` (its maximum expiry) or `creator` (a
    /// token never outlives the token that created it). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_capped_by: Option<super::caps::CappedBy>,
}

/// The answer for a token just made: the secret, once, with its info.
pub fn created(c: &super::service::Created, now: i64) -> NewToken {
    NewToken {
        token: c.secret.clone(),
        info: info(&c.row, now),
        previous: None,
        expiry_capped_by: c.capped_by,
    }
}

/// The state of `row` at `now`.
pub fn status(row: &TokenRow, now: i64) -> TokenStatus {
    if row.revoked_at.is_some() {
        TokenStatus::Revoked
    } else if row.expires_at.is_some_and(|exp| exp <= now) {
        TokenStatus::Expired
    } else {
        TokenStatus::Active
    }
}

/// The info of `row` at `now`.
pub fn info(row: &TokenRow, now: i64) -> TokenInfo {
    TokenInfo {
        id: row.id.clone(),
        name: row.name.clone(),
        description: row.description.clone(),
        subject: row.subject.clone(),
        workspace: row.workspace.clone(),
        scopes: row
            .scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        hint: row.hint.clone(),
        created_at: rfc3339(row.created_at),
        expires_at: row.expires_at.map(rfc3339),
        last_used_at: row.last_used_at.map(rfc3339),
        revoked_at: row.revoked_at.map(rfc3339),
        revokes_at: row.revokes_at.map(rfc3339),
        rotated_from: row.rotated_from.clone(),
        rotated_to: row.rotated_to.clone(),
        status: status(row, now),
        created_by: row.created_by.clone(),
    }
}

/// A page of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPage {
    /// Newest first.
    pub tokens: Vec<TokenInfo>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /v1/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The presented token's id.
    pub token_id: String,
    /// Its name.
    pub name: String,
    /// Its subject.
    pub subject: String,
    /// Its workspace.
    pub workspace: String,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// Its expiry; null = never.
    pub expires_at: Option<String>,
}

/// Result of a batch revoke.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedBatch {
    /// Every listed token, now revoked.
    pub revoked: Vec<TokenInfo>,
}

/// Result of a batch rotate.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedBatch {
    /// The new tokens, each secret shown this once.
    pub rotated: Vec<NewToken>,
}
