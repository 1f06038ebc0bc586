//! `portal_sessions`.

use diesel::prelude::*;

use crate::db::models::PortalSessionRow;
use crate::db::schema::portal_sessions::dsl;
use crate::db::{DbConn, DbError};

/// Stores a new session (its code not yet exchanged).
pub fn insert(conn: &mut DbConn, row: &PortalSessionRow) -> Result<(), DbError> {
    diesel::insert_into(dsl::portal_sessions)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// The session whose one-time code hashes to `code_hash`.
pub fn by_code(conn: &mut DbConn, code_hash: &str) -> Result<Option<PortalSessionRow>, DbError> {
    Ok(dsl::portal_sessions
        .filter(dsl::code_hash.eq(code_hash.to_owned()))
        .select(PortalSessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// The session whose secret hashes to `secret_hash`.
pub fn by_secret(
    conn: &mut DbConn,
    secret_hash: &str,
) -> Result<Option<PortalSessionRow>, DbError> {
    Ok(dsl::portal_sessions
        .filter(dsl::secret_hash.eq(secret_hash.to_owned()))
        .select(PortalSessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Exchanges the code of session `id` for a session secret, only if it has not been exchanged
/// and has not expired (one statement: two exchanges of one code cannot both win). Returns
/// whether this call exchanged it.
pub fn exchange(
    conn: &mut DbConn,
    id: &str,
    secret_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        dsl::portal_sessions
            .find(id)
            .filter(dsl::exchanged_at.is_null())
            .filter(dsl::code_expires_at.gt(now)),
    )
    .set((
        dsl::secret_hash.eq(secret_hash.to_owned()),
        dsl::exchanged_at.eq(now),
        dsl::expires_at.eq(expires_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
