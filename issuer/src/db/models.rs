//! Rows as Rust structs.

#![allow(missing_docs)]

use diesel::prelude::*;

use super::schema::{
    audit_events, portal_sessions, signing_keys, status_events, status_lists, tokens,
    webhook_attempts, webhook_deliveries, webhooks, workspaces,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = workspaces)]
pub struct WorkspaceRow {
    pub id: String,
    pub max_expiry_days: Option<i64>,
    pub created_at: i64,
    /// Display name (the product's name for its customer); `None` when not given.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct KeyRow {
    pub kid: String,
    pub alg: String,
    pub public_jwk: String,
    pub private_key: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    /// When it starts signing (`None` only for rows written before the column existed).
    pub activates_at: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = status_lists)]
pub struct ListRow {
    pub id: String,
    pub seq: i64,
    pub capacity: i64,
    pub used: i64,
    pub version: i64,
    pub created_at: i64,
    /// base64url of the permutation key; `None` for lists made before it existed (closed).
    pub perm_key: Option<String>,
}

/// `Serialize` gives the field names as the column names: PostgreSQL mints insert rows sent as
/// JSON ([`crate::db::queries::tokens::insert_with_events`]).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = tokens)]
pub struct TokenRow {
    pub id: String,
    pub workspace: String,
    pub subject: String,
    pub name: String,
    pub description: String,
    pub scopes: String,
    pub hint: String,
    pub kid: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub lifetime_secs: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revokes_at: Option<i64>,
    pub rotated_from: Option<String>,
    pub rotated_to: Option<String>,
    pub created_by: Option<String>,
    pub status_list: String,
    pub status_idx: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: String,
    pub workspace: String,
    pub at: i64,
    pub action: String,
    pub token_id: Option<String>,
    pub actor_token: Option<String>,
    pub actor_subject: Option<String>,
    pub detail: String,
    /// 1 while a webhook delivery may still be made of it (the outbox mark), else `None`.
    pub webhook_pending: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = status_events)]
pub struct EventRow {
    pub seq: i64,
    pub list: String,
    pub version: i64,
    pub indexes: String,
    pub at: i64,
    /// `status` (a list changed) or `keys` (the published keys changed).
    pub kind: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = portal_sessions)]
pub struct PortalSessionRow {
    pub id: String,
    pub code_hash: String,
    pub secret_hash: Option<String>,
    pub workspace: String,
    pub subject: String,
    pub role: String,
    pub scopes: String,
    pub return_url: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub code_expires_at: i64,
    pub exchanged_at: Option<i64>,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: String,
    pub workspace: Option<String>,
    pub url: String,
    pub events: String,
    pub description: String,
    pub secret: String,
    pub created_at: i64,
    pub created_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    pub token_id: Option<String>,
    pub body: String,
    pub created_at: i64,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub webhook_id: String,
    pub event_id: String,
    pub attempt: i64,
    pub at: i64,
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}
