//! Round trip of `cbor::Value`: whenever decoding succeeds, encoding gives the same bytes; and
//! rebuilding every map through `Map::insert` in reverse order gives the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skylark::cbor::{Map, Value};

/// The value rebuilt bottom-up, map entries inserted last key first.
fn rebuilt(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(rebuilt).collect()),
        Value::Map(map) => {
            let mut out = Map::new();
            let entries: Vec<(&str, &Value)> = map.iter().collect();
            for (k, v) in entries.into_iter().rev() {
                assert!(
                    out.insert(k, rebuilt(v)).is_none(),
                    "duplicate key in a decoded map"
                );
            }
            Value::Map(out)
        }
        other => other.clone(),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(value) = skylark_fuzz::check_cbor_roundtrip(data) {
        let again = rebuilt(&value);
        assert_eq!(again, value);
        assert_eq!(again.to_bytes(), data);
    }
});
