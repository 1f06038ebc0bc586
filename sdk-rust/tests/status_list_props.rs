//! Property tests of the status-list codec (draft-ietf-oauth-status-list): for every `bits`
//! value, random capacities and random writes, what is encoded decodes to exactly the same
//! statuses, writes never touch a neighbour, and invalid writes are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gatepass::status_list::StatusList;
use proptest::prelude::*;

fn bits() -> impl Strategy<Value = u8> {
    prop_oneof![Just(1u8), Just(2), Just(4), Just(8)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn what_is_encoded_decodes_unchanged(
        bits in bits(),
        capacity in 1u64..4000,
        writes in prop::collection::vec((any::<u64>(), any::<u8>()), 0..200),
    ) {
        let mut list = StatusList::new(bits, capacity).unwrap();
        let max = ((1u16 << bits) - 1) as u8;
        // The model: one value per entry, the last write wins.
        let mut model = vec![0u8; list.capacity() as usize];
        for (idx, value) in writes {
            let idx = idx % list.capacity();
            let value = value & max;
            list.set(idx, value).unwrap();
            model[idx as usize] = value;
        }
        let decoded = StatusList::decode(u64::from(bits), &list.encode()).unwrap();
        prop_assert_eq!(decoded.bits(), bits);
        prop_assert_eq!(decoded.capacity(), list.capacity());
        prop_assert!(decoded.capacity() >= capacity, "rounded up to whole bytes, never down");
        for (i, want) in model.iter().enumerate() {
            prop_assert_eq!(decoded.get(i as u64), Some(*want), "entry {}", i);
        }
        prop_assert_eq!(decoded.get(list.capacity()), None);
    }

    #[test]
    fn invalid_writes_are_refused_and_change_nothing(
        bits in bits(),
        capacity in 1u64..2000,
        idx in any::<u64>(),
        value in any::<u8>(),
    ) {
        let mut list = StatusList::new(bits, capacity).unwrap();
        let before = list.as_bytes().to_vec();
        let max = ((1u16 << bits) - 1) as u8;
        let in_range = idx < list.capacity();
        let result = list.set(idx, value);
        prop_assert_eq!(result.is_ok(), in_range && value <= max);
        if result.is_err() {
            prop_assert_eq!(list.as_bytes(), &before[..]);
        }
    }
}
