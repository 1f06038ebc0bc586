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

/// The lists named by `ids` (those that exist), in creation order.
pub fn get_many(conn: &mut DbConn, ids: &[String]) -> Result<Vec<ListRow>, DbError> {
    Ok(dsl::status_lists
        .filter(dsl::id.eq_any(ids))
        .order(dsl::seq.asc())
        .select(ListRow::as_select())
        .load(conn)?)
}

/// The `n` newest lists, newest first (where allocation happens: never a scan of every list).
pub fn newest(conn: &mut DbConn, n: i64) -> Result<Vec<ListRow>, DbError> {
    Ok(dsl::status_lists
        .order(dsl::seq.desc())
        .limit(n)
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

/// Takes `count` more allocation counters from list `id` and adds `bump` to its version, in one
/// statement (one row lock). Returns the new `(used, version)`, or `None` when the list is closed or has
/// fewer than `count` counters left (another transaction took them first).
pub fn take_and_bump(
    conn: &mut DbConn,
    id: &str,
    count: i64,
    bump: i64,
) -> Result<Option<(i64, i64)>, DbError> {
    Ok(diesel::update(
        dsl::status_lists
            .find(id)
            .filter(dsl::perm_key.is_not_null())
            .filter((dsl::used + count).le(dsl::capacity)),
    )
    .set((
        dsl::used.eq(dsl::used + count),
        dsl::version.eq(dsl::version + bump),
    ))
    .returning((dsl::used, dsl::version))
    .get_result(conn)
    .optional()?)
}

/// Marks the list changed (its signed form must be rebuilt, on every replica); returns its new
/// version.
pub fn bump_version(conn: &mut DbConn, id: &str) -> Result<i64, DbError> {
    Ok(diesel::update(dsl::status_lists.find(id))
        .set(dsl::version.eq(dsl::version + 1))
        .returning(dsl::version)
        .get_result(conn)?)
}

/// The indexes of revoked tokens in list `id`.
pub fn revoked_indexes(conn: &mut DbConn, id: &str) -> Result<Vec<i64>, DbError> {
    Ok(tokens::table
        .filter(tokens::status_list.eq(id))
        .filter(tokens::revoked_at.is_not_null())
        .select(tokens::status_idx)
        .load(conn)?)
}
