//! The pool's connection manager: opens a connection to the backend the URL names, and decides
//! when a pooled connection must be checked before use.
//!
//! - diesel's generic `ConnectionManager` over a `MultiConnection` tries every backend in turn
//!   and, when PostgreSQL is down, reports only "Invalid connection url for multiconnection"; an
//!   operator needs the server's own answer ("connection refused", "the database system is
//!   shutting down"), so the backend is chosen here, by the URL's scheme, and its error kept.
//! - Checking every connection on checkout (`SELECT 1`) cost PostgreSQL one round trip per
//!   request (about a tenth of its mint rate). A connection back in the pool for less than
//!   [`FRESH`] is handed out unchecked, as HikariCP does (the time is kept in each connection,
//!   in diesel's instrumentation slot); one idle longer is pinged first. A connection that lost
//!   its server under a statement is never reused: diesel then marks it broken, and the pool
//!   drops it as it comes back.

use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::r2d2::{ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use super::DbConn;

/// A connection returned to the pool this recently was working a moment ago: no check.
pub const FRESH: Duration = Duration::from_millis(500);

/// What the pool knows of one connection, kept in it as its diesel instrumentation (the one
/// place a connection carries data of ours).
#[derive(Debug, Default)]
pub struct Health {
    /// When the connection last went back into the pool.
    returned_at: Option<Instant>,
}

impl Instrumentation for Health {
    fn on_connection_event(&mut self, _: InstrumentationEvent<'_>) {}
}

/// The connection's [`Health`] (every connection the [`Manager`] opens carries one).
fn health(conn: &mut DbConn) -> Option<&mut Health> {
    conn.instrumentation().downcast_mut::<Health>()
}

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
        let mut conn = match self.url.strip_prefix("sqlite://") {
            Some(path) => SqliteConnection::establish(path).map(DbConn::Sqlite),
            None => PgConnection::establish(&self.url).map(DbConn::Postgres),
        }
        .map_err(diesel::r2d2::Error::ConnectionError)?;
        conn.set_instrumentation(Health::default());
        Ok(conn)
    }

    /// Pings a connection that has been idle for `FRESH` (500 ms) or more (or never used).
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        let fresh = health(conn)
            .and_then(|h| h.returned_at)
            .is_some_and(|at| at.elapsed() < FRESH);
        if fresh {
            return Ok(());
        }
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    /// Called as a connection goes back into the pool: one whose server went away under a
    /// statement (diesel marks it broken) or whose transaction state is broken is dropped
    /// rather than reused.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        if let Some(h) = health(conn) {
            h.returned_at = Some(Instant::now());
        }
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

    /// A connection is pinged unless it came back to the pool a moment ago.
    #[test]
    fn fresh_connections_skip_the_ping() {
        let dir = std::env::temp_dir().join(format!("gp-manager-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manager = Manager::new(&format!("sqlite://{}", dir.join("m.db").display()));
        let mut conn = manager.connect().unwrap();
        assert!(
            health(&mut conn).is_some(),
            "every connection carries its health"
        );
        assert!(!manager.has_broken(&mut conn));
        assert!(health(&mut conn).unwrap().returned_at.is_some());
        assert!(manager.is_valid(&mut conn).is_ok());
        health(&mut conn).unwrap().returned_at = Some(Instant::now() - FRESH * 2);
        assert!(
            manager.is_valid(&mut conn).is_ok(),
            "an idle one is pinged, and answers"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A PostgreSQL connection whose server process is terminated under it (as a restart
    /// does) is noticed by the statement that fails, and dropped as it goes back to the pool
    /// even within the unchecked window.
    #[test]
    fn a_connection_whose_server_went_away_is_dropped() {
        use diesel::connection::SimpleConnection;
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        let manager = Manager::new("postgres://postgres@127.0.0.1:5432/test");
        let mut victim = manager.connect().expect("PostgreSQL at 127.0.0.1:5432");
        let mut other = manager.connect().unwrap();
        let Pid { pid } = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(&mut victim)
            .unwrap();
        assert!(
            !manager.has_broken(&mut victim),
            "a working connection is kept"
        );
        other
            .batch_execute(&format!("SELECT pg_terminate_backend({pid})"))
            .unwrap();
        let failed = victim.batch_execute("SELECT 1").unwrap_err();
        assert!(super::super::is_connection_lost(&failed), "{failed}");
        assert!(
            manager.has_broken(&mut victim),
            "a lost connection is dropped"
        );
    }
}
