//! Why a command failed. `main` prints the message and exits with status 1.

use crate::boot::StartError;
use crate::db::DbError;
use crate::keys::KeyError;
use crate::tokens::ServiceError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// What was asked cannot be done as asked (an option out of range, an unknown id); the
    /// message says what to do instead.
    #[error("{0}")]
    Refused(String),
    /// The store or the issuer's state could not be opened.
    #[error(transparent)]
    Start(#[from] StartError),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Keys could not be loaded or made.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// A token operation was refused or failed.
    #[error("{action} refused: {source}")]
    Service {
        /// "minting", "revocation" or "rotation".
        action: &'static str,
        /// Why.
        source: ServiceError,
    },
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The listen address cannot be bound.
    #[error("cannot listen on {listen}: {source}")]
    Listen {
        /// The configured address.
        listen: String,
        /// Why.
        source: std::io::Error,
    },
}

impl CliError {
    /// A refusal with this message.
    pub fn refused(message: impl Into<String>) -> CliError {
        CliError::Refused(message.into())
    }
}

impl From<diesel::result::Error> for CliError {
    fn from(e: diesel::result::Error) -> Self {
        CliError::Db(DbError::Query(e))
    }
}
