//! From the outbox to deliveries: audit events marked for webhooks become one delivery per
//! endpoint that wants them, and lose the mark, in one transaction. Two replicas may try the
//! same events; the one that clears fewer marks than it read rolls back, so no event is
//! delivered twice to one endpoint (the delivery's key is `(webhook, event)` besides).
//!
//! The body is fixed here, once: what it says of the token is what held when the event
//! happened (a token's name, scopes and expiry never change; the event adds what did).

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{TOKEN_EXPIRING, TOKEN_REVOKED, TOKEN_ROTATED};
use crate::db::models::{AuditRow, DeliveryRow, TokenRow, WebhookRow};
use crate::db::queries::{tokens as tokens_q, webhooks as q};
use crate::db::{self, DbConn, DbError, TxError};
use crate::scopes::PLATFORM_WORKSPACE;
use crate::state::rfc3339;

/// Events turned into deliveries per transaction.
const BATCH: i64 = 500;

/// How a round can end without delivering.
enum Stop {
    /// Storage failed.
    Db(DbError),
    /// Another replica took some of these events first: nothing was written.
    Raced,
}

impl From<DbError> for Stop {
    fn from(e: DbError) -> Self {
        Stop::Db(e)
    }
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Db(e.into())
    }
}

impl TxError for Stop {
    fn is_transient(&self) -> bool {
        matches!(self, Stop::Db(e) if e.is_transient())
    }
}

/// Turns up to 500 marked events into deliveries; returns how many events it handled
/// (0 when there were none, or another replica was handling them).
///
/// # Errors
/// Storage failed.
pub fn fan_out(conn: &mut DbConn, now: i64) -> Result<usize, DbError> {
    let result = db::write_tx(conn, |c| {
        let events = q::pending_events(c, BATCH)?;
        if events.is_empty() {
            return Ok(0);
        }
        let hooks = q::list(c, None)?;
        let mut deliveries = Vec::new();
        if !hooks.is_empty() {
            let mut ids: Vec<String> = events.iter().filter_map(|e| e.token_id.clone()).collect();
            ids.sort();
            ids.dedup();
            let tokens: HashMap<String, TokenRow> = tokens_q::get_many(c, &ids)?
                .into_iter()
                .map(|t| (t.id.clone(), t))
                .collect();
            for event in &events {
                let token = event.token_id.as_ref().and_then(|id| tokens.get(id));
                let Some(token) = token else { continue };
                let body = body(event, token).to_string();
                for hook in hooks.iter().filter(|h| wants(h, event)) {
                    deliveries.push(DeliveryRow {
                        webhook_id: hook.id.clone(),
                        event_id: event.id.clone(),
                        event_type: event.action.clone(),
                        token_id: Some(token.id.clone()),
                        body: body.clone(),
                        created_at: event.at,
                        state: q::PENDING.into(),
                        attempts: 0,
                        next_attempt_at: Some(now),
                        last_attempt_at: None,
                        last_status: None,
                        last_error: None,
                        delivered_at: None,
                    });
                }
            }
        }
        let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
        if q::clear_pending(c, &ids)? != ids.len() {
            return Err(Stop::Raced);
        }
        q::insert_deliveries(c, &deliveries)?;
        Ok(events.len())
    });
    match result {
        Ok(n) => Ok(n),
        Err(Stop::Raced) => Ok(0),
        Err(Stop::Db(e)) => Err(e),
    }
}

/// True when `hook` asked for this event: its type, its workspace (or every one: not the
/// platform's own credentials), and it was registered before the event (both ids begin with
/// their millisecond).
fn wants(hook: &WebhookRow, event: &AuditRow) -> bool {
    let registered = hook.id.strip_prefix("wh_").unwrap_or(&hook.id);
    let happened = event.id.strip_prefix("evt_").unwrap_or(&event.id);
    registered < happened
        && event.workspace != PLATFORM_WORKSPACE
        && hook
            .workspace
            .as_deref()
            .is_none_or(|ws| ws == event.workspace)
        && hook.events.split(' ').any(|e| e == event.action)
}

/// The delivery body (docs/webhooks.md#events): `{"type", "timestamp", "data"}`, `data` being
/// the token as it was at the event, never its secret.
pub fn body(event: &AuditRow, token: &TokenRow) -> Value {
    let detail: Value = serde_json::from_str(&event.detail).unwrap_or(Value::Null);
    let mut data = Map::new();
    data.insert("id".into(), json!(token.id));
    data.insert("workspace".into(), json!(token.workspace));
    data.insert("subject".into(), json!(token.subject));
    data.insert("name".into(), json!(token.name));
    data.insert("description".into(), json!(token.description));
    data.insert(
        "scopes".into(),
        json!(token
            .scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()),
    );
    data.insert("hint".into(), json!(token.hint));
    data.insert("created_at".into(), json!(rfc3339(token.created_at)));
    data.insert("expires_at".into(), json!(token.expires_at.map(rfc3339)));
    data.insert("rotated_from".into(), json!(token.rotated_from));
    match event.action.as_str() {
        TOKEN_REVOKED => {
            data.insert("revoked_at".into(), json!(rfc3339(event.at)));
            if let Some(reason) = detail.get("reason") {
                data.insert("reason".into(), reason.clone());
            }
        }
        TOKEN_ROTATED => {
            let grace = detail
                .get("grace_period_seconds")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            data.insert(
                "rotated_to".into(),
                detail.get("new_token").cloned().unwrap_or(Value::Null),
            );
            data.insert("grace_period_seconds".into(), json!(grace));
            let old_ends = if grace > 0 {
                "revokes_at"
            } else {
                "revoked_at"
            };
            data.insert(old_ends.into(), json!(rfc3339(event.at + grace)));
        }
        TOKEN_EXPIRING => {
            data.insert(
                "expires_in_days".into(),
                detail
                    .get("expires_in_days")
                    .cloned()
                    .unwrap_or(Value::Null),
            );
        }
        _ => {}
    }
    let actor = match (&event.actor_subject, &event.actor_token) {
        (None, None) => Value::Null,
        (subject, token) => json!({"subject": subject, "token_id": token}),
    };
    data.insert("actor".into(), actor);
    json!({"type": event.action, "timestamp": rfc3339(event.at), "data": data})
}
