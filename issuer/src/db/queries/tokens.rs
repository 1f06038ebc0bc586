//! `tokens`: metadata of every token ever minted (the secret itself is never stored).

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};

use crate::db::models::{AuditRow, TokenRow};
use crate::db::schema::tokens::dsl;
use crate::db::{DbConn, DbError};
use serde_json::Value;

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

/// Rows per multi-row insert (well under both backends' limits on bound parameters).
pub const INSERT_CHUNK: usize = 500;

/// A workspace's expiry cap as the caller decided with it; the statement that stores the tokens
/// checks that it still holds, so a mint needs no read of its own before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapSeen {
    /// The workspace.
    pub workspace: String,
    /// Its `max_expiry_days` (`None`: no cap, or no row).
    pub days: Option<i64>,
}

/// New tokens and their audit events in one PostgreSQL statement, atomic by itself (no
/// `BEGIN`/`COMMIT`), so a mint is one round trip. With `cap`, nothing is stored unless the
/// workspace's cap is still `cap.days` as the statement runs. Returns whether the rows were
/// stored. At most [`INSERT_CHUNK`] of each.
///
/// The rows travel as JSON (`jsonb_populate_recordset`): one parameter each however many rows,
/// and a `WHERE` can guard an `INSERT … SELECT` as it cannot guard `INSERT … VALUES`.
///
/// # Errors
/// The statement failed; nothing was stored.
pub fn insert_with_events(
    pg: &mut PgConnection,
    rows: &[TokenRow],
    events: &[AuditRow],
    cap: Option<&CapSeen>,
) -> Result<bool, DbError> {
    debug_assert!(rows.len() <= INSERT_CHUNK && events.len() <= INSERT_CHUNK);
    let (Some(row), Some(event)) = (rows.first(), events.first()) else {
        debug_assert!(rows.is_empty(), "a mint logs an event per token");
        return Ok(true);
    };
    // The column lists are the structs' fields: the same for every mint, so the statement's
    // text is too, and each connection prepares it once.
    static COLUMNS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    let columns = match COLUMNS.get() {
        Some(columns) => columns,
        None => {
            let columns = (insert_select(row)?, insert_select(event)?);
            COLUMNS.get_or_init(|| columns)
        }
    };
    let stored = GuardedInsert {
        tokens_columns: &columns.0,
        events_columns: &columns.1,
        tokens: to_json(&rows)?,
        events: to_json(&events)?,
        unguarded: cap.is_none(),
        workspace: cap.map(|c| c.workspace.as_str()),
        days: cap.and_then(|c| c.days),
    }
    .execute(pg)?;
    Ok(stored == rows.len())
}

/// The statement of [`insert_with_events`] (`sql_query` could not be kept prepared):
///
/// ```sql
/// WITH allowed AS (SELECT 1 WHERE $unguarded
///        OR (SELECT max_expiry_days FROM workspaces WHERE id = $workspace)
///           IS NOT DISTINCT FROM $days),
///      a AS (INSERT INTO audit_events (…) SELECT … FROM jsonb_populate_recordset(NULL::audit_events, $events)
///            WHERE EXISTS (SELECT 1 FROM allowed))
/// INSERT INTO tokens (…) SELECT … FROM jsonb_populate_recordset(NULL::tokens, $tokens)
/// WHERE EXISTS (SELECT 1 FROM allowed)
/// ```
///
/// Its row count is the tokens stored: all of them, or none when the cap moved.
struct GuardedInsert<'a> {
    tokens_columns: &'a str,
    events_columns: &'a str,
    tokens: String,
    events: String,
    unguarded: bool,
    workspace: Option<&'a str>,
    days: Option<i64>,
}

