//! Why a token operation was refused or failed. The operations know nothing of HTTP:
//! `problem.rs` is the one place that turns a [`ServiceError`] into an answer.

use crate::db::DbError;
use crate::keys::SignerError;
use crate::problem::FieldError;
use crate::sync::SyncError;

/// Why a token operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such token, or one out of the caller's reach (which of the two is never revealed).
    /// Holds the id as it may be shown (see [`super::text::shown`]).
    #[error("no token \"{0}\" that you can see")]
    NotVisible(String),
    /// The caller may not do this: a scope it does not hold, or another subject's token.
    #[error("{0}")]
    Forbidden(String),
    /// Fields of the request that are not valid.
    #[error("invalid request: {}", .0.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The token's state does not allow it (revoked, already rotated, changed meanwhile).
    #[error("{detail}")]
    Conflict {
        /// `token_revoked`, `token_rotated`, `token_changed` or `workspace_changed`.
        code: &'static str,
        /// What happened, naming the token.
        detail: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Other transactions kept taking the room of the status lists (retried, then given up).
    #[error("no status list with room after {0} tries")]
    NoRoom(u32),
    /// Signing a token failed.
    #[error("signing a token failed: {0}")]
    Signing(#[from] SignerError),
    /// Publishing a new status list failed.
    #[error("publishing a status list failed: {0}")]
    Publish(#[source] SyncError),
}

impl ServiceError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
        ServiceError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Db(DbError::Query(e))
    }
}

impl crate::db::TxError for ServiceError {
    fn is_transient(&self) -> bool {
        matches!(self, ServiceError::Db(e) if e.is_transient())
    }
}
