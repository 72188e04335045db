//! `cargo run -p skylark-test-vectors` writes every generated file into `test-vectors/`.

fn main() {
    let root = skylark_test_vectors::default_repo_root();
    let out_dir = root.join("test-vectors");
    for (rel, contents) in skylark_test_vectors::generate(&root) {
        let path = out_dir.join(&rel);
        let unchanged = std::fs::read_to_string(&path)
            .map(|old| old == contents)
            .unwrap_or(false);
        if !unchanged {
            std::fs::write(&path, &contents)
                .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        }
        println!(
            "{} {}",
            if unchanged { "unchanged" } else { "wrote    " },
            rel.display()
        );
    }
}
