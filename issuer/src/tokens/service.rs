//! The token operations: create, revoke and rotate (one or a batch of up to 1000, all or
//! nothing), and the revocations a rotation's grace period schedules.
//!
//! Each operation is one write transaction (a mint on PostgreSQL: one statement) in which
//! - every state change is conditional on the state it read (`… WHERE revoked_at IS NULL AND
//!   rotated_to IS NULL`, row count checked), so two rotations of one token, or a rotation and a
//!   revocation, cannot both win;
//! - locks are taken in one order: token rows by ascending id, then status-list rows by
//!   ascending `seq` ([`ListChanges::apply`]); deadlocks cannot form, and a serialization
//!   failure is retried by [`db::write_tx`];
//! - a token row is read once.
//!
//! New tokens only go into status lists this replica already serves (created and published
//! first, see [`crate::status::alloc`]), at slots it reserved beforehand in a transaction of
//! their own ([`crate::status::reserve`]): a mint's transaction touches no list row, so mints
//! do not queue behind one another's commits. After a revocation the replica rebuilds its lists before
//! answering, so its own API refuses the token at once.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::caps::{CappedBy, ExpiryLimits};
use super::error::ServiceError;
use super::requests::authorize;
use super::{audit_event, new_id, sign, text, Caller, MintSpec};
use crate::db::models::ListRow;
use crate::db::models::{AuditRow, TokenRow};
use crate::db::queries::tokens::CapSeen;
use crate::db::queries::{audit as audit_q, tokens as q, workspaces as ws_q};
use crate::db::{self, DbConn, DbError, TxError};
use crate::state::{now, AppState};
use crate::status::alloc::{self, AllocError, ListChanges};
use crate::status::reserve::Reserve;
use crate::status::Slot;
use crate::sync::Lists;

/// The largest grace period of a rotation: 30 days.
pub const MAX_GRACE_SECONDS: u64 = 2_592_000;
/// How many due grace-period revocations one background round carries out.
const DUE_PER_ROUND: i64 = 1000;

/// A token just made: the secret (shown once), the stored row, and whether its expiry was cut.
#[derive(Debug)]
pub struct Created {
    /// The secret.
    pub secret: String,
    /// The stored row.
    pub row: TokenRow,
    /// Set when the expiry was cut short by a limit.
    pub capped_by: Option<CappedBy>,
}

/// One rotation: the successor, and the old token as it is now.
#[derive(Debug)]
pub struct Rotated {
    /// The new token.
    pub new: Created,
    /// The old token, revoked or with its revocation scheduled.
    pub old: TokenRow,
}

/// How many times an operation publishes the next list because others took the room.
const ROOM_ATTEMPTS: u32 = 4;

/// How a transaction of this module can fail.
enum Fail {
    /// The operation failed.
    Op(ServiceError),
    /// The lists served here ran out of room: publish the next list and run again.
    NoRoom,
}

impl<E: Into<ServiceError>> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail::Op(e.into())
    }
}

impl From<AllocError> for Fail {
    fn from(e: AllocError) -> Self {
        match e {
            AllocError::NoRoom => Fail::NoRoom,
            AllocError::Db(e) => e.into(),
        }
    }
}

impl TxError for Fail {
    fn is_transient(&self) -> bool {
        matches!(self, Fail::Op(e) if e.is_transient())
    }
}

