//! `audit_events`.

use diesel::prelude::*;

use crate::db::models::AuditRow;
use crate::db::schema::audit_events::dsl;
use crate::db::{DbConn, DbError};

/// Records events: on PostgreSQL a few hundred rows per statement, on SQLite row by row.
pub fn insert_many(conn: &mut DbConn, rows: &[AuditRow]) -> Result<(), DbError> {
    match conn {
        DbConn::Postgres(pg) => {
            for chunk in rows.chunks(500) {
                diesel::insert_into(dsl::audit_events)
                    .values(chunk)
                    .execute(pg)?;
            }
        }
        DbConn::Sqlite(lite) => {
            for row in rows {
                diesel::insert_into(dsl::audit_events)
                    .values(row)
                    .execute(lite)?;
            }
        }
    }
    Ok(())
}

/// Newest first, after the cursor `(at, id)` when given; `workspace` `None`: every workspace;
/// `since`: only events at or after it.
pub fn page(
    conn: &mut DbConn,
    workspace: Option<&str>,
    since: Option<i64>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    let mut query = dsl::audit_events.into_boxed();
    if let Some(workspace) = workspace {
        query = query.filter(dsl::workspace.eq(workspace.to_owned()));
    }
    if let Some(since) = since {
        query = query.filter(dsl::at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(dsl::at.lt(at).or(dsl::at.eq(at).and(dsl::id.lt(id))));
    }
    Ok(query
        .order((dsl::at.desc(), dsl::id.desc()))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}