impl QueryFragment<Pg> for GuardedInsert<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Bool, Nullable, Text};
        out.push_sql("WITH allowed AS (SELECT 1 WHERE ");
        out.push_bind_param::<Bool, _>(&self.unguarded)?;
        out.push_sql(" OR (SELECT max_expiry_days FROM workspaces WHERE id = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.workspace)?;
        out.push_sql(") IS NOT DISTINCT FROM ");
        out.push_bind_param::<Nullable<BigInt>, _>(&self.days)?;
        out.push_sql("), a AS (INSERT INTO audit_events ");
        out.push_sql(self.events_columns);
        out.push_sql(" FROM jsonb_populate_recordset(NULL::audit_events, ");
        out.push_bind_param::<Text, _>(&self.events)?;
        out.push_sql("::jsonb) WHERE EXISTS (SELECT 1 FROM allowed)) INSERT INTO tokens ");
        out.push_sql(self.tokens_columns);
        out.push_sql(" FROM jsonb_populate_recordset(NULL::tokens, ");
        out.push_bind_param::<Text, _>(&self.tokens)?;
        out.push_sql("::jsonb) WHERE EXISTS (SELECT 1 FROM allowed)");
        Ok(())
    }
}

impl QueryId for GuardedInsert<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl RunQueryDsl<PgConnection> for GuardedInsert<'_> {}

fn to_json(value: &impl serde::Serialize) -> Result<String, DbError> {
    serde_json::to_string(value)
        .map_err(|e| DbError::Query(diesel::result::Error::SerializationError(Box::new(e))))
}

/// `("a", "b", …) SELECT "a", "b", …` for the fields of `row`: the column list of an
/// `INSERT … SELECT` and its select list. Columns the row lacks keep their defaults.
fn insert_select(row: &impl serde::Serialize) -> Result<String, DbError> {
    let fields = match serde_json::to_value(row) {
        Ok(Value::Object(fields)) => fields,
        _ => {
            return Err(DbError::Query(diesel::result::Error::SerializationError(
                "a row must serialize as an object".into(),
            )))
        }
    };
    // Field names are this crate's struct fields, never input; quoted as identifiers anyway.
    let list = fields
        .keys()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(format!("({list}) SELECT {list}"))
}

/// Stores new tokens: on PostgreSQL a few hundred rows per statement (one round trip each), on
/// SQLite (in-process, no round trips) row by row.
pub fn insert_many(conn: &mut DbConn, rows: &[TokenRow]) -> Result<(), DbError> {
    match conn {
        DbConn::Postgres(pg) => {
            for chunk in rows.chunks(INSERT_CHUNK) {
                diesel::insert_into(dsl::tokens).values(chunk).execute(pg)?;
            }
        }
        DbConn::Sqlite(lite) => {
            for row in rows {
                diesel::insert_into(dsl::tokens).values(row).execute(lite)?;
            }
        }
    }
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

/// The tokens `ids` for a change: on PostgreSQL locked for this transaction in ascending id
/// order (the one lock order for token rows), in one statement; SQLite's single writer needs
/// no row locks.
pub fn lock_many(conn: &mut DbConn, ids: &[String]) -> Result<Vec<TokenRow>, DbError> {
    let rows = || dsl::tokens.filter(dsl::id.eq_any(ids)).order(dsl::id);
    Ok(match conn {
        DbConn::Postgres(pg) => rows().select(TokenRow::as_select()).for_update().load(pg)?,
        DbConn::Sqlite(lite) => rows().select(TokenRow::as_select()).load(lite)?,
    })
}

/// Revokes those of `ids` not revoked yet, now, in one statement (conditional on the state: a
/// token a concurrent transaction revoked first is left as it is); returns the ids it revoked.
pub fn revoke_many(conn: &mut DbConn, ids: &[String], now: i64) -> Result<Vec<String>, DbError> {
    Ok(diesel::update(
        dsl::tokens
            .filter(dsl::id.eq_any(ids))
            .filter(dsl::revoked_at.is_null()),
    )
    .set((dsl::revoked_at.eq(now), dsl::revokes_at.eq(None::<i64>)))
    .returning(dsl::id)
    .get_results(conn)?)
}

/// Which tokens a listing shows.
#[derive(Debug, Clone, Copy)]
pub struct Filter<'a> {
    /// The workspace (`None`: every workspace, for the operator CLI).
    pub workspace: Option<&'a str>,
    /// Only this subject's.
    pub subject: Option<&'a str>,
    /// Only those created by this token.
    pub created_by: Option<&'a str>,
    /// By state.
    pub status: StatusFilter,
}

