//! Opening sealed direct messages (spec 08 §6) on hostile input: never panics, and never accepts
//! what it should not.
//!
//! Input: one mode byte, then
//! - mode 0: the rest, opened as sealed bytes as received (to a device with one-time prekeys);
//! - mode 1: the rest as a message text, signed, sealed with the library to that device and opened:
//!   it opens, to exactly the inner message, and uses its one-time slot once;
//! - mode 2: a sealed copy of a fixed message with the rest XORed over it from a fuzz-chosen
//!   offset: it opens only if nothing changed, and a failure uses no slot.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skylark::account::{Accounts, Operation};
use skylark::dm::{open, seal_deterministic, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey};
use skylark::envelope::Kind;
use skylark::keys::SecretKey;

const NOW: u64 = 1_764_115_200_000;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let root = SecretKey::from_seed([1; 32]);
    let app = SecretKey::from_seed([2; 32]);
    let genesis = Operation::genesis(&[root.public_key()], 1).unwrap().sign(&root).unwrap();
    let me = Accounts::account_id(&genesis);
    let scope = [Kind::new("dm").unwrap(), Kind::new("prekey").unwrap()];
    let delegate = Operation::delegate(me, genesis.id(), app.public_key(), &scope, 1 << 52, None, 2)
        .unwrap().accepted_by(&app).unwrap()
        .draft()
        .unwrap()
        .after(&genesis)
        .sign(&root)
        .unwrap();
    let mut accounts = Accounts::new();
    accounts.apply(&genesis).unwrap();
    accounts.apply(&delegate).unwrap();
    let mut keys = [DeviceKeys::new(
        [1; 16],
        EncryptionSecret::from_bytes([0x5a; 32]),
        PqSecret::from_seed([0x5b; 64]),
        vec![EncryptionSecret::from_bytes([0x5c; 32])],
    )];
    let bundle = Prekey::from_message(&keys[0].bundle(me, NOW - 1, NOW + 1).unwrap().sign(&app).unwrap()).unwrap();
    match mode % 3 {
        0 => {
            let _ = open(rest, &me, &mut keys, &accounts, NOW, |_| false);
        }
        1 => {
            let text = String::from_utf8_lossy(rest);
            let Ok(inner) = DmBody::new(&[me], &text).and_then(|b| b.sign(me, NOW, &app)) else {
                return;
            };
            let sealed = seal_deterministic(&inner, &bundle, Some(0), &[3; 32], &[4; 32]).unwrap();
            let opened = open(sealed.as_bytes(), &me, &mut keys, &accounts, NOW, |_| false).unwrap();
            assert_eq!(opened.inner(), &inner);
            let again = open(sealed.as_bytes(), &me, &mut keys, &accounts, NOW, |_| false);
            assert_eq!(again.err().map(|e| e.code()), Some("dm.onetime_consumed"));
        }
        _ => {
            let Some((&at, xor)) = rest.split_first() else {
                return;
            };
            let inner = DmBody::new(&[me], "fixed").unwrap().sign(me, NOW, &app).unwrap();
            let mut sealed = seal_deterministic(&inner, &bundle, Some(0), &[3; 32], &[4; 32]).unwrap().into_bytes();
            let start = usize::from(at) * sealed.len() / 256;
            let mut changed = false;
            for (b, x) in sealed[start..].iter_mut().zip(xor) {
                *b ^= x;
                changed |= *x != 0;
            }
            match open(&sealed, &me, &mut keys, &accounts, NOW, |_| false) {
                Ok(o) => assert!(!changed && o.inner() == &inner),
                Err(_) => assert_eq!(keys[0].onetime_held(), 1),
            }
        }
    }
});
