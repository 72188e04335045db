//! `vectors`: this implementation against a `test-vectors/` folder, with per-file totals.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value as Json};

use crate::args::Args;
use crate::{help, print_json, Error, Status};

/// The conformance runner of `examples/conformance_results.rs`, compiled in: one set of checks for
/// the results file and for this command.
#[allow(dead_code)]
#[path = "../../examples/conformance_results.rs"]
mod conformance;

const HELP: &str = "\
skylark vectors [DIR] [--failures] [--json]
  Runs this implementation against every vector file listed in DIR/MANIFEST.json (default:
  ./test-vectors), after checking each file's hash, and prints per-file totals. --failures lists
  each failing vector and why. --json prints the totals and the failures as JSON. Exit status 2 if a
  vector failed.
";

/// `vectors`.
pub fn run(rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse("vectors", rest, &[("failures", false)])?;
    if let Some(s) = help(&args, HELP) {
        return Ok(s);
    }
    let dir = match args.positional() {
        [] => "test-vectors",
        [dir] => dir.as_str(),
        _ => return Err(args.usage("name at most one folder")),
    };
    if !Path::new(dir).join("MANIFEST.json").is_file() {
        return Err(Error::new(
            dir,
            "has no MANIFEST.json",
            "name the test-vectors/ folder of a Skylark checkout",
        ));
    }
    let (results, _) = conformance::run(Path::new(dir)).map_err(|e| {
        Error::new(
            dir,
            e,
            "regenerate the vectors, or use a complete test-vectors/ folder",
        )
    })?;
    let results: Json = serde_json::from_str(&results)
        .map_err(|e| Error::new(dir, format!("results: {e}"), "report this as a bug"))?;
    let mut files: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    let mut failures = Vec::new();
    for r in results["results"].as_array().map_or(&[][..], Vec::as_slice) {
        let file = r["file"].as_str().unwrap_or("?").to_string();
        let slot = match r["status"].as_str() {
            Some("pass") => 0,
            Some("fail") => {
                failures.push(r.clone());
                1
            }
            _ => 2,
        };
        files.entry(file).or_default()[slot] += 1;
    }
    let total = files.values().fold([0u64; 3], |mut t, c| {
        (0..3).for_each(|i| t[i] += c[i]);
        t
    });
    if args.flag("json") {
        let per_file: Vec<Json> = files
            .iter()
            .map(|(f, [p, fl, s])| json!({"file": f, "pass": p, "fail": fl, "skip": s}))
            .collect();
        print_json(&json!({
            "implementation": results["implementation"],
            "version": results["version"],
            "suite_digest": results["suite_digest"],
            "files": per_file,
            "total": {"pass": total[0], "fail": total[1], "skip": total[2]},
            "failures": failures,
        }));
    } else {
        println!("{:<28} {:>6} {:>6} {:>6}", "file", "pass", "fail", "skip");
        for (f, [p, fl, s]) in &files {
            println!("{f:<28} {p:>6} {fl:>6} {s:>6}");
        }
        println!(
            "{:<28} {:>6} {:>6} {:>6}",
            "total", total[0], total[1], total[2]
        );
        println!(
            "suite {}",
            results["suite_digest"].as_str().unwrap_or("unknown")
        );
        if args.flag("failures") {
            for f in &failures {
                println!(
                    "FAIL {} {}: {}",
                    f["file"].as_str().unwrap_or("?"),
                    f["id"].as_str().unwrap_or("?"),
                    f["note"].as_str().unwrap_or("")
                );
            }
        }
    }
    Ok(if total[1] > 0 {
        Status::Invalid
    } else {
        Status::Ok
    })
}