/// True for a string shaped like a token id (`tok_` + 26 Crockford base32 characters); anything
/// else names no token, so it never reaches the database.
pub fn is_token_id(id: &str) -> bool {
    id.len() == 30
        && id.starts_with("tok_")
        && id[4..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

fn not_visible(id: &str) -> ServiceError {
    // The id is echoed: only its plain text.
    ServiceError::NotVisible(text::shown(id))
}

/// Loads the tokens `ids`, in that order, each visible to `caller` (the operator, `None`, sees
/// every token). One read per transaction.
///
/// # Errors
/// [`ServiceError::NotVisible`] naming the first id out of reach (tokens out of reach are not
/// revealed); storage failed.
pub fn load_visible(
    conn: &mut DbConn,
    caller: Option<&Caller>,
    ids: &[String],
) -> Result<Vec<TokenRow>, ServiceError> {
    visible_in_order(q::get_many, conn, caller, ids)
}

/// The rows `read` finds for `ids`, in the order of `ids`, each visible to `caller`.
fn visible_in_order(
    read: fn(&mut DbConn, &[String]) -> Result<Vec<TokenRow>, DbError>,
    conn: &mut DbConn,
    caller: Option<&Caller>,
    ids: &[String],
) -> Result<Vec<TokenRow>, ServiceError> {
    if let Some(bad) = ids.iter().find(|id| !is_token_id(id)) {
        return Err(not_visible(bad));
    }
    let mut found: HashMap<String, TokenRow> = read(conn, ids)?
        .into_iter()
        .filter(|r| caller.is_none_or(|c| c.can_see(r)))
        .map(|r| (r.id.clone(), r))
        .collect();
    ids.iter()
        .map(|id| found.remove(id).ok_or_else(|| not_visible(id)))
        .collect()
}

/// [`load_visible`] for a change: the rows are locked in id order ([`q::lock_many`]), so no
/// other transaction changes them before this one ends.
///
/// # Errors
/// As [`load_visible`].
pub fn load_visible_locked(
    conn: &mut DbConn,
    caller: Option<&Caller>,
    ids: &[String],
) -> Result<Vec<TokenRow>, ServiceError> {
    visible_in_order(q::lock_many, conn, caller, ids)
}

/// One token the caller may see.
///
/// # Errors
/// [`ServiceError::NotVisible`] when it does not exist or is out of reach.
pub fn visible(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<TokenRow, ServiceError> {
    let mut rows = load_visible(conn, Some(caller), std::slice::from_ref(&id.to_owned()))?;
    rows.pop().ok_or_else(|| not_visible(id))
}

/// A workspace's maximum expiry, and where it came from.
#[derive(Debug, Clone)]
pub struct WorkspaceCap {
    /// In days (`None`: no cap).
    pub days: Option<i64>,
    /// The stored value it is, which a mint must find unchanged when it stores the token
    /// (`None` when configuration sets the cap: nothing to check).
    pub seen: Option<CapSeen>,
    /// Whether it came from this replica's memory (it may be out of date) rather than the
    /// store.
    pub remembered: bool,
}

/// The workspace's maximum expiry (configuration wins over the stored value). With
/// `remember`, a value this replica read before is used without a round trip: the statement
/// that stores a token checks it is unchanged ([`q::insert_with_events`]); when it is not, or
/// when a refusal may come from an outdated cap, the caller asks again without `remember`.
/// Every read from the store is remembered.
///
/// # Errors
/// Storage failed.
pub fn workspace_cap(
    state: &AppState,
    conn: &mut DbConn,
    workspace: &str,
    remember: bool,
) -> Result<WorkspaceCap, DbError> {
    if let Some(days) = state.config.max_expiry_days.get(workspace) {
        return Ok(WorkspaceCap {
            days: Some(i64::from(*days)),
            seen: None,
            remembered: false,
        });
    }
    let remembered = remember
        .then(|| state.workspace_caps.get(workspace))
        .flatten();
    let days = match remembered {
        Some(days) => days,
        None => {
            let days = ws_q::max_expiry_days(conn, workspace)?;
            state.workspace_caps.insert(workspace.to_owned(), days);
            days
        }
    };
    Ok(WorkspaceCap {
        days,
        seen: Some(CapSeen {
            workspace: workspace.to_owned(),
            days,
        }),
        remembered: remembered.is_some(),
    })
}

/// The limits on what `caller` creates: its workspace's cap (read from the store) and its own
/// expiry.
///
/// # Errors
/// Storage failed.
pub fn expiry_limits(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
) -> Result<ExpiryLimits, DbError> {
    Ok(mint_limits(state, conn, caller, false)?.0)
}

/// The limits a mint by `caller` decides with, and its workspace's cap as
/// [`workspace_cap`] gives it (`remember` as there).
///
/// # Errors
/// Storage failed.
pub fn mint_limits(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
    remember: bool,
) -> Result<(ExpiryLimits, WorkspaceCap), DbError> {
    let cap = workspace_cap(state, conn, &caller.workspace, remember)?;
    let limits = ExpiryLimits {
        workspace_days: cap.days,
        creator_expires_at: caller.expires_at,
    };
    Ok((limits, cap))
}

/// The conflict of a mint whose workspace cap changed between its decision and its store.
pub const CAP_CHANGED: &str = "workspace_changed";

/// Creates and publishes status lists until the lists this replica serves have room for `n`
/// more tokens (and the newest is less than half used), each in its own committed transaction
/// and signed here before any token points at it. Picks up lists other replicas made. Returns
/// the newest lists as last read, for the allocation plan (its counters are re-checked by the
/// conditional update that takes them).
///
/// # Errors
/// Storage or signing failed.
pub fn prepare_lists(
    state: &AppState,
    conn: &mut DbConn,
    n: usize,
) -> Result<Vec<ListRow>, ServiceError> {
    let sync = |state: &AppState, conn: &mut DbConn, ids: &[String]| {
        crate::sync::sync_lists(state, conn, Lists::Named(ids)).map_err(ServiceError::Publish)
    };
    let mut synced = false;
    for _ in 0..8 {
        let newest = alloc::newest(conn)?;
        let unserved: Vec<String> = newest
            .iter()
            .filter(|l| !state.lists.contains(&l.id))
            .map(|l| l.id.clone())
            .collect();
        if !synced && !unserved.is_empty() {
            sync(state, conn, &unserved)?;
            synced = true;
            continue;
        }
        let served = |id: &str| state.lists.contains(id);
        let Some(seq) = alloc::next_to_create(&newest, &served, n as u64) else {
            return Ok(newest);
        };
        alloc::create_unless_exists(conn, seq, state.config.status_list_capacity, now())?;
        sync(state, conn, &[seq.to_string()])?;
        // Announce the new list, so connected verifiers load it before any token names it.
        state.hub.wake();
        synced = true;
    }
    Ok(alloc::newest(conn)?)
}

/// `n` status slots for new tokens: from this replica's reserve, or reserved now, together
/// with a block for the mints that follow, in a short transaction of its own (see
/// [`crate::status::reserve`]). When another replica took the room first, publishes the next
/// list and tries again.
///
/// # Errors
/// No room after [`ROOM_ATTEMPTS`] new lists; storage or signing failed.
fn take_slots(state: &AppState, conn: &mut DbConn, n: usize) -> Result<Vec<Slot>, ServiceError> {
    if let Some(slots) = state.reserve.take(n) {
        return Ok(slots);
    }
    let block = Reserve::block_for(state.config.status_list_capacity);
    for _ in 0..ROOM_ATTEMPTS {
        let newest = prepare_lists(state, conn, n)?;
        let served = |id: &str| state.lists.contains(id);
        let reserved = db::write_tx(conn, |c| {
            let now = now();
            // The need and a block if the lists have room for both, else just the need.
            let mut changes = ListChanges::default();
            if changes.plan(&newest, &served, now, n + block).is_err() {
                changes = ListChanges::default();
                changes.plan(&newest, &served, now, n)?;
            }
            Ok::<_, Fail>(changes.apply(c, now)?)
        });
        match reserved {
            Ok(mut slots) => {
                let spare = slots.split_off(n.min(slots.len()));
                state.reserve.add(spare);
                // The reservation may have taken the newest list past half use: make and
                // publish the next one now, not a block of mints later. This mint has its slots
                // either way; a failure here is retried by the next reservation.
                if let Err(e) = prepare_lists(state, conn, 0) {
                    tracing::warn!(error = %e, "preparing the next status list failed; the next reservation retries");
                }
                return Ok(slots);
            }
            Err(Fail::NoRoom) => continue,
            Err(Fail::Op(e)) => return Err(e),
        }
    }
    Err(ServiceError::NoRoom(ROOM_ATTEMPTS))
}

/// Runs `f` in a write transaction with `slots`; when it certainly rolled back (any error but
/// storage's, whose outcome may be unknown), the slots go back into the reserve.
fn with_slots<T>(
    state: &AppState,
    conn: &mut DbConn,
    slots: Vec<Slot>,
    f: impl FnMut(&mut DbConn) -> Result<T, Fail>,
) -> Result<T, ServiceError> {
    match db::write_tx(conn, f) {
        Ok(v) => Ok(v),
        Err(Fail::Op(ServiceError::Db(e))) => Err(ServiceError::Db(e)),
        Err(Fail::Op(e)) => {
            state.reserve.give_back(slots);
            Err(e)
        }
        // Nothing in these transactions plans list room any more.
        Err(Fail::NoRoom) => {
            state.reserve.give_back(slots);
            Err(ServiceError::NoRoom(ROOM_ATTEMPTS))
        }
    }
}

/// Signs and stores tokens for `specs`, all or none; `detail` goes into each audit event. On
/// PostgreSQL the tokens and their events are one statement (one round trip), on SQLite one
/// transaction.
///
/// # Errors
/// Storage or signing failed.
pub fn create(
    state: &AppState,
    conn: &mut DbConn,
    actor: Option<&Caller>,
    specs: &[MintSpec],
    detail: &Value,
    cap: Option<&CapSeen>,
) -> Result<Vec<Created>, ServiceError> {
    let slots = take_slots(state, conn, specs.len())?;
    let now = now();
    let created = match sign_all(state, specs, &slots, now) {
        Ok(created) => created,
        Err(e) => {
            state.reserve.give_back(slots);
            return Err(e);
        }
    };
    let rows: Vec<TokenRow> = created.iter().map(|c| c.row.clone()).collect();
    let events: Vec<AuditRow> = rows
        .iter()
        .map(|row| {
            let mut d = json!({"name": row.name, "scopes": row.scopes});
            merge(&mut d, detail);
            audit_event(
                &row.workspace,
                "token.created",
                Some(&row.id),
                actor,
                d,
                now,
            )
        })
        .collect();
    // A failed store keeps its slots out of the reserve: when the connection was lost under
    // the statement, whether it committed is unknown.
    let stored = match conn {
        DbConn::Postgres(pg) if rows.len() <= q::INSERT_CHUNK => {
            q::insert_with_events(pg, &rows, &events, cap)?
        }
        _ => db::write_tx(conn, |c| {
            if let Some(cap) = cap {
                // SQLite's write lock is held from the transaction's start, so the cap read
                // here holds until the commit (PostgreSQL comes here only for batches larger
                // than one statement takes).
                if ws_q::max_expiry_days(c, &cap.workspace)? != cap.days {
                    return Ok(false);
                }
            }
            store(c, &rows, &events).map(|()| true)
        })?,
    };
    if !stored {
        // Nothing was written: the slots are still free.
        if let Some(cap) = cap {
            state.workspace_caps.remove(&cap.workspace);
        }
        state.reserve.give_back(slots);
        return Err(ServiceError::Conflict {
            code: CAP_CHANGED,
            detail: "the workspace's maximum expiry changed during the request; try again".into(),
        });
    }
    crate::metrics::METRICS.minted.inc_by(created.len() as u64);
    state.webhook_wake.notify_one();
    Ok(created)
}

/// Signs a token for each spec at its slot, cut to its creator's expiry (the workspace cap was
/// checked with the request).
fn sign_all(
    state: &AppState,
    specs: &[MintSpec],
    slots: &[Slot],
    now: i64,
) -> Result<Vec<Created>, ServiceError> {
    let key = state.keys.load().signing(now);
    specs
        .iter()
        .zip(slots.iter().cloned())
        .map(|(spec, slot)| {
            let limits = ExpiryLimits {
                workspace_days: None,
                creator_expires_at: spec.not_after,
            };
            let mut spec = spec.clone();
            let (lifetime_secs, capped_by) = limits.clamp(now, spec.lifetime_secs);
            spec.lifetime_secs = lifetime_secs;
            let (secret, row) = sign(&state.config, &key, &spec, new_id("tok_"), slot, now)?;
            Ok(Created {
                secret,
                row,
                capped_by,
            })
        })
        .collect()
}

/// Revokes every id (each visible to `actor`, or nothing changes); already revoked ones stay
/// as they are (revocation is final and idempotent). Republishes the lists before returning.
///
/// # Errors
/// [`ServiceError::NotVisible`] for the first id out of reach; storage failed.
pub fn revoke(
    state: &AppState,
    conn: &mut DbConn,
    actor: Option<&Caller>,
    ids: &[String],
    detail: &Value,
) -> Result<Vec<TokenRow>, ServiceError> {
    let (rows, lists, revoked_now) = db::write_tx(conn, |c| {
        let now = now();
        let mut rows = load_visible_locked(c, actor, ids)?;
        // Rows are locked in id order; one statement revokes every one not revoked yet.
        let live: Vec<String> = rows
            .iter()
            .filter(|r| r.revoked_at.is_none())
            .map(|r| r.id.clone())
            .collect();
        let revoked: std::collections::HashSet<String> = if live.is_empty() {
            Default::default()
        } else {
            q::revoke_many(c, &live, now)?.into_iter().collect()
        };
        let mut changes = ListChanges::default();
        let mut events = Vec::with_capacity(revoked.len());
        for row in rows.iter_mut().filter(|r| revoked.contains(&r.id)) {
            row.revoked_at = Some(now);
            row.revokes_at = None;
            changes.revoke(&row.status_list, row.status_idx);
            events.push(audit_event(
                &row.workspace,
                "token.revoked",
                Some(&row.id),
                actor,
                detail.clone(),
                now,
            ));
        }
        let lists = changes.revoked_lists();
        changes.apply(c, now).map_err(Fail::from)?;
        audit_q::insert_many(c, &events)?;
        Ok::<_, Fail>((rows, lists, events.len()))
    })
    .map_err(|e| match e {
        Fail::Op(e) => e,
        // Revoking takes no slot; kept total for the type.
        Fail::NoRoom => ServiceError::NoRoom(1),
    })?;
    crate::metrics::METRICS.revoked.inc_by(revoked_now as u64);
    if !lists.is_empty() {
        publish(state, conn, &lists);
        state.webhook_wake.notify_one();
    }
    Ok(rows)
}

/// Rotates every id in one transaction (all or nothing): a successor with the same name,
/// description, subject and scopes, and the old lifetime from now, cut to the workspace cap and
/// to the caller's own expiry. The old token is revoked at once, or after `grace` seconds.
///
/// # Errors
/// `NotVisible` for an id out of reach, `Conflict` for a revoked or already rotated token (also
/// when another request revoked or rotated it first), `Forbidden` for scopes the caller lacks,
/// `Invalid` for `grace`.
pub fn rotate(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
    ids: &[String],
    grace: u64,
) -> Result<Vec<Rotated>, ServiceError> {
    if grace > MAX_GRACE_SECONDS {
        return Err(ServiceError::invalid(
            "grace_period_seconds",
            format!("must be 0 to {MAX_GRACE_SECONDS}"),
        ));
    }
    let slots = take_slots(state, conn, ids.len())?;
    let (rotated, revoked_in) = with_slots(state, conn, slots.clone(), |c| {
        let now = now();
        let key = state.keys.load().signing(now);
        let olds = load_visible_locked(c, Some(caller), ids)?;
        for old in &olds {
            refuse_if_settled(old)?;
            authorize(caller, &scopes_of(old), &old.subject)?;
        }
        let limits = expiry_limits(state, c, caller)?;
        let successors: Vec<String> = olds.iter().map(|_| new_id("tok_")).collect();
        let revokes_at = (grace > 0).then(|| now + grace as i64);
        // The rows are locked and were checked above: one statement claims them all.
        let pairs: Vec<(String, String)> = olds
            .iter()
            .zip(&successors)
            .map(|(old, successor)| (old.id.clone(), successor.clone()))
            .collect();
        if q::claim_rotations(c, &pairs, now, revokes_at)? != pairs.len() {
            // Another transaction revoked or rotated one after our read.
            let ids: Vec<String> = olds.iter().map(|o| o.id.clone()).collect();
            for current in q::get_many(c, &ids)? {
                refuse_if_settled(&current)?;
            }
            return Err(ServiceError::Conflict {
                code: "token_changed",
                detail: "a token changed during the rotation; try again".into(),
            }
            .into());
        }
        let mut changes = ListChanges::default();
        if revokes_at.is_none() {
            for old in &olds {
                changes.revoke(&old.status_list, old.status_idx);
            }
        }
        // Only the old tokens' lists change here (their versions, when revoked at once).
        let revoked_in = changes.revoked_lists();
        changes.apply(c, now)?;
        let mut out = Vec::with_capacity(olds.len());
        for ((old, slot), successor) in olds.into_iter().zip(slots.iter().cloned()).zip(successors)
        {
            let (lifetime_secs, capped_by) = limits.clamp(now, old.lifetime_secs);
            let spec = MintSpec {
                workspace: old.workspace.clone(),
                subject: old.subject.clone(),
                name: old.name.clone(),
                description: old.description.clone(),
                scopes: scopes_of(&old),
                lifetime_secs,
                not_after: None,
                created_by: Some(caller.token_id.clone()),
                rotated_from: Some(old.id.clone()),
                platform: false,
            };
            let (secret, row) = sign(&state.config, &key, &spec, successor, slot, now)?;
            let mut old = old;
            old.rotated_to = Some(row.id.clone());
            match revokes_at {
                None => old.revoked_at = Some(now),
                Some(at) => old.revokes_at = Some(at),
            }
            out.push(Rotated {
                new: Created {
                    secret,
                    row,
                    capped_by,
                },
                old,
            });
        }
        let rows: Vec<TokenRow> = out.iter().map(|r| r.new.row.clone()).collect();
        let events: Vec<AuditRow> = rows
            .iter()
            .map(|row| {
                audit_event(
                    &row.workspace,
                    "token.rotated",
                    row.rotated_from.as_deref(),
                    Some(caller),
                    json!({"new_token": row.id, "grace_period_seconds": grace}),
                    now,
                )
            })
            .collect();
        store(c, &rows, &events)?;
        Ok((out, revoked_in))
    })?;
    let m = &crate::metrics::METRICS;
    m.rotated.inc_by(rotated.len() as u64);
    m.minted.inc_by(rotated.len() as u64);
    state.webhook_wake.notify_one();
    if grace == 0 {
        m.revoked.inc_by(rotated.len() as u64);
        publish(state, conn, &revoked_in);
    }
    Ok(rotated)
}

/// Carries out up to 1000 grace-period revocations that are due; returns how many.
///
/// # Errors
/// Storage failed.
pub fn apply_due_revocations(state: &AppState, conn: &mut DbConn) -> Result<usize, ServiceError> {
    let due = q::due_revocations(conn, now(), DUE_PER_ROUND)?;
    if due.is_empty() {
        return Ok(0);
    }
    revoke(
        state,
        conn,
        None,
        &due,
        &json!({"reason": "grace period ended"}),
    )?;
    Ok(due.len())
}

/// Rebuilds changed lists right away, so this replica (and its own API) serves the change, and
/// wakes the push channel to stream it.
pub fn publish(state: &AppState, conn: &mut DbConn, lists: &[String]) {
    state.hub.wake();
    if let Err(e) = crate::sync::sync_lists(state, conn, Lists::Named(lists)) {
        tracing::warn!(error = %e, "rebuilding status lists failed; the background sync will retry");
    }
}

/// A conflict for a token that can no longer be rotated.
fn refuse_if_settled(row: &TokenRow) -> Result<(), ServiceError> {
    if row.revoked_at.is_some() {
        return Err(ServiceError::Conflict {
            code: "token_revoked",
            detail: format!(
                "token \"{}\" is revoked; a revoked token cannot be rotated",
                row.id
            ),
        });
    }
    if let Some(next) = &row.rotated_to {
        return Err(ServiceError::Conflict {
            code: "token_rotated",
            detail: format!("token \"{}\" was already rotated to \"{next}\"", row.id),
        });
    }
    Ok(())
}

fn scopes_of(row: &TokenRow) -> Vec<String> {
    row.scopes
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Stores new token rows and one audit event each.
fn store(conn: &mut DbConn, rows: &[TokenRow], events: &[AuditRow]) -> Result<(), DbError> {
    q::insert_many(conn, rows)?;
    audit_q::insert_many(conn, events)
}

/// Adds the members of `extra` (an object) to `detail`.
fn merge(detail: &mut Value, extra: &Value) {
    if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_ids_are_recognised_before_any_query() {
        assert!(is_token_id(&new_id("tok_")));
        assert!(!is_token_id("tok_\0AAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!is_token_id("evt_01KAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!is_token_id("tok_short"));
        assert!(!is_token_id("tok_01kaaaaaaaaaaaaaaaaaaaaaaa"));
    }
}
