//! Envelope decode and verify on arbitrary bytes: never panics; what decodes is Skylark CBOR at
//! every level (message, header, body) and round-trips; the id is the hash of the header bytes as
//! received; verification keeps the bytes; the stripped remainder verifies with the same id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skylark::cbor::{Map, Value};
use skylark::envelope::{Envelope, SignedMessage};
use skylark::id::MessageId;
use skylark_fuzz::check_cbor_roundtrip;

fuzz_target!(|data: &[u8]| {
    let decoded = Envelope::decode(data);
    let signed = SignedMessage::from_bytes(data);
    let envelope = match decoded {
        Ok(envelope) => envelope,
        Err(error) => {
            // from_bytes is decode then verify: the same first failure.
            assert_eq!(signed.map(|_| ()), Err(error));
            return;
        }
    };
    // The message is a canonical map of byte strings; rebuilding it from its parts gives the input.
    let Some(Value::Map(message)) = check_cbor_roundtrip(data) else {
        panic!("a decoded envelope is not a canonical map");
    };
    let Some(Value::Bytes(header)) = message.get("h") else {
        panic!("no header");
    };
    assert_eq!(MessageId::of_header(header), envelope.id());
    assert!(check_cbor_roundtrip(header).is_some());
    let body = envelope.body().map(<[u8]>::to_vec);
    if let Some(body) = &body {
        assert!(matches!(check_cbor_roundtrip(body), Some(Value::Map(_))));
    }
    let mut rebuilt = Map::new();
    for (key, value) in message.iter() {
        rebuilt.insert(key, value.clone());
    }
    assert_eq!(Value::Map(rebuilt).to_bytes(), data);

    let header_value = envelope.header().clone();
    match (envelope.verify(), signed) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(ours, theirs);
            assert_eq!(ours.as_bytes(), data);
            assert_eq!(ours.header(), &header_value);
            assert_eq!(ours.header_bytes(), &header[..]);
            assert_eq!(ours.body(), body.as_deref());
            let body_map = ours.body_map();
            assert_eq!(body_map.map(|m| Value::Map(m).to_bytes()), body);
            let stripped = ours.stripped();
            let again = SignedMessage::from_bytes(stripped.as_bytes()).expect("stripped verifies");
            assert_eq!(again.id(), ours.id());
            assert_eq!(again.header(), ours.header());
            assert!(again.is_stripped());
            assert_eq!(again.stripped(), again);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("decode+verify and from_bytes disagree: {a:?} / {b:?}"),
    }
});
