//! Generator of the Skylark test vectors (layer 1, layer-2 message validation, the layer-3 accounts,
//! and the layer-4 merge rules).
//!
//! Independent of the `skylark` crate on purpose: every byte here is written from the design (with a
//! tiny canonical CBOR writer, hex and base32 encoders of its own, BLAKE3 and Ed25519 from their
//! reference crates), and the library is tested against the result.

use std::path::{Path, PathBuf};

pub mod accounts;
pub mod cbor;
pub mod cbor_vectors;
pub mod dasl;
pub mod dm;
pub mod ed;
pub mod envelopes;
pub mod identifiers;
pub mod manifest;
pub mod merge_vectors;
pub mod messages;
pub mod signatures;
pub mod sync_heads;
pub mod sync_names;
pub mod sync_vectors;
pub mod util;

/// All generated files: (path relative to `test-vectors/`, contents): the vector files, then
/// `MANIFEST.json` (their hashes and those of the schemas in `test-vectors/schema/`, see [`manifest`]).
/// `repo_root` is the repository root (the external suites are read from `test-vectors/external/`
/// under it, the schemas from `test-vectors/schema/`).
pub fn generate(repo_root: &Path) -> Vec<(PathBuf, String)> {
    let mut files = vector_files(repo_root);
    let manifest = manifest::generate(repo_root, &files);
    files.push((PathBuf::from(manifest::FILE_NAME), manifest));
    files
}

/// The generated vector files alone: (path relative to `test-vectors/`, contents).
pub fn vector_files(repo_root: &Path) -> Vec<(PathBuf, String)> {
    vec![
        (PathBuf::from("cbor.json"), cbor_vectors::generate()),
        (PathBuf::from("cbor-dasl.json"), dasl::generate(repo_root)),
        (PathBuf::from("identifiers.json"), identifiers::generate()),
        (PathBuf::from("signatures.json"), signatures::generate_own()),
        (
            PathBuf::from("ed25519-cctv.json"),
            signatures::generate_cctv(repo_root),
        ),
        (
            PathBuf::from("ed25519-wycheproof.json"),
            signatures::generate_wycheproof(repo_root),
        ),
        (
            PathBuf::from("ed25519-speccheck.json"),
            signatures::generate_speccheck(repo_root),
        ),
        (PathBuf::from("envelopes.json"), envelopes::generate()),
        (PathBuf::from("messages.json"), messages::generate()),
        (PathBuf::from("accounts.json"), accounts::generate()),
        (PathBuf::from("merge.json"), merge_vectors::generate()),
        (PathBuf::from("dm.json"), dm::generate()),
        (PathBuf::from("sync.json"), sync_vectors::generate()),
    ]
}

/// The repository root as seen from this crate's manifest directory.
pub fn default_repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