/// Newest first, after the cursor `(created_at, id)` when given.
pub fn page(
    conn: &mut DbConn,
    filter: &Filter<'_>,
    now: i64,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<TokenRow>, DbError> {
    let mut query = dsl::tokens.into_boxed();
    if let Some(workspace) = filter.workspace {
        query = query.filter(dsl::workspace.eq(workspace.to_owned()));
    }
    if let Some(subject) = filter.subject {
        query = query.filter(dsl::subject.eq(subject.to_owned()));
    }
    if let Some(creator) = filter.created_by {
        query = query.filter(dsl::created_by.eq(creator.to_owned()));
    }
    query = match filter.status {
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

/// Claims tokens for rotation in one statement: each `(old, successor)` pair links the old
/// token to its successor and revokes it now (`revokes_at` `None`) or schedules its revocation
/// — only while it is neither revoked nor rotated, so two rotations, or a rotation and a
/// revocation, cannot both win. Returns how many it claimed; the caller holds the rows locked
/// ([`lock_many`]), so fewer than asked means another transaction got there first.
pub fn claim_rotations(
    conn: &mut DbConn,
    pairs: &[(String, String)],
    now: i64,
    revokes_at: Option<i64>,
) -> Result<usize, DbError> {
    use diesel::sql_types::{Array, BigInt, Nullable, Text};
    let revoked_at = revokes_at.is_none().then_some(now);
    const UNCLAIMED: &str = "tokens.revoked_at IS NULL AND tokens.rotated_to IS NULL";
    Ok(match conn {
        DbConn::Postgres(pg) => {
            // Not a join with `unnest` of the pairs: the planner knows nothing of unnest's
            // rows, and with the table's statistics stale (tokens minted since the last
            // ANALYZE) it chose a nested loop over a sequential scan, 4 s for 1,000 ids among
            // 30,000 rows. The rows are found as a batch revocation finds them, by primary key,
            // and each looks its successor up in a JSON object (a binary search): no join is
            // left to plan.
            let olds: Vec<&str> = pairs.iter().map(|(old, _)| old.as_str()).collect();
            let successors: serde_json::Map<String, Value> = pairs
                .iter()
                .map(|(old, successor)| (old.clone(), Value::from(successor.as_str())))
                .collect();
            diesel::sql_query(format!(
                "UPDATE tokens SET rotated_to = $2::jsonb ->> tokens.id, revoked_at = $3, \
                 revokes_at = $4 WHERE tokens.id = ANY($1) AND {UNCLAIMED}"
            ))
            .bind::<Array<Text>, _>(olds)
            .bind::<Text, _>(Value::Object(successors).to_string())
            .bind::<Nullable<BigInt>, _>(revoked_at)
            .bind::<Nullable<BigInt>, _>(revokes_at)
            .execute(pg)?
        }
        DbConn::Sqlite(lite) => {
            let values = vec!["(?, ?)"; pairs.len()].join(", ");
            let sql = format!(
                "WITH v(old, successor) AS (VALUES {values}) UPDATE tokens \
                 SET rotated_to = v.successor, revoked_at = ?, revokes_at = ? \
                 FROM v WHERE tokens.id = v.old AND {UNCLAIMED}"
            );
            let mut query = diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>();
            for (old, successor) in pairs {
                query = query
                    .bind::<Text, _>(old.clone())
                    .bind::<Text, _>(successor.clone());
            }
            query
                .bind::<Nullable<BigInt>, _>(revoked_at)
                .bind::<Nullable<BigInt>, _>(revokes_at)
                .execute(lite)?
        }
    })
}

/// Ids of tokens whose scheduled revocation is due (at most `limit`).
pub fn due_revocations(conn: &mut DbConn, now: i64, limit: i64) -> Result<Vec<String>, DbError> {
    Ok(dsl::tokens
        .filter(dsl::revoked_at.is_null())
        .filter(dsl::revokes_at.le(now))
        .select(dsl::id)
        .limit(limit)
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
