//! Webhooks (docs/webhooks.md): a product learns that a token was created, revoked or rotated,
//! is about to expire or has expired, by signed HTTP deliveries (Standard Webhooks).
//!
//! - [`endpoints`]: registering, listing and removing endpoints;
//! - the outbox is the audit log: an event a webhook may want is written marked in the
//!   transaction of the change ([`crate::tokens::audit_event`]); [`outbox`] turns marked events
//!   into one delivery per subscribed endpoint, in one transaction;
//! - [`notices`]: `token.expiring` (7 days and 1 day before) and `token.expired`;
//! - [`deliver`]: takes due deliveries (a lease, so a replica that dies mid-attempt loses
//!   nothing), posts them signed ([`signature`]), retries with backoff for a day;
//! - [`worker`]: the background loop of each replica.

pub mod deliver;
pub mod endpoints;
pub mod notices;
pub mod outbox;
pub mod signature;
pub mod worker;

/// A token was created (API, page or CLI); a rotation's successor is announced by
/// `token.rotated` instead.
pub const TOKEN_CREATED: &str = "token.created";
/// A token was revoked (also when a rotation's grace period ended).
pub const TOKEN_REVOKED: &str = "token.revoked";
/// A token was rotated: `data` is the old token, `data.rotated_to` the successor's id.
pub const TOKEN_ROTATED: &str = "token.rotated";
/// A token expires in 7 days or in 1 day (`data.expires_in_days`).
pub const TOKEN_EXPIRING: &str = "token.expiring";
/// A token has expired.
pub const TOKEN_EXPIRED: &str = "token.expired";

/// Every event type an endpoint can ask for.
pub const EVENTS: [&str; 5] = [
    TOKEN_CREATED,
    TOKEN_REVOKED,
    TOKEN_ROTATED,
    TOKEN_EXPIRING,
    TOKEN_EXPIRED,
];

/// True for an audit action that webhooks deliver.
pub fn is_event(action: &str) -> bool {
    EVENTS.contains(&action)
}
