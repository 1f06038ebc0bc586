//! Expiry notices: `token.expiring` 7 days and 1 day before a token expires, `token.expired`
//! when it has. A notice is an audit event (so the outbox carries it to webhooks).
//!
//! The database keeps one clock, the time up to which notices were raised. A round covers the
//! window from there to now: a token whose threshold falls in it gets that notice, and the
//! clock moves forward in the same transaction, only from the value read, so a notice is raised
//! once even with several replicas. A token created already inside a threshold (a 3-day token
//! and the 7-day notice) does not get that notice. When one window holds several thresholds of
//! one token (the issuer was down for days), only the latest is raised. Revoked tokens and
//! tokens rotated away get no notices. The clock starts at the first round: tokens that expired
//! before webhooks existed raise nothing.
//!
//! `now` is a parameter, so tests drive the clock.

use std::collections::BTreeMap;

use serde_json::json;

use super::{TOKEN_EXPIRED, TOKEN_EXPIRING};
use crate::db::models::TokenRow;
use crate::db::queries::{audit as audit_q, webhooks as q};
use crate::db::{self, DbConn, DbError};
use crate::tokens::audit_event;

const DAY: i64 = 86_400;
/// The longest window one transaction covers; a longer gap is caught up window by window.
const MAX_WINDOW: i64 = DAY;
/// The thresholds, latest last: (seconds before `exp`, event, days to say).
const THRESHOLDS: [(i64, &str, Option<i64>); 3] = [
    (7 * DAY, TOKEN_EXPIRING, Some(7)),
    (DAY, TOKEN_EXPIRING, Some(1)),
    (0, TOKEN_EXPIRED, None),
];

/// Raises the notices due up to `now`; returns how many.
///
/// # Errors
/// Storage failed.
pub fn raise_due(conn: &mut DbConn, now: i64) -> Result<usize, DbError> {
    let mut raised = 0;
    loop {
        match raise_window(conn, now)? {
            Window::Raised { notices, caught_up } => {
                raised += notices;
                if caught_up {
                    return Ok(raised);
                }
            }
            Window::Nothing => return Ok(raised),
        }
    }
}

enum Window {
    /// The clock moved; `caught_up` when it reached `now`.
    Raised { notices: usize, caught_up: bool },
    /// Nothing to do: the clock is at `now`, just started, or another replica moved it.
    Nothing,
}

fn raise_window(conn: &mut DbConn, now: i64) -> Result<Window, DbError> {
    db::write_tx(conn, |c| {
        let Some(from) = q::notices_until(c)? else {
            q::start_notices(c, now)?;
            return Ok(Window::Nothing);
        };
        if now <= from {
            return Ok(Window::Nothing);
        }
        let to = now.min(from + MAX_WINDOW);
        // token id → (threshold index, token): the latest threshold in the window wins.
        let mut due: BTreeMap<String, (usize, TokenRow)> = BTreeMap::new();
        for (i, (before, _, _)) in THRESHOLDS.iter().enumerate() {
            for token in q::expiring_between(c, from + before, to + before)? {
                due.insert(token.id.clone(), (i, token));
            }
        }
        if !q::advance_notices(c, from, to)? {
            return Ok(Window::Nothing);
        }
        let events: Vec<_> = due
            .values()
            .map(|(i, token)| {
                let (_, action, days) = THRESHOLDS[*i];
                let detail = match days {
                    Some(d) => json!({"expires_in_days": d}),
                    None => json!({}),
                };
                audit_event(&token.workspace, action, Some(&token.id), None, detail, now)
            })
            .collect();
        audit_q::insert_many(c, &events)?;
        Ok(Window::Raised {
            notices: events.len(),
            caught_up: to == now,
        })
    })
}
