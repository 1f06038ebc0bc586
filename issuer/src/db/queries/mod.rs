//! Queries, one file per table; each takes a connection so callers choose the transaction.

pub mod audit;
pub mod events;
pub mod keys;
pub mod lists;
pub mod portal;
pub mod tokens;
pub mod webhooks;
pub mod workspaces;
