//! Status slots this replica has reserved and not handed out yet.
//!
//! Taking a list's counter inside every mint's transaction made the list row the one hot row
//! of the database: each mint held its lock until its commit was on disk, so on PostgreSQL mints
//! ran one at a time, one disk flush each. Instead a replica takes counters in blocks, in a
//! short transaction of their own ([`BLOCK`] at a time, see `tokens::service::take_slots`), and
//! hands them to mints from memory; a mint's own transaction then only inserts its rows, and
//! concurrent mints commit together.
//!
//! What this costs: a slot reserved and never used (its replica stopped, or its mint failed in
//! a way whose outcome is unknown) is skipped for good. Its bit stays 0 and no token names it;
//! a list's `used` counts reserved slots, so lists fill by at most a block per replica earlier.
//! No slot is ever handed out twice: a slot goes back into the reserve only when the
//! transaction that was to use it certainly rolled back.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::Slot;

/// Slots reserved at a time beyond what the mint that reserves them needs.
pub const BLOCK: usize = 64;

/// The reserve: slots in the order they are to be handed out.
#[derive(Debug, Default)]
pub struct Reserve {
    slots: Mutex<VecDeque<Slot>>,
}

impl Reserve {
    /// How many slots to reserve beyond a need, for lists of `capacity`: [`BLOCK`], but never
    /// more than an eighth of a list, so small lists are not swallowed by one replica.
    pub fn block_for(capacity: u64) -> usize {
        BLOCK.min(usize::try_from(capacity / 8).unwrap_or(BLOCK))
    }

    /// `n` slots, or `None` (and nothing taken) when fewer are reserved.
    pub fn take(&self, n: usize) -> Option<Vec<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        (slots.len() >= n).then(|| slots.drain(..n).collect())
    }

    /// Adds newly reserved slots, after those already held.
    pub fn add(&self, more: impl IntoIterator<Item = Slot>) {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(more);
    }

    /// Returns slots whose transaction certainly rolled back; they are handed out next.
    pub fn give_back(&self, unused: Vec<Slot>) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        for slot in unused.into_iter().rev() {
            slots.push_front(slot);
        }
    }

    /// How many slots are held.
    pub fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when no slot is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(idx: i64) -> Slot {
        Slot {
            list: "1".into(),
            idx,
        }
    }

    #[test]
    fn slots_go_out_in_order_and_come_back_first() {
        let reserve = Reserve::default();
        assert_eq!(reserve.take(1), None);
        reserve.add((0..5).map(slot));
        assert_eq!(reserve.take(6), None, "all or nothing");
        assert_eq!(reserve.len(), 5);
        let taken = reserve.take(2).unwrap();
        assert_eq!(taken, vec![slot(0), slot(1)]);
        reserve.give_back(taken);
        assert_eq!(
            reserve.take(5).unwrap(),
            (0..5).map(slot).collect::<Vec<_>>()
        );
        assert!(reserve.is_empty());
    }

    #[test]
    fn small_lists_get_small_blocks() {
        assert_eq!(Reserve::block_for(1 << 20), BLOCK);
        assert_eq!(Reserve::block_for(256), 32);
        assert_eq!(Reserve::block_for(4), 0);
    }
}
