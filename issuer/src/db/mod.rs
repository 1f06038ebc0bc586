//! Storage: one binary, two backends chosen by the URL scheme (SQLite by default, PostgreSQL
//! for several replicas), a connection pool, embedded migrations, and the one place where
//! database errors become API errors. Blocking database work runs on tokio's blocking pool.

pub mod models;
pub mod queries;
pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

mod conn;
mod manager;
pub use conn::DbConn;
pub use manager::Manager;

/// One schema for both backends: the SQL is portable (TEXT, BIGINT, partial indexes). Split the
/// folder per backend only when they need to differ.
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The connection pool.
pub type DbPool = Pool<Manager>;
/// A connection taken from the pool.
pub type PooledConn = PooledConnection<Manager>;

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
    if let Some(path) = url.strip_prefix("sqlite://") {
        let file = std::path::Path::new(path);
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| DbError::Unavailable(e.to_string()))?;
        }
        create_private_file(file).map_err(|e| DbError::Unavailable(e.to_string()))?;
    }
    let is_sqlite = url.starts_with("sqlite://");
    let manager = Manager::new(url);
    Pool::builder()
        .max_size(if is_sqlite { size.min(8) } else { size })
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)
        .map_err(|e| DbError::Unavailable(e.to_string()))
}

/// A file or folder of the data directory that could not be created.
#[derive(Debug, thiserror::Error)]
#[error("cannot create {}: {source}", path.display())]
pub struct CreateError {
    /// What was to be created.
    pub path: std::path::PathBuf,
    /// Why it was not.
    #[source]
    pub source: std::io::Error,
}

/// Creates `dir` (and its parents) readable by this user only (0700), if missing.
///
/// # Errors
/// It cannot be created.
pub fn create_private_dir(dir: &std::path::Path) -> Result<(), CreateError> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| CreateError {
        path: dir.to_owned(),
        source,
    })
}

/// Creates an empty SQLite file readable by this user only (0600) before SQLite opens it; its
/// `-wal` and `-shm` files take the same mode.
fn create_private_file(file: &std::path::Path) -> Result<(), CreateError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(CreateError {
            path: file.to_owned(),
            source,
        }),
    }
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

/// How often a write transaction is tried when the database reports a deadlock or a
/// serialization failure (the transaction was rolled back and can simply run again).
pub const WRITE_ATTEMPTS: u32 = 5;

/// Errors a write transaction can end with, and whether trying again can help.
pub trait TxError: From<diesel::result::Error> {
    /// True for a deadlock, a serialization failure or a busy SQLite database.
    fn is_transient(&self) -> bool;
}

impl TxError for DbError {
    fn is_transient(&self) -> bool {
        match self {
            DbError::Query(e) => is_transient(e),
            DbError::Unavailable(_) => false,
        }
    }
}

/// True when the database has no disk space left (SQLite's `SQLITE_FULL`, PostgreSQL's
/// `disk_full` 53100 or a file it could not extend). Nothing was written: the transaction was
/// rolled back, and the same request works again once there is space.
pub fn is_out_of_space(e: &diesel::result::Error) -> bool {
    match e {
        diesel::result::Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("database or disk is full")
                || m.contains("No space left on device")
                || m.contains("could not extend file")
        }
        _ => false,
    }
}

/// True when the connection to the database was lost under a statement: the server was
/// restarted or stopped ("terminating connection due to administrator command"), crashed, or
/// the network dropped. The transaction did not commit, or (when the loss cut the `COMMIT`
/// itself) its outcome is unknown; either way the client was told nothing was done and may try
/// again once the database is back. The broken connection is not reused (see [`Manager`]).
pub fn is_connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | Error::BrokenTransactionManager => true,
        Error::RollbackErrorOnCommit { commit_error, .. } => is_connection_lost(commit_error),
        Error::DatabaseError(_, info) => {
            let m = info.message();
            [
                "terminating connection",
                "server closed the connection",
                "no connection to the server",
                "could not receive data from server",
                "could not send data to server",
                "the database system is shutting down",
                "the database system is starting up",
                "the database system is in recovery mode",
                "connection to server",
            ]
            .iter()
            .any(|needle| m.contains(needle))
        }
        _ => false,
    }
}

