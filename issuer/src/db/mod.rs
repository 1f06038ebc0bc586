//! Storage: one binary, two backends chosen by the URL scheme (SQLite by default, PostgreSQL
//! for several replicas), a connection pool, embedded migrations, and the one place where
//! database errors become API errors. Blocking database work runs on tokio's blocking pool.

pub mod models;
pub mod queries;
pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

mod conn;
pub use conn::DbConn;

/// One schema for both backends: the SQL is portable (TEXT, BIGINT, partial indexes). Split the
/// folder per backend only when they need to differ.
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The connection pool.
pub type DbPool = Pool<ConnectionManager<DbConn>>;
/// A connection taken from the pool.
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

/// Why storage failed.
#[derive(Debug)]
pub enum DbError {
    /// The database cannot be reached (pool timeout, connection refused).
    Unavailable(String),
    /// A query failed.
    Query(diesel::result::Error),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Unavailable(e) => write!(f, "the database is unavailable: {e}"),
            DbError::Query(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for DbError {}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::Query(e)
    }
}

/// SQLite settings every connection needs: WAL for concurrent readers, a busy timeout so
/// writers queue instead of failing, and foreign keys.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens a pool for `url` (`sqlite://path` or `postgres://…`), creating the SQLite file's
/// folder if needed. Does not run migrations.
///
/// # Errors
/// The database cannot be opened or reached.
pub fn connect(url: &str, size: u32) -> Result<DbPool, DbError> {
    let target = match url.strip_prefix("sqlite://") {
        Some(path) => {
            if let Some(dir) = std::path::Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    DbError::Unavailable(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            path.to_owned()
        }
        None => url.to_owned(),
    };
    let is_sqlite = url.starts_with("sqlite://");
    let manager = ConnectionManager::<DbConn>::new(target);
    Pool::builder()
        .max_size(if is_sqlite { size.min(8) } else { size })
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)
        .map_err(|e| DbError::Unavailable(e.to_string()))
}

/// Runs pending migrations; returns how many ran.
///
/// # Errors
/// A migration failed.
pub fn migrate(pool: &DbPool) -> Result<usize, DbError> {
    let mut conn = get(pool)?;
    let ran = match &mut *conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(MIGRATIONS).map(|v| v.len()),
        DbConn::Postgres(c) => {
            // Replicas starting together take turns: the first migrates, the others find nothing to do.
            c.batch_execute("SELECT pg_advisory_lock(7261001)")
                .map_err(|e| DbError::Unavailable(format!("migration lock: {e}")))?;
            let ran = c.run_pending_migrations(MIGRATIONS).map(|v| v.len());
            let _ = c.batch_execute("SELECT pg_advisory_unlock(7261001)");
            ran
        }
    };
    ran.map_err(|e| DbError::Unavailable(format!("migration failed: {e}")))
}

/// A connection from the pool.
///
/// # Errors
/// [`DbError::Unavailable`] when none can be had within the pool's timeout.
pub fn get(pool: &DbPool) -> Result<PooledConn, DbError> {
    pool.get().map_err(|e| DbError::Unavailable(e.to_string()))
}

/// Runs blocking database work off the async executor.
///
/// # Errors
/// What `f` returns, or [`DbError::Unavailable`] if the blocking task could not run.
pub async fn run<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = get(&pool)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| E::from(DbError::Unavailable(format!("blocking task failed: {e}"))))?
}

/// SQLite allows one writer; in-process writers queue here instead of spinning in SQLite's
/// busy handler.
static SQLITE_WRITES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A write transaction. On SQLite it takes the write lock with its first statement: a
/// transaction that reads first and writes later cannot upgrade while another connection
/// writes ("database is locked", which the busy timeout does not cover).
///
/// # Errors
/// What `f` returns, or the transaction failed.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::Connection;
    let _one_writer = matches!(conn, DbConn::Sqlite(_))
        .then(|| SQLITE_WRITES.lock().unwrap_or_else(|p| p.into_inner()));
    conn.transaction(|c| {
        if let DbConn::Sqlite(sqlite) = c {
            sqlite.batch_execute("UPDATE status_lists SET used = used WHERE 0")?;
        }
        f(c)
    })
}

/// True for a unique-constraint violation (e.g. a status index taken by another replica).
pub fn is_unique_violation(e: &DbError) -> bool {
    matches!(
        e,
        DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}
