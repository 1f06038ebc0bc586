//! Where a new token's status lives, and the one order in which a transaction touches list rows.
//!
//! - A list hands out index `permutation(counter)` for counters `0, 1, 2, …` (its `used`
//!   column), so indexes look random and never repeat. Replicas take counters in blocks, in
//!   short transactions of their own, and hand them to mints from memory
//!   ([`super::reserve`]): `used` counts reserved indexes, which never come back once the
//!   reservation committed.
//! - The next list is created, in its own transaction, once the newest is half used, and signed
//!   and served by the replica that created it before any token is placed in it. Tokens go only
//!   into lists this replica already serves, preferring lists older than [`WARMUP_SECS`], which
//!   every replica's background sync has picked up by then.
//! - Lock order: a transaction changes token rows first, then list rows in ascending `seq`, then
//!   the event log's head ([`ListChanges::apply`]), so two transactions never wait for each other
//!   in a cycle.
//! - Every version a list takes is one event of the push channel's log, written in the same
//!   transaction (a new list is version 0).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};

use super::permutation::Permutation;
use super::Slot;
use crate::db::models::ListRow;
use crate::db::queries::{events, lists as q};
use crate::db::{DbConn, DbError};

/// The next list is created once the newest one has handed out this share of its indexes.
pub const PREPARE_AT: f64 = 0.5;
/// A list this old has been picked up by every replica (they sync every 2 s).
pub const WARMUP_SECS: i64 = 5;
/// How many of the newest lists allocation looks at (older ones are full or closed).
const LOOK_BACK: i64 = 4;

/// Why indexes could not be taken.
#[derive(Debug)]
pub enum AllocError {
    /// The lists this replica serves have fewer free indexes than asked for: create and publish
    /// the next list, then try again.
    NoRoom,
    /// Storage failed.
    Db(DbError),
}

impl From<DbError> for AllocError {
    fn from(e: DbError) -> Self {
        AllocError::Db(e)
    }
}

/// The newest lists, newest first.
///
/// # Errors
/// Storage failed.
pub fn newest(conn: &mut DbConn) -> Result<Vec<ListRow>, DbError> {
    q::newest(conn, LOOK_BACK)
}

/// The list to create before `n` more indexes can be taken, given the newest lists (newest
/// first) and which of them this replica serves: the next `seq`, or `None` when there is room.
pub fn next_to_create(newest: &[ListRow], served: &dyn Fn(&str) -> bool, n: u64) -> Option<i64> {
    let Some(top) = newest.first() else {
        return Some(1);
    };
    let Some(_) = &top.perm_key else {
        return Some(top.seq + 1);
    };
    let free: i64 = newest
        .iter()
        .filter(|l| l.perm_key.is_some() && served(&l.id))
        .map(|l| (l.capacity - l.used).max(0))
        .sum();
    let half_used = top.used as f64 >= top.capacity as f64 * PREPARE_AT;
    (half_used || free < i64::try_from(n).unwrap_or(i64::MAX)).then_some(top.seq + 1)
}

/// Creates list `seq` with a fresh permutation key, unless another replica just did. Runs in a
/// transaction of its own: the list must exist (and be published) before any token uses it.
///
/// # Errors
/// Storage failed.
pub fn create_unless_exists(
    conn: &mut DbConn,
    seq: i64,
    capacity: u64,
    now: i64,
) -> Result<(), DbError> {
    use diesel::Connection;
    let mut key = [0u8; 32];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| DbError::Unavailable("no randomness for a status list key".into()))?;
    let row = ListRow {
        id: seq.to_string(),
        seq,
        capacity: i64::try_from(capacity).unwrap_or(i64::MAX),
        used: 0,
        version: 0,
        created_at: now,
        perm_key: Some(URL_SAFE_NO_PAD.encode(key)),
    };
    let created = conn.transaction(|c| {
        q::insert(c, &row)?;
        events::append(c, &[(row.id.clone(), 0, Vec::new())], now)
    });
    match created {
        Err(e) if crate::db::is_unique_violation(&e) => Ok(()),
        other => other,
    }
}

