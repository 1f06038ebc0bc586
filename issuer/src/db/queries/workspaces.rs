//! `workspaces`.

use diesel::prelude::*;

use crate::db::models::WorkspaceRow;
use crate::db::schema::workspaces::dsl;
use crate::db::{DbConn, DbError};

/// One workspace.
pub fn get(conn: &mut DbConn, id: &str) -> Result<Option<WorkspaceRow>, DbError> {
    Ok(dsl::workspaces
        .find(id)
        .select(WorkspaceRow::as_select())
        .first(conn)
        .optional()?)
}

/// A workspace's stored `max_expiry_days` (`None`: no cap, or no such workspace).
pub fn max_expiry_days(conn: &mut DbConn, id: &str) -> Result<Option<i64>, DbError> {
    Ok(get(conn, id)?.and_then(|w| w.max_expiry_days))
}

/// Every workspace, by id.
pub fn list(conn: &mut DbConn) -> Result<Vec<WorkspaceRow>, DbError> {
    Ok(dsl::workspaces
        .order(dsl::id.asc())
        .select(WorkspaceRow::as_select())
        .load(conn)?)
}

/// Creates a workspace (a unique violation if it exists).
pub fn insert(conn: &mut DbConn, row: &WorkspaceRow) -> Result<(), DbError> {
    diesel::insert_into(dsl::workspaces)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Sets the display name and the expiry cap.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    name: Option<&str>,
    days: Option<i64>,
) -> Result<(), DbError> {
    diesel::update(dsl::workspaces.find(id))
        .set((
            dsl::name.eq(name.map(str::to_owned)),
            dsl::max_expiry_days.eq(days),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of workspaces by id, after `after`.
pub fn page(
    conn: &mut DbConn,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<WorkspaceRow>, DbError> {
    let mut query = dsl::workspaces.into_boxed();
    if let Some(after) = after {
        query = query.filter(dsl::id.gt(after.to_owned()));
    }
    Ok(query
        .order(dsl::id.asc())
        .limit(limit)
        .select(WorkspaceRow::as_select())
        .load(conn)?)
}

/// Sets or clears the expiry cap.
pub fn set_max_expiry(conn: &mut DbConn, id: &str, days: Option<i64>) -> Result<(), DbError> {
    diesel::update(dsl::workspaces.find(id))
        .set(dsl::max_expiry_days.eq(days))
        .execute(conn)?;
    Ok(())
}

/// How many workspaces exist (0 means a fresh store).
pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(dsl::workspaces.count().get_result(conn)?)
}
