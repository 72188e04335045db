//! The strict CBOR decoder on arbitrary bytes: never panics; `decode` and `check` agree; the error
//! offset lies within the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skylark::cbor::{self, DecodeError};

fuzz_target!(|data: &[u8]| {
    let decoded = cbor::decode(data);
    let checked = cbor::check(data);
    assert_eq!(decoded.as_ref().map(|_| ()).map_err(|e| *e), checked);
    match checked {
        Ok(()) => {}
        Err(DecodeError::TooLarge { len }) => assert_eq!(len, data.len()),
        Err(
            DecodeError::Truncated { offset }
            | DecodeError::TrailingBytes { offset }
            | DecodeError::MalformedHead { offset }
            | DecodeError::IndefiniteLength { offset }
            | DecodeError::NonMinimalInteger { offset }
            | DecodeError::NonMinimalLength { offset }
            | DecodeError::InvalidUtf8 { offset }
            | DecodeError::Float { offset }
            | DecodeError::Tag { offset }
            | DecodeError::Null { offset }
            | DecodeError::Undefined { offset }
            | DecodeError::SimpleValue { offset }
            | DecodeError::MapKeyNotText { offset }
            | DecodeError::DepthExceeded { offset }
            | DecodeError::DuplicateMapKey { offset }
            | DecodeError::MapKeysUnordered { offset },
        ) => assert!(offset <= data.len()),
        Err(other) => panic!("a new error variant without an offset check: {other:?}"),
    }
    if let Ok(value) = decoded {
        // Diagnostic notation never panics either.
        let _ = value.to_string();
    }
});
