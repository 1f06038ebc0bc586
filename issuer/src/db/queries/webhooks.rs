//! `webhooks`, `webhook_deliveries`, `webhook_attempts`, the outbox mark on `audit_events` and
//! `notice_clock`.

use diesel::prelude::*;

use crate::db::models::{AttemptRow, AuditRow, DeliveryRow, TokenRow, WebhookRow};
use crate::db::schema::{audit_events, notice_clock, tokens, webhook_attempts as at};
use crate::db::schema::{webhook_deliveries as wd, webhooks as wh};
use crate::db::{DbConn, DbError};

/// A delivery waiting for its next attempt.
pub const PENDING: &str = "pending";
/// A delivery the endpoint accepted (2xx).
pub const DELIVERED: &str = "delivered";
/// A delivery given up after the retry period.
pub const FAILED: &str = "failed";

/// Registers an endpoint.
pub fn insert(conn: &mut DbConn, row: &WebhookRow) -> Result<(), DbError> {
    diesel::insert_into(wh::table).values(row).execute(conn)?;
    Ok(())
}

/// One endpoint.
pub fn get(conn: &mut DbConn, id: &str) -> Result<Option<WebhookRow>, DbError> {
    Ok(wh::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?)
}

/// Endpoints by creation: those of `workspace` (not the platform-wide ones), or every one.
pub fn list(conn: &mut DbConn, workspace: Option<&str>) -> Result<Vec<WebhookRow>, DbError> {
    let mut query = wh::table.into_boxed();
    if let Some(ws) = workspace {
        query = query.filter(wh::workspace.eq(ws.to_owned()));
    }
    Ok(query
        .order((wh::created_at.asc(), wh::id.asc()))
        .select(WebhookRow::as_select())
        .load(conn)?)
}

