//! The checked-in vectors must be exactly what the generator produces.

use std::collections::BTreeSet;

#[test]
fn checked_in_vectors_are_up_to_date() {
    let root = skylark_test_vectors::default_repo_root();
    let dir = root.join("test-vectors");
    let mut stale = Vec::new();
    let mut generated = BTreeSet::new();
    for (rel, contents) in skylark_test_vectors::generate(&root) {
        generated.insert(rel.clone());
        match std::fs::read_to_string(dir.join(&rel)) {
            Ok(on_disk) if on_disk == contents => {}
            Ok(_) => stale.push(format!("{} differs", rel.display())),
            Err(e) => stale.push(format!("{} missing ({e})", rel.display())),
        }
    }
    // Every JSON file at the top of test-vectors/ must come from the generator.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            let rel = path.strip_prefix(&dir).unwrap().to_path_buf();
            if !generated.contains(&rel) {
                stale.push(format!(
                    "{} is not produced by the generator",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "test vectors are stale: {}; regenerate with `cargo run -p skylark-test-vectors`",
        stale.join(", ")
    );
}