/// True for errors that only mean "another transaction was in the way": PostgreSQL's
/// serialization failure (40001) and deadlock (40P01, which diesel does not classify, so its
/// message is matched), and SQLite's busy or locked database.
pub fn is_transient(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("deadlock detected")
                || m.contains("could not serialize access")
                || m.contains("database is locked")
                || m.contains("database table is locked")
        }
        _ => false,
    }
}

/// A write transaction, tried up to [`WRITE_ATTEMPTS`] times while the database reports a
/// deadlock or serialization failure (with a short random pause between tries), so such a
/// conflict is never an error for the client. `f` must therefore have no effect outside the
/// transaction. On SQLite it takes the write lock with its first statement: a transaction that
/// reads first and writes later cannot upgrade while another connection writes ("database is
/// locked", which the busy timeout does not cover).
///
/// # Errors
/// What `f` returns, or the transaction failed.
pub fn write_tx<T, E, F>(conn: &mut DbConn, mut f: F) -> Result<T, E>
where
    F: FnMut(&mut DbConn) -> Result<T, E>,
    E: TxError,
{
    use diesel::Connection;
    let mut attempt = 1;
    loop {
        let result = {
            let _one_writer = matches!(conn, DbConn::Sqlite(_))
                .then(|| SQLITE_WRITES.lock().unwrap_or_else(|p| p.into_inner()));
            conn.transaction(|c| {
                if let DbConn::Sqlite(sqlite) = c {
                    sqlite.batch_execute("UPDATE status_lists SET used = used WHERE 0")?;
                }
                f(c)
            })
        };
        match result {
            Err(e) if e.is_transient() && attempt < WRITE_ATTEMPTS => {
                crate::metrics::METRICS.tx_retries.inc();
                std::thread::sleep(retry_pause(attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// 5–10 ms, doubling per attempt: long enough for the other transaction to commit.
fn retry_pause(attempt: u32) -> Duration {
    use ring::rand::SecureRandom;
    let mut byte = [0u8; 1];
    let _ = ring::rand::SystemRandom::new().fill(&mut byte);
    let base = 5u64 << attempt.min(6);
    Duration::from_millis(base + u64::from(byte[0]) % base)
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

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};

    /// A database error with just a message, as libpq and SQLite report them.
    #[derive(Debug)]
    struct Said(&'static str);

    impl DatabaseErrorInformation for Said {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn said(kind: DatabaseErrorKind, message: &'static str) -> Error {
        Error::DatabaseError(kind, Box::new(Said(message)))
    }

    /// What PostgreSQL says when it is restarted or stopped under a statement (seen in
    /// scripts/db-outage, where it was answered 500 before) is a lost connection; a constraint
    /// or syntax error is not, and neither is a conflict.
    #[test]
    fn a_server_going_away_is_a_lost_connection() {
        for message in [
            "terminating connection due to administrator command",
            "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally",
            "no connection to the server\n",
            "the database system is shutting down",
        ] {
            let e = said(DatabaseErrorKind::Unknown, message);
            assert!(is_connection_lost(&e), "{message}");
            assert!(!is_transient(&e), "{message}");
        }
        assert!(is_connection_lost(&said(
            DatabaseErrorKind::ClosedConnection,
            ""
        )));
        assert!(is_connection_lost(&Error::BrokenTransactionManager));
        assert!(is_connection_lost(&Error::RollbackErrorOnCommit {
            rollback_error: Box::new(Error::BrokenTransactionManager),
            commit_error: Box::new(said(
                DatabaseErrorKind::Unknown,
                "server closed the connection unexpectedly"
            )),
        }));
        for message in [
            "duplicate key value violates unique constraint \"tokens_pkey\"",
            "could not serialize access due to concurrent update",
            "syntax error at or near \"SELEC\"",
        ] {
            assert!(
                !is_connection_lost(&said(DatabaseErrorKind::Unknown, message)),
                "{message}"
            );
        }
        assert!(!is_connection_lost(&Error::NotFound));
    }
}