/// Makes sure list 1 exists (so the index is never empty).
///
/// # Errors
/// Storage failed.
pub fn ensure_first(conn: &mut DbConn, capacity: u64, now: i64) -> Result<(), DbError> {
    if q::newest(conn, 1)?.is_empty() {
        create_unless_exists(conn, 1, capacity, now)?;
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Change {
    id: String,
    take: i64,
    /// Indexes revoked in this list by the transaction (its version moves once if any).
    revoked: Vec<i64>,
    capacity: i64,
    perm_key: Option<String>,
}

/// The list-row changes of one transaction: indexes taken and versions bumped, applied
/// together in ascending `seq` (the one lock order for list rows).
#[derive(Debug, Default)]
pub struct ListChanges {
    lists: BTreeMap<i64, Change>,
}

fn seq_of(id: &str) -> i64 {
    id.parse().unwrap_or(i64::MAX)
}

impl ListChanges {
    /// Records that index `idx` of list `id` was revoked: the list's version moves once per
    /// transaction, and that version's event names every such index.
    pub fn revoke(&mut self, id: &str, idx: i64) {
        self.lists
            .entry(seq_of(id))
            .or_insert_with(|| Change {
                id: id.to_owned(),
                ..Change::default()
            })
            .revoked
            .push(idx);
    }

    /// The lists in which this transaction revokes, in ascending `seq`: the ones to rebuild
    /// once it commits.
    pub fn revoked_lists(&self) -> Vec<String> {
        self.lists
            .values()
            .filter(|c| !c.revoked.is_empty())
            .map(|c| c.id.clone())
            .collect()
    }

    /// Plans `n` indexes from the newest lists (newest first, as read in this transaction):
    /// only lists this replica serves, older than [`WARMUP_SECS`] first, oldest first.
    ///
    /// # Errors
    /// [`AllocError::NoRoom`] when they have fewer than `n` free indexes.
    pub fn plan(
        &mut self,
        newest: &[ListRow],
        served: &dyn Fn(&str) -> bool,
        now: i64,
        n: usize,
    ) -> Result<(), AllocError> {
        let mut open: Vec<&ListRow> = newest
            .iter()
            .filter(|l| l.perm_key.is_some() && l.used < l.capacity && served(&l.id))
            .collect();
        open.sort_by_key(|l| (l.created_at > now - WARMUP_SECS, l.seq));
        let mut left = i64::try_from(n).unwrap_or(i64::MAX);
        for list in open {
            if left == 0 {
                break;
            }
            let take = left.min(list.capacity - list.used);
            let change = self.lists.entry(list.seq).or_insert_with(|| Change {
                id: list.id.clone(),
                ..Change::default()
            });
            change.take += take;
            change.capacity = list.capacity;
            change.perm_key.clone_from(&list.perm_key);
            left -= take;
        }
        if left > 0 {
            return Err(AllocError::NoRoom);
        }
        Ok(())
    }

    /// Applies the changes in ascending `seq`, then logs one event per changed list; returns
    /// the planned slots, in that order.
    ///
    /// # Errors
    /// [`AllocError::NoRoom`] when another transaction took the last indexes of a planned list
    /// first (the transaction must be rolled back and retried), or storage failed.
    pub fn apply(self, conn: &mut DbConn, now: i64) -> Result<Vec<Slot>, AllocError> {
        let mut slots = Vec::new();
        let mut changed = Vec::new();
        for mut change in self.lists.into_values() {
            let revoking = !change.revoked.is_empty();
            // A change takes indexes (from `plan`), revokes some (from `revoke`), or both.
            let version = if change.take == 0 {
                q::bump_version(conn, &change.id)?
            } else {
                let (used, version) =
                    q::take_and_bump(conn, &change.id, change.take, i64::from(revoking))?
                        .ok_or(AllocError::NoRoom)?;
                let key = change
                    .perm_key
                    .as_deref()
                    .and_then(|k| URL_SAFE_NO_PAD.decode(k).ok())
                    .ok_or(AllocError::NoRoom)?;
                let permutation = Permutation::new(&key, change.capacity as u64);
                for counter in (used - change.take)..used {
                    slots.push(Slot {
                        list: change.id.clone(),
                        idx: permutation.apply(counter as u64) as i64,
                    });
                }
                version
            };
            if revoking {
                change.revoked.sort_unstable();
                changed.push((change.id, version, change.revoked));
            }
        }
        events::append(conn, &changed, now)?;
        Ok(slots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(seq: i64, used: i64, capacity: i64, created_at: i64) -> ListRow {
        ListRow {
            id: seq.to_string(),
            seq,
            capacity,
            used,
            version: 0,
            created_at,
            perm_key: Some("a2V5".into()),
        }
    }

    #[test]
    fn the_next_list_is_made_at_half_use_or_when_room_is_short() {
        let all = |_: &str| true;
        assert_eq!(next_to_create(&[], &all, 1), Some(1));
        assert_eq!(next_to_create(&[list(1, 10, 100, 0)], &all, 1), None);
        assert_eq!(next_to_create(&[list(1, 50, 100, 0)], &all, 1), Some(2));
        assert_eq!(next_to_create(&[list(1, 10, 100, 0)], &all, 91), Some(2));
        let mut legacy = list(3, 0, 100, 0);
        legacy.perm_key = None;
        assert_eq!(
            next_to_create(&[legacy], &all, 1),
            Some(4),
            "a list without a key is closed"
        );
        let none = |_: &str| false;
        assert_eq!(
            next_to_create(&[list(1, 10, 100, 0)], &none, 1),
            Some(2),
            "lists not served here do not count"
        );
    }

    #[test]
    fn plans_prefer_warm_lists_and_span_lists_in_order() {
        let all = |_: &str| true;
        let now = 1_000;
        let newest = [list(3, 0, 100, now), list(2, 60, 100, 0)];
        let mut changes = ListChanges::default();
        changes.plan(&newest, &all, now, 70).unwrap();
        let planned: Vec<(i64, i64)> = changes.lists.iter().map(|(s, c)| (*s, c.take)).collect();
        assert_eq!(
            planned,
            [(2, 40), (3, 30)],
            "the warm list first, then the new one"
        );
        let mut changes = ListChanges::default();
        assert!(matches!(
            changes.plan(&newest, &all, now, 141),
            Err(AllocError::NoRoom)
        ));
        let only_2 = |id: &str| id == "2";
        let mut changes = ListChanges::default();
        assert!(
            matches!(
                changes.plan(&newest, &only_2, now, 41),
                Err(AllocError::NoRoom)
            ),
            "list 3 is not served here yet"
        );
    }
}
