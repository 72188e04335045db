//! Reading a file of `test-vectors/`: its vectors, after checking the file's format, that it has
//! vectors, and that their ids are unique. Shared through `#[path]` by `tests/vectors.rs` and
//! `tests/batch.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value as Json;

/// The vectors of `test-vectors/{name}`. Panics (a test failure) on a missing or malformed file.
pub fn load(name: &str) -> Vec<Json> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(file["format"], 2, "{name}: unknown format");
    let vectors = file["vectors"].as_array().unwrap().clone();
    assert!(!vectors.is_empty(), "{name} has no vectors");
    let ids: BTreeSet<&str> = vectors.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), vectors.len(), "{name}: duplicate vector ids");
    vectors
}
