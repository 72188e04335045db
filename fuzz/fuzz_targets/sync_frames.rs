//! Set-reconciliation frames (spec 09): arbitrary bytes given to a responder and to an initiator
//! over a fixed set of 300 items. Never panics; every answer is at most `FRAME_LIMIT` bytes and is
//! itself a frame the other role accepts or rejects with a code (never a panic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use skylark::id::MessageId;
use skylark::sync::{Initiator, Item, Responder, Set, FRAME_LIMIT};

fn set() -> Set {
    let items = (0u64..300).map(|i| {
        let mut id = [0u8; 32];
        id[..8].copy_from_slice(&(i * 0x9e37_79b9_7f4a_7c15).to_be_bytes());
        Item::new(1_764_115_200_000 + i / 3, MessageId::from_bytes(id))
    });
    Set::new(items).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let set = set();
    let salt = [7u8; 16];
    if let Ok(reply) = Responder::new(&set).respond(data) {
        assert!(reply.len() <= FRAME_LIMIT);
        let mut initiator = Initiator::new(&set, salt);
        let _ = initiator.open();
        if let Ok(Some(next)) = initiator.receive(&reply) {
            assert!(next.len() <= FRAME_LIMIT);
        }
    }
    let mut initiator = Initiator::new(&set, salt);
    let _ = initiator.open();
    if let Ok(Some(next)) = initiator.receive(data) {
        assert!(next.len() <= FRAME_LIMIT);
        let _ = Responder::new(&set).respond(&next);
    }
});