/// Removes an endpoint with its deliveries and their attempts; false when it did not exist.
pub fn delete(conn: &mut DbConn, id: &str) -> Result<bool, DbError> {
    diesel::delete(at::table.filter(at::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(wd::table.filter(wd::webhook_id.eq(id))).execute(conn)?;
    Ok(diesel::delete(wh::table.find(id)).execute(conn)? == 1)
}

/// The oldest audit events still marked for webhooks.
pub fn pending_events(conn: &mut DbConn, limit: i64) -> Result<Vec<AuditRow>, DbError> {
    Ok(audit_events::table
        .filter(audit_events::webhook_pending.is_not_null())
        .order(audit_events::id.asc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}

/// Clears the outbox mark of `ids`; returns how many were still marked (fewer than `ids` means
/// another replica handled some of them first).
pub fn clear_pending(conn: &mut DbConn, ids: &[String]) -> Result<usize, DbError> {
    Ok(diesel::update(
        audit_events::table
            .filter(audit_events::id.eq_any(ids))
            .filter(audit_events::webhook_pending.is_not_null()),
    )
    .set(audit_events::webhook_pending.eq(None::<i64>))
    .execute(conn)?)
}

/// Stores deliveries: a few hundred rows per statement on PostgreSQL, row by row on SQLite.
pub fn insert_deliveries(conn: &mut DbConn, rows: &[DeliveryRow]) -> Result<(), DbError> {
    match conn {
        DbConn::Postgres(pg) => {
            for chunk in rows.chunks(500) {
                diesel::insert_into(wd::table).values(chunk).execute(pg)?;
            }
        }
        DbConn::Sqlite(lite) => {
            for row in rows {
                diesel::insert_into(wd::table).values(row).execute(lite)?;
            }
        }
    }
    Ok(())
}

/// Pending deliveries whose time has come, soonest first.
pub fn due(conn: &mut DbConn, now: i64, limit: i64) -> Result<Vec<DeliveryRow>, DbError> {
    Ok(wd::table
        .filter(wd::state.eq(PENDING))
        .filter(wd::next_attempt_at.le(now))
        .order((wd::next_attempt_at.asc(), wd::event_id.asc()))
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// `(webhook_id, token_id, event_id, next_attempt_at)` of every pending delivery about one of
/// `token_ids`: what must go out before a later event of the same token.
pub fn pending_of_tokens(
    conn: &mut DbConn,
    token_ids: &[String],
) -> Result<Vec<PendingRef>, DbError> {
    Ok(wd::table
        .filter(wd::state.eq(PENDING))
        .filter(wd::token_id.eq_any(token_ids))
        .select((
            wd::webhook_id,
            wd::token_id,
            wd::event_id,
            wd::next_attempt_at,
        ))
        .load(conn)?)
}

/// `(webhook_id, token_id, event_id, next_attempt_at)` of a pending delivery.
pub type PendingRef = (String, Option<String>, String, Option<i64>);

/// Moves a pending delivery that must wait for an earlier one of its token to `until`, if it
/// is still as read (so waiting deliveries do not crowd the due ones out).
pub fn defer(conn: &mut DbConn, row: &DeliveryRow, until: i64) -> Result<(), DbError> {
    diesel::update(
        wd::table
            .find((&row.webhook_id, &row.event_id))
            .filter(wd::state.eq(PENDING))
            .filter(wd::next_attempt_at.eq(row.next_attempt_at)),
    )
    .set(wd::next_attempt_at.eq(until))
    .execute(conn)?;
    Ok(())
}

/// Takes a delivery for one attempt: moves its next attempt to `lease_until` and counts the
/// attempt, only if it is still pending with the `next_attempt_at` read (so one replica wins).
pub fn claim(
    conn: &mut DbConn,
    row: &DeliveryRow,
    now: i64,
    lease_until: i64,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        wd::table
            .find((&row.webhook_id, &row.event_id))
            .filter(wd::state.eq(PENDING))
            .filter(wd::next_attempt_at.eq(row.next_attempt_at))
            .filter(wd::attempts.eq(row.attempts)),
    )
    .set((
        wd::attempts.eq(row.attempts + 1),
        wd::next_attempt_at.eq(lease_until),
        wd::last_attempt_at.eq(now),
    ))
    .execute(conn)?
        == 1)
}

/// What an attempt changed: the new state and when to try next (`None` when settled).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `delivered`, `failed` or still `pending`.
    pub state: &'static str,
    /// The next attempt, for a pending delivery.
    pub next_attempt_at: Option<i64>,
    /// When it was delivered.
    pub delivered_at: Option<i64>,
}

/// Records attempt number `attempt.attempt` and its outcome, if the delivery was not taken
/// again since (a lease that ran out): the attempt is kept either way. When the delivery is
/// settled, the next events of its token (`token_id`) to this endpoint, deferred behind it, are
/// due at once.
pub fn record(
    conn: &mut DbConn,
    attempt: &AttemptRow,
    outcome: &Outcome,
    token_id: Option<&str>,
) -> Result<(), DbError> {
    diesel::insert_into(at::table)
        .values(attempt)
        .execute(conn)?;
    diesel::update(
        wd::table
            .find((&attempt.webhook_id, &attempt.event_id))
            .filter(wd::state.eq(PENDING))
            .filter(wd::attempts.eq(attempt.attempt)),
    )
    .set((
        wd::state.eq(outcome.state),
        wd::next_attempt_at.eq(outcome.next_attempt_at),
        wd::delivered_at.eq(outcome.delivered_at),
        wd::last_status.eq(attempt.status),
        wd::last_error.eq(attempt.error.as_deref()),
    ))
    .execute(conn)?;
    if let (Some(token), true) = (token_id, outcome.state != PENDING) {
        diesel::update(
            wd::table
                .filter(wd::webhook_id.eq(&attempt.webhook_id))
                .filter(wd::token_id.eq(token))
                .filter(wd::state.eq(PENDING))
                .filter(wd::next_attempt_at.gt(attempt.at)),
        )
        .set(wd::next_attempt_at.eq(attempt.at))
        .execute(conn)?;
    }
    Ok(())
}

/// Deliveries of one endpoint, newest first, after the cursor `(created_at, event_id)`.
pub fn deliveries_page(
    conn: &mut DbConn,
    webhook_id: &str,
    state: Option<&str>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, DbError> {
    let mut query = wd::table
        .filter(wd::webhook_id.eq(webhook_id.to_owned()))
        .into_boxed();
    if let Some(state) = state {
        query = query.filter(wd::state.eq(state.to_owned()));
    }
    if let Some((t, id)) = after {
        query = query.filter(
            wd::created_at
                .lt(t)
                .or(wd::created_at.eq(t).and(wd::event_id.lt(id))),
        );
    }
    Ok(query
        .order((wd::created_at.desc(), wd::event_id.desc()))
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// The attempts of some deliveries of one endpoint.
pub fn attempts(
    conn: &mut DbConn,
    webhook_id: &str,
    event_ids: &[String],
) -> Result<Vec<AttemptRow>, DbError> {
    Ok(at::table
        .filter(at::webhook_id.eq(webhook_id.to_owned()))
        .filter(at::event_id.eq_any(event_ids))
        .order((at::event_id.asc(), at::attempt.asc()))
        .select(AttemptRow::as_select())
        .load(conn)?)
}

/// The time up to which expiry notices were raised; `None` before the first round.
pub fn notices_until(conn: &mut DbConn) -> Result<Option<i64>, DbError> {
    Ok(notice_clock::table
        .find(1)
        .select(notice_clock::until_at)
        .first(conn)
        .optional()?)
}

/// Starts the notice clock at `at` (no notices for what came before); false when a replica
/// started it first. In a savepoint of its own, so the losing insert spoils no transaction.
pub fn start_notices(conn: &mut DbConn, at: i64) -> Result<bool, DbError> {
    let inserted = conn.transaction(|c| {
        diesel::insert_into(notice_clock::table)
            .values((notice_clock::id.eq(1), notice_clock::until_at.eq(at)))
            .execute(c)
            .map_err(DbError::from)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if crate::db::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Moves the notice clock from `from` to `to`; false when another replica moved it first.
pub fn advance_notices(conn: &mut DbConn, from: i64, to: i64) -> Result<bool, DbError> {
    Ok(diesel::update(
        notice_clock::table
            .find(1)
            .filter(notice_clock::until_at.eq(from)),
    )
    .set(notice_clock::until_at.eq(to))
    .execute(conn)?
        == 1)
}

/// Live tokens (not revoked, not rotated away) whose expiry lies in `(after, until]`.
pub fn expiring_between(
    conn: &mut DbConn,
    after: i64,
    until: i64,
) -> Result<Vec<TokenRow>, DbError> {
    Ok(tokens::table
        .filter(tokens::expires_at.gt(after))
        .filter(tokens::expires_at.le(until))
        .filter(tokens::revoked_at.is_null())
        .filter(tokens::rotated_to.is_null())
        .order((tokens::expires_at.asc(), tokens::id.asc()))
        .select(TokenRow::as_select())
        .load(conn)?)
}
