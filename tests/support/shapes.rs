//! Hostile shapes: values of about `n` encoded bytes, for measuring that cost grows linearly with
//! the input. Shared through `#[path]` by `tests/resource_bounds.rs` (allocation) and
//! `benches/hostile.rs` (time); each names its own list of shapes.

use skylark::cbor::{Map, Value, MAX_DEPTH};

/// A named way to build a value of about `n` encoded bytes.
pub type Shape = (&'static str, fn(usize) -> Value);

/// An array of `n` one-byte integers.
pub fn array_of_small_integers(n: usize) -> Value {
    Value::Array(vec![Value::Unsigned(7); n])
}

/// A map of `n / 6` entries, each a four-character key and a one-byte integer.
pub fn map_of_small_entries(n: usize) -> Value {
    let mut map = Map::new();
    for i in 0..n / 6 {
        map.insert(format!("{i:04x}"), Value::Unsigned(1));
    }
    Value::Map(map)
}

/// Maps nested to the depth limit, each level also holding an array of `n / MAX_DEPTH` items.
pub fn nested_to_the_depth_limit_wide(n: usize) -> Value {
    let mut v = Value::Array(vec![Value::Bool(true); n / MAX_DEPTH]);
    for _ in 1..MAX_DEPTH {
        let mut map = Map::new();
        map.insert("k", v);
        map.insert("w", Value::Array(vec![Value::Unsigned(3); n / MAX_DEPTH]));
        v = Value::Map(map);
    }
    v
}

/// A text string of `n / 2` two-byte characters.
pub fn text_of_two_byte_characters(n: usize) -> Value {
    Value::Text("é".repeat(n / 2))
}
