//! The key-operation state machine: a sequence of messages (pool references and raw bytes, see
//! `skylark_fuzz::messages`) applied in the given order, in reverse, and in a shuffled order with
//! duplicates; every account named ends in the same state. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skylark::account::{Accounts, GENESIS};
use skylark::id::AccountId;
use skylark_fuzz::{account_fingerprint, messages, permutation};
use std::collections::BTreeSet;

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let messages = messages(rest);
    let order = permutation(messages.len(), u64::from(seed));
    let orders: [Vec<usize>; 3] = [
        (0..messages.len()).collect(),
        (0..messages.len()).rev().collect(),
        // Shuffled, each message twice.
        order.iter().chain(order.iter().rev()).copied().collect(),
    ];
    let mut accounts_named: BTreeSet<AccountId> = BTreeSet::new();
    for m in &messages {
        accounts_named.insert(*m.header().account());
        if m.header().kind().as_str() == GENESIS {
            accounts_named.insert(Accounts::account_id(m));
        }
    }
    let states: Vec<Vec<String>> = orders
        .iter()
        .map(|order| {
            let mut accounts = Accounts::new();
            for &i in order {
                let _ = accounts.apply(&messages[i]);
            }
            accounts_named
                .iter()
                .map(|a| account_fingerprint(&accounts, a))
                .collect()
        })
        .collect();
    assert_eq!(states[0], states[1], "order changed the key state");
    assert_eq!(
        states[0], states[2],
        "order or duplicates changed the key state"
    );
});
