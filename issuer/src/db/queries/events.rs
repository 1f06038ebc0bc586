//! `status_events` and `event_head`: the push channel's log, in commit order.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::db::models::EventRow;
use crate::db::schema::{event_head, status_events};
use crate::db::{DbConn, DbError};

/// The PostgreSQL channel every replica listens on; a notification only says "read the log".
pub const CHANNEL: &str = "gatepass_status";

/// The kind of an event about a list.
pub const STATUS: &str = "status";
/// The kind of an event about the published keys (its `list` is empty).
pub const KEYS: &str = "keys";

/// Appends one event per `(list, version, indexes)` (an empty `list`: the keys changed) and
/// wakes the replicas. Call it as the last
/// write of the transaction: the `event_head` row it updates stays locked until commit, so
/// sequence numbers become visible in order, without gaps.
///
/// # Errors
/// Storage failed.
pub fn append(
    conn: &mut DbConn,
    changes: &[(String, i64, Vec<i64>)],
    now: i64,
) -> Result<(), DbError> {
    if changes.is_empty() {
        return Ok(());
    }
    let count = changes.len() as i64;
    let head: i64 = diesel::update(event_head::table.find(1))
        .set(event_head::seq.eq(event_head::seq + count))
        .returning(event_head::seq)
        .get_result(conn)?;
    let rows: Vec<EventRow> = changes
        .iter()
        .enumerate()
        .map(|(i, (list, version, indexes))| EventRow {
            kind: if list.is_empty() {
                KEYS.into()
            } else {
                STATUS.into()
            },
            seq: head - count + 1 + i as i64,
            list: list.clone(),
            version: *version,
            indexes: indexes
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            at: now,
        })
        .collect();
    for row in &rows {
        diesel::insert_into(status_events::table)
            .values(row)
            .execute(conn)?;
    }
    if let DbConn::Postgres(pg) = conn {
        // Delivered at commit, to every replica's listener.
        pg.batch_execute(&format!("NOTIFY {CHANNEL}"))?;
    }
    Ok(())
}

/// The sequence number of the last committed event.
///
/// # Errors
/// Storage failed.
pub fn head(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(event_head::table
        .find(1)
        .select(event_head::seq)
        .first(conn)?)
}

/// Up to `limit` events after `seq`, in order.
///
/// # Errors
/// Storage failed.
pub fn after(conn: &mut DbConn, seq: i64, limit: i64) -> Result<Vec<EventRow>, DbError> {
    Ok(status_events::table
        .filter(status_events::seq.gt(seq))
        .order(status_events::seq.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?)
}

/// The events of list `list` with versions `after < version <= upto`, by version (index
/// `status_events_by_list`).
///
/// # Errors
/// Storage failed.
pub fn of_list(
    conn: &mut DbConn,
    list: &str,
    after: i64,
    upto: i64,
) -> Result<Vec<EventRow>, DbError> {
    Ok(status_events::table
        .filter(status_events::list.eq(list))
        .filter(status_events::version.gt(after))
        .filter(status_events::version.le(upto))
        .order(status_events::version.asc())
        .select(EventRow::as_select())
        .load(conn)?)
}

/// The oldest event kept (`None`: none is).
///
/// # Errors
/// Storage failed.
pub fn oldest(conn: &mut DbConn) -> Result<Option<i64>, DbError> {
    Ok(status_events::table
        .select(diesel::dsl::min(status_events::seq))
        .first(conn)?)
}

/// Deletes events older than the newest `keep`; returns how many.
///
/// # Errors
/// Storage failed.
pub fn prune(conn: &mut DbConn, keep: i64) -> Result<usize, DbError> {
    let head = head(conn)?;
    Ok(
        diesel::delete(status_events::table.filter(status_events::seq.le(head - keep)))
            .execute(conn)?,
    )
}

/// Announces that the published keys changed (a key was added or retired), in its own
/// transaction: verifiers fetch the JWKS at once, replicas reload their keys.
///
/// # Errors
/// Storage failed.
pub fn announce_keys(conn: &mut DbConn, now: i64) -> Result<(), DbError> {
    crate::db::write_tx(conn, |c| append(c, &[(String::new(), 0, Vec::new())], now))
}
