//! The connection type: one enum over both backends (diesel's `MultiConnection`), so every
//! query is written once.

// The derive generates public helper items without docs.
#![allow(missing_docs)]

use diesel::{PgConnection, SqliteConnection};

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// PostgreSQL.
    Postgres(PgConnection),
    /// SQLite (bundled).
    Sqlite(SqliteConnection),
}
