//! The token info the API returns (SPEC §4), from a stored row. Never holds the secret.

use serde_json::{json, Value};

use crate::db::models::TokenRow;
use crate::state::rfc3339;

/// `active`, `expired` or `revoked`.
pub fn status(row: &TokenRow, now: i64) -> &'static str {
    if row.revoked_at.is_some() {
        "revoked"
    } else if row.expires_at.is_some_and(|exp| exp <= now) {
        "expired"
    } else {
        "active"
    }
}

/// The token info object.
pub fn info(row: &TokenRow, now: i64) -> Value {
    let time = |t: Option<i64>| t.map(rfc3339);
    json!({
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "subject": row.subject,
        "workspace": row.workspace,
        "scopes": row.scopes.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        "hint": row.hint,
        "created_at": rfc3339(row.created_at),
        "expires_at": time(row.expires_at),
        "last_used_at": time(row.last_used_at),
        "revoked_at": time(row.revoked_at),
        "revokes_at": time(row.revokes_at),
        "rotated_from": row.rotated_from,
        "rotated_to": row.rotated_to,
        "status": status(row, now),
        "created_by": row.created_by,
    })
}
