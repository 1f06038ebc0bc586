//! `signing_keys`.

use diesel::prelude::*;

use crate::db::models::KeyRow;
use crate::db::schema::signing_keys::dsl;
use crate::db::schema::tokens;
use crate::db::{DbConn, DbError};

/// Every key, oldest first.
pub fn all(conn: &mut DbConn) -> Result<Vec<KeyRow>, DbError> {
    Ok(dsl::signing_keys
        .order((dsl::created_at.asc(), dsl::kid.asc()))
        .select(KeyRow::as_select())
        .load(conn)?)
}

/// Stores a new key.
pub fn insert(conn: &mut DbConn, row: &KeyRow) -> Result<(), DbError> {
    diesel::insert_into(dsl::signing_keys)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Marks a key retired (no longer published or used).
pub fn retire(conn: &mut DbConn, kid: &str, at: i64) -> Result<usize, DbError> {
    Ok(diesel::update(
        dsl::signing_keys
            .find(kid)
            .filter(dsl::retired_at.is_null()),
    )
    .set(dsl::retired_at.eq(at))
    .execute(conn)?)
}

/// Tokens signed by `kid` that still work (not revoked, not expired).
pub fn live_tokens(conn: &mut DbConn, kid: &str, now: i64) -> Result<i64, DbError> {
    Ok(tokens::table
        .filter(tokens::kid.eq(kid))
        .filter(tokens::revoked_at.is_null())
        .filter(tokens::expires_at.is_null().or(tokens::expires_at.gt(now)))
        .count()
        .get_result(conn)?)
}

/// `(keys, newest created_at, newest retired_at, newest activates_at)`: changes whenever a key
/// is added, retired or rescheduled.
pub type KeyFingerprint = (i64, Option<i64>, Option<i64>, Option<i64>);

/// A cheap fingerprint of the key table, so replicas notice rotations.
pub fn fingerprint(conn: &mut DbConn) -> Result<KeyFingerprint, DbError> {
    let (count, newest) = dsl::signing_keys
        .select((diesel::dsl::count_star(), diesel::dsl::max(dsl::created_at)))
        .first::<(i64, Option<i64>)>(conn)?;
    let (retired, activations) = dsl::signing_keys
        .select((
            diesel::dsl::max(dsl::retired_at),
            diesel::dsl::max(dsl::activates_at),
        ))
        .first::<(Option<i64>, Option<i64>)>(conn)?;
    Ok((count, newest, retired, activations))
}
