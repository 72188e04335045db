//! The reducer: a set of messages (pool references and raw bytes), each validated against a
//! context that authorizes every key and knows every header of the set, the valid ones applied in
//! the given order, in reverse, and shuffled with duplicates: the same digest and summary. Never
//! panics; the summary is canonical CBOR.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skylark::merge::State;
use skylark::message::{validate, Authorization, MemoryContext, Verdict};
use skylark_fuzz::{check_cbor_roundtrip, messages, permutation};

/// The `now` of the merge vectors.
const NOW: u64 = 1_767_312_000_000;

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let messages = messages(rest);
    let mut context = MemoryContext::new(NOW, Authorization::Authorized);
    for m in &messages {
        context.insert(m);
    }
    let valid: Vec<_> = messages
        .iter()
        .filter_map(|m| match validate(m.clone(), &context) {
            Verdict::Valid(v) => Some(v),
            _ => None,
        })
        .collect();
    let order = permutation(valid.len(), u64::from(seed));
    let orders: [Vec<usize>; 3] = [
        (0..valid.len()).collect(),
        (0..valid.len()).rev().collect(),
        order.iter().chain(order.iter().rev()).copied().collect(),
    ];
    let results: Vec<_> = orders
        .iter()
        .map(|order| {
            let mut state = State::new();
            for &i in order {
                state.apply(&valid[i]);
            }
            (state.digest(NOW), state.summary(NOW))
        })
        .collect();
    assert_eq!(results[0], results[1], "order changed the merged state");
    assert_eq!(
        results[0], results[2],
        "order or duplicates changed the merged state"
    );
    let summary = results[0].1.to_bytes();
    // Within the decoder's size limit (a summary of many large posts may exceed it), the summary
    // is Skylark CBOR that round-trips.
    if summary.len() <= skylark::cbor::MAX_SIZE {
        assert!(
            check_cbor_roundtrip(&summary).is_some(),
            "the summary is not Skylark CBOR"
        );
    }
});
