//! The pool's connection manager: opens a connection to the backend the URL names.
//!
//! diesel's generic `ConnectionManager` over a `MultiConnection` tries every backend in turn and,
//! when PostgreSQL is down, reports only "Invalid connection url for multiconnection"; an
//! operator needs the server's own answer ("connection refused", "the database system is
//! shutting down"), so the backend is chosen here, by the URL's scheme, and its error kept.

use diesel::r2d2::{ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use super::DbConn;

/// Opens [`DbConn`]s for one database URL (`sqlite://path` or `postgres://…`).
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
}

impl Manager {
    /// A manager for `url`.
    pub fn new(url: &str) -> Manager {
        Manager {
            url: url.to_owned(),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let conn = match self.url.strip_prefix("sqlite://") {
            Some(path) => SqliteConnection::establish(path).map(DbConn::Sqlite),
            None => PgConnection::establish(&self.url).map(DbConn::Postgres),
        };
        conn.map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection whose transaction state is broken (its server went away mid-transaction,
    /// say) is dropped rather than handed out again.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's own reason reaches the log, not diesel's "Invalid connection url".
    #[test]
    fn a_refused_connection_says_why() {
        // Port 1 on loopback: nothing listens there.
        let manager = Manager::new("postgres://postgres@127.0.0.1:1/none?connect_timeout=2");
        let e = manager
            .connect()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!e.contains("Invalid connection url"), "{e}");
        assert!(e.contains("refused") || e.contains("connect"), "{e}");
    }
}
