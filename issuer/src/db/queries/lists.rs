//! `status_lists`, and the revoked indexes a list is built from.

use diesel::prelude::*;

use crate::db::models::ListRow;
use crate::db::schema::status_lists::dsl;
use crate::db::schema::tokens;
use crate::db::{DbConn, DbError};

/// Every list, in creation order.
pub fn all(conn: &mut DbConn) -> Result<Vec<ListRow>, DbError> {
    Ok(dsl::status_lists
        .order(dsl::seq.asc())
        .select(ListRow::as_select())
        .load(conn)?)
}

/// Creates a list (a unique violation when another replica created the same `seq` first).
pub fn insert(conn: &mut DbConn, row: &ListRow) -> Result<(), DbError> {
    diesel::insert_into(dsl::status_lists)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Counts one more allocated index.
pub fn add_used(conn: &mut DbConn, id: &str) -> Result<(), DbError> {
    diesel::update(dsl::status_lists.find(id))
        .set(dsl::used.eq(dsl::used + 1))
        .execute(conn)?;
    Ok(())
}

/// Marks the list changed (its signed form must be rebuilt, on every replica).
pub fn bump_version(conn: &mut DbConn, id: &str) -> Result<(), DbError> {
    diesel::update(dsl::status_lists.find(id))
        .set(dsl::version.eq(dsl::version + 1))
        .execute(conn)?;
    Ok(())
}

/// `(id, version)` of every list.
pub fn versions(conn: &mut DbConn) -> Result<Vec<(String, i64)>, DbError> {
    Ok(dsl::status_lists
        .select((dsl::id, dsl::version))
        .load(conn)?)
}

/// The indexes of revoked tokens in list `id`.
pub fn revoked_indexes(conn: &mut DbConn, id: &str) -> Result<Vec<i64>, DbError> {
    Ok(tokens::table
        .filter(tokens::status_list.eq(id))
        .filter(tokens::revoked_at.is_not_null())
        .select(tokens::status_idx)
        .load(conn)?)
}
