//! Edits of a byte string, for mutating valid encodings into hostile ones. Shared through `#[path]`
//! by `tests/hostile.rs` and `tests/properties.rs`; each keeps its own proptest strategy (which
//! edits, how often).

/// One edit of a byte string. Positions are taken modulo the length, so any `usize` is one.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// XOR one byte with this mask (one bit for a bit flip).
    Flip(usize, u8),
    /// Insert a byte.
    Insert(usize, u8),
    /// Delete a byte.
    Delete(usize),
    /// Keep the bytes before this position.
    Truncate(usize),
    /// Replace the head at or after this position (of a string, array or map) by one that claims a
    /// huge length: this many items or bytes (2^32, 2^60 or 2^64 - 1, say).
    Inflate(usize, u64),
}

/// `bytes` with `mutations` applied in order. An empty string only grows by an insert: the other
/// edits leave it empty.
pub fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        match *m {
            Mutation::Insert(i, b) => bytes.insert(i % (len + 1), b),
            _ if len == 0 => {}
            Mutation::Flip(i, mask) => bytes[i % len] ^= mask,
            Mutation::Delete(i) => {
                bytes.remove(i % len);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
            Mutation::Inflate(i, n) => {
                // The next initial byte of a string, array or map with a short argument.
                let start = i % len;
                if let Some(at) = (start..len).find(|&j| {
                    let major = bytes[j] >> 5;
                    (2..=5).contains(&major) && bytes[j] & 0x1f < 24
                }) {
                    let major = bytes[at] >> 5;
                    let mut head = vec![major << 5 | 27];
                    head.extend_from_slice(&n.to_be_bytes());
                    bytes.splice(at..=at, head);
                }
            }
        }
    }
    bytes
}
