//! `tokens`: metadata of every token ever minted (the secret itself is never stored).

use diesel::prelude::*;

use crate::db::models::TokenRow;
use crate::db::schema::tokens::dsl;
use crate::db::{DbConn, DbError};

/// Which tokens a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Not revoked and not expired.
    Active,
    /// Expired and not revoked.
    Expired,
    /// Revoked.
    Revoked,
    /// Everything.
    All,
}

/// Stores a new token (a unique violation when its status index is taken).
pub fn insert(conn: &mut DbConn, row: &TokenRow) -> Result<(), DbError> {
    diesel::insert_into(dsl::tokens)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// One token.
pub fn get(conn: &mut DbConn, id: &str) -> Result<Option<TokenRow>, DbError> {
    Ok(dsl::tokens
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Several tokens by id (any order).
pub fn get_many(conn: &mut DbConn, ids: &[String]) -> Result<Vec<TokenRow>, DbError> {
    Ok(dsl::tokens
        .filter(dsl::id.eq_any(ids))
        .select(TokenRow::as_select())
        .load(conn)?)
}

/// Newest first, after the cursor `(created_at, id)` when given.
pub fn page(
    conn: &mut DbConn,
    workspace: &str,
    subject: Option<&str>,
    status: StatusFilter,
    now: i64,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<TokenRow>, DbError> {
    let mut query = dsl::tokens
        .filter(dsl::workspace.eq(workspace))
        .into_boxed();
    if let Some(subject) = subject {
        query = query.filter(dsl::subject.eq(subject.to_owned()));
    }
    query = match status {
        StatusFilter::Active => query
            .filter(dsl::revoked_at.is_null())
            .filter(dsl::expires_at.is_null().or(dsl::expires_at.gt(now))),
        StatusFilter::Expired => query
            .filter(dsl::revoked_at.is_null())
            .filter(dsl::expires_at.le(now)),
        StatusFilter::Revoked => query.filter(dsl::revoked_at.is_not_null()),
        StatusFilter::All => query,
    };
    if let Some((created, id)) = after {
        query = query.filter(
            dsl::created_at
                .lt(created)
                .or(dsl::created_at.eq(created).and(dsl::id.lt(id))),
        );
    }
    Ok(query
        .order((dsl::created_at.desc(), dsl::id.desc()))
        .limit(limit)
        .select(TokenRow::as_select())
        .load(conn)?)
}

/// Revokes `id` now unless already revoked; returns whether it changed.
pub fn revoke(conn: &mut DbConn, id: &str, now: i64) -> Result<bool, DbError> {
    let changed = diesel::update(dsl::tokens.find(id).filter(dsl::revoked_at.is_null()))
        .set((dsl::revoked_at.eq(now), dsl::revokes_at.eq(None::<i64>)))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Schedules the revocation of `id` at `at` (a rotation's grace period).
pub fn schedule_revocation(conn: &mut DbConn, id: &str, at: i64) -> Result<(), DbError> {
    diesel::update(dsl::tokens.find(id).filter(dsl::revoked_at.is_null()))
        .set(dsl::revokes_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Links a rotated token to its successor.
pub fn set_rotated_to(conn: &mut DbConn, id: &str, successor: &str) -> Result<(), DbError> {
    diesel::update(dsl::tokens.find(id))
        .set(dsl::rotated_to.eq(successor))
        .execute(conn)?;
    Ok(())
}

/// Tokens whose scheduled revocation is due: `(id, status_list)`.
pub fn due_revocations(conn: &mut DbConn, now: i64) -> Result<Vec<(String, String)>, DbError> {
    Ok(dsl::tokens
        .filter(dsl::revoked_at.is_null())
        .filter(dsl::revokes_at.le(now))
        .select((dsl::id, dsl::status_list))
        .load(conn)?)
}

/// Moves `last_used_at` forward (never back).
pub fn touch(
    conn: &mut DbConn,
    id: &str,
    workspace: Option<&str>,
    at: i64,
) -> Result<usize, DbError> {
    let target = dsl::tokens
        .filter(dsl::id.eq(id))
        .filter(dsl::last_used_at.is_null().or(dsl::last_used_at.lt(at)));
    Ok(match workspace {
        Some(ws) => diesel::update(target.filter(dsl::workspace.eq(ws.to_owned())))
            .set(dsl::last_used_at.eq(at))
            .execute(conn)?,
        None => diesel::update(target)
            .set(dsl::last_used_at.eq(at))
            .execute(conn)?,
    })
}
