//! `audit_events`.

use diesel::prelude::*;

use crate::db::models::AuditRow;
use crate::db::schema::audit_events::dsl;
use crate::db::{DbConn, DbError};

/// Records an event.
pub fn insert(conn: &mut DbConn, row: &AuditRow) -> Result<(), DbError> {
    diesel::insert_into(dsl::audit_events)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Newest first, after the cursor `(at, id)` when given.
pub fn page(
    conn: &mut DbConn,
    workspace: &str,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    let mut query = dsl::audit_events
        .filter(dsl::workspace.eq(workspace))
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(dsl::at.lt(at).or(dsl::at.eq(at).and(dsl::id.lt(id))));
    }
    Ok(query
        .order((dsl::at.desc(), dsl::id.desc()))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}
