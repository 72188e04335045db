//! The conformance kit around `test-vectors/`: the JSON schemas, the manifest, and coverage.
//!
//! - every vector file validates against its schema (`test-vectors/schema/<suite>.schema.json`), and
//!   the schemas reject what they are meant to reject (closed objects, lower-case hex, rule IDs, ...);
//! - `test-vectors/MANIFEST.json` lists every vector file and schema with the SHA-256 of its bytes,
//!   and its `suite_digest` is the one defined in `test-vectors/README.md`;
//! - coverage: every rule ID of the spec is exercised by a vector, every error code of
//!   `spec/errors.md` is produced by an invalid vector, and vectors use no rule or code the spec lacks.
//!
//! The schemas are checked by a small JSON Schema (draft 2020-12) validator written here, which
//! implements exactly the keywords the schemas use and refuses any other, so a schema cannot contain
//! a constraint that is silently not enforced. (The schemas also validate the files with a complete
//! validator, e.g. Python's `jsonschema`; see `test-vectors/README.md`.)

// A malformed vector, schema or manifest is a test failure: panicking with the reason is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// Exemptions. Keep these lists minimal: every entry needs a reason, and the test fails when an
// entry is no longer needed.
// ---------------------------------------------------------------------------------------------

/// Rule IDs of the spec that no vector needs to name, with the reason: rules on conduct that no
/// verdict shows (spec 00 §6).
const RULES_WITHOUT_VECTORS: &[(&str, &str)] = &[
    (
        "DM-12",
        "a node never sends an error code, or anything that depends on an opening's outcome, to a relay \
         or sender (08 §7): conduct of a node, not a verdict; no input can show it",
    ),
    (
        "DM-13",
        "opening runs in time independent of secrets (08 §7): no verdict shows it; checked by review \
         (constant-time X25519 and Poly1305 in curve25519-dalek and RustCrypto, no early exit in the \
         all-zero and padding tests of src/dm.rs)",
    ),
];

/// Error codes of spec/errors.md that no invalid vector produces, with the reason. (None at present:
/// `acct.not_an_operation` and `acct.stripped` are declared by accounts vectors for messages that
/// have no status, 06 §7.1.)
const CODES_WITHOUT_VECTORS: &[(&str, &str)] = &[];

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

const SCHEMA_BASE: &str = "https://skylark.example/test-vectors/schema/";
const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vectors_dir() -> PathBuf {
    root().join("test-vectors")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> Json {
    serde_json::from_slice(&read(path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The vector files: every `*.json` at the top of `test-vectors/` but the manifest, sorted by name.
fn vector_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .filter(|n| n != "MANIFEST.json")
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no vector file");
    names
}

/// The schema files, `test-vectors/schema/*.schema.json`, sorted by name.
fn schema_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(vectors_dir().join("schema"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .filter(|n| n.ends_with(".schema.json"))
        .collect();
    names.sort();
    names
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// ---------------------------------------------------------------------------------------------
// A JSON Schema (draft 2020-12) validator for the keywords the schemas use
// ---------------------------------------------------------------------------------------------

/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$defs",
    "title",
    "description",
];
/// Keywords that are enforced.
const ASSERTIONS: &[&str] = &[
    "$ref",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
];

struct Validator {
    /// Schema documents by `$id`.
    docs: BTreeMap<String, Json>,
    /// Every `pattern` of every schema, compiled.
    patterns: BTreeMap<String, Regex>,
}

impl Validator {
    /// Loads every schema of `test-vectors/schema/`, checking that each uses only supported keywords.
    fn load() -> Validator {
        let mut v = Validator {
            docs: BTreeMap::new(),
            patterns: BTreeMap::new(),
        };
        for name in schema_files() {
            let doc = read_json(&vectors_dir().join("schema").join(&name));
            assert_eq!(doc["$schema"], DRAFT_2020_12, "{name}: $schema");
            assert_eq!(
                doc["$id"].as_str(),
                Some(format!("{SCHEMA_BASE}{name}").as_str()),
                "{name}: $id"
            );
            v.check_schema(&name, "#", &doc);
            v.docs.insert(format!("{SCHEMA_BASE}{name}"), doc);
        }
        // Every $ref resolves.
        let docs: Vec<(String, Json)> = v.docs.clone().into_iter().collect();
        for (id, doc) in &docs {
            v.check_refs(id, doc);
        }
        v
    }

    /// Refuses keywords this validator does not implement, and compiles the patterns.
    fn check_schema(&mut self, file: &str, at: &str, schema: &Json) {
        let Json::Object(members) = schema else {
            panic!("{file} {at}: a schema must be an object");
        };
        for (k, s) in members {
            let here = format!("{at}/{k}");
            assert!(
                ANNOTATIONS.contains(&k.as_str()) || ASSERTIONS.contains(&k.as_str()),
                "{file} {here}: keyword {k} is not supported by this validator"
            );
            match k.as_str() {
                "properties" | "$defs" => {
                    for (name, sub) in s.as_object().unwrap() {
                        self.check_schema(file, &format!("{here}/{name}"), sub);
                    }
                }
                "items" | "not" => self.check_schema(file, &here, s),
                "additionalProperties" if !s.is_boolean() => self.check_schema(file, &here, s),
                "allOf" | "anyOf" | "oneOf" => {
                    let subs = s.as_array().unwrap();
                    assert!(!subs.is_empty(), "{file} {here}: empty");
                    for (i, sub) in subs.iter().enumerate() {
                        self.check_schema(file, &format!("{here}/{i}"), sub);
                    }
                }
                "pattern" => {
                    let p = s.as_str().unwrap();
                    let re = Regex::new(p).unwrap_or_else(|e| panic!("{file} {here}: {e}"));
                    self.patterns.insert(p.to_string(), re);
                }
                "required" | "enum" => assert!(s.is_array(), "{file} {here}"),
                "type" => assert!(s.is_string() || s.is_array(), "{file} {here}"),
                _ => {}
            }
        }
    }

    fn check_refs(&self, base: &str, schema: &Json) {
        match schema {
            Json::Object(members) => {
                if let Some(r) = members.get("$ref") {
                    self.resolve(base, r.as_str().unwrap());
                }
                for s in members.values() {
                    self.check_refs(base, s);
                }
            }
            Json::Array(items) => items.iter().for_each(|s| self.check_refs(base, s)),
            _ => {}
        }
    }

    /// Resolves a reference against the `$id` of the document it occurs in: (the target
    /// document's `$id`, the schema).
    fn resolve<'a>(&'a self, base: &str, reference: &str) -> (&'a str, &'a Json) {
        let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target = if uri.is_empty() {
            base.to_string()
        } else if uri.contains("://") {
            uri.to_string()
        } else {
            let dir = &base[..=base.rfind('/').unwrap()];
            format!("{dir}{uri}")
        };
        let (id, doc) = self
            .docs
            .get_key_value(&target)
            .unwrap_or_else(|| panic!("{base}: unresolved $ref {reference}"));
        let mut node = doc;
        if !fragment.is_empty() {
            assert!(fragment.starts_with('/'), "{base}: $ref {reference}");
            for token in fragment[1..].split('/') {
                let token = token.replace("~1", "/").replace("~0", "~");
                node = node
                    .get(&token)
                    .unwrap_or_else(|| panic!("{base}: unresolved $ref {reference}"));
            }
        }
        (id, node)
    }

    /// Validates `instance` against the schema document with this `$id`; returns the errors.
    fn validate(&self, schema_id: &str, instance: &Json) -> Vec<String> {
        let mut errors = Vec::new();
        let (base, schema) = self.resolve(schema_id, "");
        self.check(base, schema, instance, "", &mut errors);
        errors
    }

    fn is_valid(&self, base: &str, schema: &Json, instance: &Json) -> bool {
        let mut errors = Vec::new();
        self.check(base, schema, instance, "", &mut errors);
        errors.is_empty()
    }

    fn check(&self, base: &str, schema: &Json, inst: &Json, at: &str, errors: &mut Vec<String>) {
        let schema = schema.as_object().unwrap();
        for (k, s) in schema {
            let k = k.as_str();
            match k {
                "type" => {
                    let types: Vec<&str> = match s {
                        Json::Array(a) => a.iter().map(|t| t.as_str().unwrap()).collect(),
                        t => vec![t.as_str().unwrap()],
                    };
                    if !types.iter().any(|t| has_type(inst, t)) {
                        errors.push(format!("{at}: {} is not of type {types:?}", short(inst)));
                    }
                }
                "enum" => {
                    if !s.as_array().unwrap().contains(inst) {
                        errors.push(format!("{at}: {} is not one of {s}", short(inst)));
                    }
                }
                "const" => {
                    if s != inst {
                        errors.push(format!("{at}: {} is not {s}", short(inst)));
                    }
                }
                "pattern" => {
                    if let Json::String(text) = inst {
                        if !self.patterns[s.as_str().unwrap()].is_match(text) {
                            errors.push(format!("{at}: {} does not match {s}", short(inst)));
                        }
                    }
                }
                "minLength" | "maxLength" => {
                    if let Json::String(text) = inst {
                        let n = text.chars().count() as u64;
                        let bound = s.as_u64().unwrap();
                        if (k == "minLength" && n < bound) || (k == "maxLength" && n > bound) {
                            errors.push(format!("{at}: length {n} violates {k} {bound}"));
                        }
                    }
                }
                "minimum" | "maximum" => {
                    if inst.is_number() {
                        let ord = compare_numbers(inst, s);
                        let bad = if k == "minimum" {
                            ord == std::cmp::Ordering::Less
                        } else {
                            ord == std::cmp::Ordering::Greater
                        };
                        if bad {
                            errors.push(format!("{at}: {inst} violates {k} {s}"));
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let Json::Array(items) = inst {
                        let (n, bound) = (items.len() as u64, s.as_u64().unwrap());
                        if (k == "minItems" && n < bound) || (k == "maxItems" && n > bound) {
                            errors.push(format!("{at}: {n} items violates {k} {bound}"));
                        }
                    }
                }
                "uniqueItems" => {
                    if let (Json::Array(items), Json::Bool(true)) = (inst, s) {
                        for (i, a) in items.iter().enumerate() {
                            if items[..i].contains(a) {
                                errors.push(format!("{at}: item {i} ({}) is repeated", short(a)));
                            }
                        }
                    }
                }
                "items" => {
                    if let Json::Array(items) = inst {
                        for (i, item) in items.iter().enumerate() {
                            self.check(base, s, item, &format!("{at}/{i}"), errors);
                        }
                    }
                }
                "required" => {
                    if let Json::Object(members) = inst {
                        for name in s.as_array().unwrap() {
                            if !members.contains_key(name.as_str().unwrap()) {
                                errors.push(format!("{at}: missing required member {name}"));
                            }
                        }
                    }
                }
                "properties" | "additionalProperties" => {
                    if let Json::Object(members) = inst {
                        let declared = schema.get("properties").and_then(Json::as_object);
                        for (name, value) in members {
                            let here = format!("{at}/{name}");
                            match (declared.and_then(|d| d.get(name)), k, s) {
                                (Some(sub), "properties", _) => {
                                    self.check(base, sub, value, &here, errors)
                                }
                                (None, "additionalProperties", Json::Bool(false)) => {
                                    errors.push(format!("{here}: member not allowed"))
                                }
                                (None, "additionalProperties", sub) if sub.is_object() => {
                                    self.check(base, sub, value, &here, errors)
                                }
                                _ => {}
                            }
                        }
                    }
                }
                "$ref" => {
                    let (target_base, target) = self.resolve(base, s.as_str().unwrap());
                    self.check(target_base, target, inst, at, errors);
                }
                "allOf" => {
                    for sub in s.as_array().unwrap() {
                        self.check(base, sub, inst, at, errors);
                    }
                }
                "anyOf" | "oneOf" => {
                    let mut branch_errors = Vec::new();
                    let mut passed = 0;
                    for (i, sub) in s.as_array().unwrap().iter().enumerate() {
                        let mut e = Vec::new();
                        self.check(base, sub, inst, at, &mut e);
                        if e.is_empty() {
                            passed += 1;
                        } else {
                            branch_errors.push(format!("[{i}] {}", e.join("; ")));
                        }
                    }
                    if passed == 0 {
                        errors.push(format!(
                            "{at}: matches no branch of {k}: {}",
                            branch_errors.join(" | ")
                        ));
                    } else if k == "oneOf" && passed > 1 {
                        errors.push(format!("{at}: matches {passed} branches of oneOf"));
                    }
                }
                "not" => {
                    if self.is_valid(base, s, inst) {
                        errors.push(format!("{at}: matches a schema under not"));
                    }
                }
                k if ANNOTATIONS.contains(&k) => {}
                other => panic!("unsupported keyword {other}"),
            }
        }
    }
}

fn has_type(v: &Json, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_u64() || v.is_i64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => panic!("unknown type {other}"),
    }
}

fn compare_numbers(a: &Json, b: &Json) -> std::cmp::Ordering {
    match (a.as_u64(), b.as_u64(), a.as_i64(), b.as_i64()) {
        (Some(x), Some(y), _, _) => x.cmp(&y),
        (_, _, Some(x), Some(y)) => x.cmp(&y),
        _ => {
            let (x, y) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            x.partial_cmp(&y).unwrap()
        }
    }
}

/// A value, shortened for an error message.
fn short(v: &Json) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

fn schema_id(name: &str) -> String {
    format!("{SCHEMA_BASE}{name}")
}

// ---------------------------------------------------------------------------------------------
// (a) Schemas
// ---------------------------------------------------------------------------------------------

#[test]
fn every_vector_file_validates_against_its_schema() {
    let v = Validator::load();
    let mut suites = BTreeSet::new();
    for name in vector_files() {
        let doc = read_json(&vectors_dir().join(&name));
        let suite = doc["suite"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no suite"));
        assert_eq!(name, format!("{suite}.json"), "{name}: suite {suite}");
        suites.insert(suite.to_string());
        for schema in [
            "common.schema.json".to_string(),
            format!("{suite}.schema.json"),
        ] {
            let errors = v.validate(&schema_id(&schema), &doc);
            assert!(
                errors.is_empty(),
                "{name} does not validate against {schema} ({} errors):\n{}",
                errors.len(),
                errors
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
    // One schema per suite, and the common, manifest and results schemas: nothing else.
    let mut expected: BTreeSet<String> =
        suites.iter().map(|s| format!("{s}.schema.json")).collect();
    for extra in [
        "common.schema.json",
        "manifest.schema.json",
        "results.schema.json",
    ] {
        expected.insert(extra.to_string());
    }
    let present: BTreeSet<String> = schema_files().into_iter().collect();
    assert_eq!(present, expected, "schema files");
    // The common schema's suite list is exactly the suites present.
    let common = &v.docs[&schema_id("common.schema.json")];
    let listed: BTreeSet<String> = common["$defs"]["suite"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, suites, "common.schema.json $defs/suite");

    let manifest = read_json(&vectors_dir().join("MANIFEST.json"));
    let errors = v.validate(&schema_id("manifest.schema.json"), &manifest);
    assert!(errors.is_empty(), "MANIFEST.json: {errors:?}");
}

/// Applies `change` to a copy of `doc` and asserts that the schema rejects the result.
fn assert_rejected(
    v: &Validator,
    schema: &str,
    doc: &Json,
    what: &str,
    change: impl Fn(&mut Json),
) {
    let mut changed = doc.clone();
    change(&mut changed);
    assert!(
        !v.validate(&schema_id(schema), &changed).is_empty(),
        "{schema} accepts a document with {what}"
    );
}

/// The first string member of `vector` that is non-empty lower-case hex with a letter in it.
fn hex_member(vector: &Json) -> Option<String> {
    vector.as_object().unwrap().iter().find_map(|(k, x)| {
        let s = x.as_str()?;
        let is_hex = !s.is_empty()
            && s.len() % 2 == 0
            && s.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            && s.bytes().any(|c| c.is_ascii_alphabetic());
        (is_hex && k != "id").then(|| k.clone())
    })
}

/// `doc` with only its `i`-th vector (validating one vector is fast; the envelope is the same).
fn with_one_vector(doc: &Json, i: usize) -> Json {
    let mut one = doc.clone();
    one["vectors"] = Json::Array(vec![doc["vectors"][i].clone()]);
    one
}

#[test]
fn schemas_reject_malformed_vectors() {
    let v = Validator::load();
    for name in vector_files() {
        let full = read_json(&vectors_dir().join(&name));
        let schema = name.replace(".json", ".schema.json");
        let s = schema.as_str();
        let doc = with_one_vector(&full, 0);
        assert!(v.validate(&schema_id(s), &doc).is_empty(), "{name}");
        assert_rejected(&v, s, &doc, "an unknown top-level member", |d| {
            d["extra"] = Json::from(1);
        });
        assert_rejected(&v, s, &doc, "format 3", |d| d["format"] = Json::from(3));
        assert_rejected(&v, s, &doc, "another suite", |d| {
            d["suite"] = Json::from(if name == "cbor.json" { "merge" } else { "cbor" });
        });
        assert_rejected(&v, s, &doc, "no vectors", |d| {
            d["vectors"] = Json::Array(vec![])
        });
        assert_rejected(&v, s, &doc, "an unknown vector member", |d| {
            d["vectors"][0]["extra"] = Json::from(1);
        });
        for member in ["id", "description", "rules"] {
            assert_rejected(&v, s, &doc, &format!("a vector without {member}"), |d| {
                d["vectors"][0].as_object_mut().unwrap().remove(member);
            });
        }
        assert_rejected(&v, s, &doc, "an upper-case vector id", |d| {
            d["vectors"][0]["id"] = Json::from("Upper-Case");
        });
        assert_rejected(&v, s, &doc, "empty rules", |d| {
            d["vectors"][0]["rules"] = Json::Array(vec![]);
        });
        assert_rejected(&v, s, &doc, "a malformed rule ID", |d| {
            d["vectors"][0]["rules"] = serde_json::json!(["cbor-1"]);
        });
        assert_rejected(&v, s, &doc, "a repeated rule ID", |d| {
            let first = d["vectors"][0]["rules"][0].clone();
            d["vectors"][0]["rules"] = Json::Array(vec![first.clone(), first]);
        });
        // Upper-case and odd-length hex.
        let vectors = full["vectors"].as_array().unwrap();
        let (i, member) = vectors
            .iter()
            .enumerate()
            .find_map(|(i, x)| hex_member(x).map(|m| (i, m)))
            .unwrap_or_else(|| panic!("{name}: no hex member"));
        let doc = with_one_vector(&full, i);
        assert_rejected(&v, s, &doc, &format!("upper-case hex in {member}"), |d| {
            let upper = d["vectors"][0][&member].as_str().unwrap().to_uppercase();
            d["vectors"][0][&member] = Json::from(upper);
        });
        assert_rejected(&v, s, &doc, &format!("odd-length hex in {member}"), |d| {
            let odd = format!("{}0", d["vectors"][0][&member].as_str().unwrap());
            d["vectors"][0][&member] = Json::from(odd);
        });
        // An invalid vector: its error code must be well-formed and present.
        if let Some(i) = vectors.iter().position(|x| x.get("error").is_some()) {
            let doc = with_one_vector(&full, i);
            assert_rejected(&v, s, &doc, "a malformed error code", |d| {
                d["vectors"][0]["error"] = Json::from("Not-A-Code");
            });
            assert_rejected(&v, s, &doc, "an invalid vector without error", |d| {
                d["vectors"][0].as_object_mut().unwrap().remove("error");
            });
        }
        // A valid vector cannot carry an error.
        if let Some(i) = vectors.iter().position(|x| x["valid"] == Json::Bool(true)) {
            assert_rejected(
                &v,
                s,
                &with_one_vector(&full, i),
                "a valid vector with an error",
                |d| {
                    d["vectors"][0]["error"] = Json::from("cbor.float");
                },
            );
        }
        if let Some(i) = vectors.iter().position(|x| x.get("outcome").is_some()) {
            assert_rejected(
                &v,
                s,
                &with_one_vector(&full, i),
                "an unknown outcome",
                |d| {
                    d["vectors"][0]["outcome"] = Json::from("maybe");
                },
            );
        }
    }
    // accounts.json: statuses and expectations are closed sets.
    let accounts = read_json(&vectors_dir().join("accounts.json"));
    let vectors = accounts["vectors"].as_array().unwrap();
    let ops = vectors
        .iter()
        .position(|x| x["type"] == "operations")
        .unwrap();
    let doc = with_one_vector(&accounts, ops);
    assert_rejected(&v, "accounts.schema.json", &doc, "an unknown status", |d| {
        d["vectors"][0]["operations"][0]["status"] = Json::from("pending");
    });
    let auth = vectors
        .iter()
        .position(|x| x["type"] == "authorization")
        .unwrap();
    let doc = with_one_vector(&accounts, auth);
    assert_rejected(
        &v,
        "accounts.schema.json",
        &doc,
        "an unknown expectation",
        |d| {
            d["vectors"][0]["expected"] = serde_json::json!({"missing": "key", "id": "00"});
        },
    );
    // envelopes.json: a cbor.* error needs its part, other errors have none.
    let envelopes = read_json(&vectors_dir().join("envelopes.json"));
    let vectors = envelopes["vectors"].as_array().unwrap();
    let with_part = vectors
        .iter()
        .position(|x| x.get("part").is_some())
        .unwrap();
    assert_rejected(
        &v,
        "envelopes.schema.json",
        &with_one_vector(&envelopes, with_part),
        "a cbor.* error without part",
        |d| {
            d["vectors"][0].as_object_mut().unwrap().remove("part");
        },
    );
    let env_error = vectors
        .iter()
        .position(|x| x["error"].as_str().is_some_and(|e| e.starts_with("env.")))
        .unwrap();
    assert_rejected(
        &v,
        "envelopes.schema.json",
        &with_one_vector(&envelopes, env_error),
        "an env.* error with a part",
        |d| d["vectors"][0]["part"] = Json::from("header"),
    );
}

#[test]
fn results_schema_accepts_the_documented_format() {
    let v = Validator::load();
    let id = schema_id("results.schema.json");
    let good = serde_json::json!({
        "implementation": "example",
        "version": "1.0.0",
        "suite_digest": "00".repeat(32),
        "results": [
            {"file": "cbor.json", "id": "cbor-float16", "status": "pass", "error": "cbor.float"},
            {"file": "cbor.json", "id": "cbor-uint-0", "status": "fail", "error": null, "note": "why"},
            {"file": "merge.json", "id": "merge-empty", "status": "skip", "error": null}
        ]
    });
    assert_eq!(v.validate(&id, &good), Vec::<String>::new());
    for (what, change) in [
        ("an unknown status", serde_json::json!({"status": "ok"})),
        (
            "an upper-case error",
            serde_json::json!({"error": "CBOR.float"}),
        ),
        ("an unknown member", serde_json::json!({"extra": 1})),
        (
            "a path for a file",
            serde_json::json!({"file": "test-vectors/cbor.json"}),
        ),
    ] {
        let mut bad = good.clone();
        for (k, x) in change.as_object().unwrap() {
            bad["results"][0][k] = x.clone();
        }
        assert!(
            !v.validate(&id, &bad).is_empty(),
            "results schema accepts {what}"
        );
    }
    let mut bad = good.clone();
    bad.as_object_mut().unwrap().remove("suite_digest");
    assert!(!v.validate(&id, &bad).is_empty(), "no suite_digest");
}

// ---------------------------------------------------------------------------------------------
// (b) The manifest
// ---------------------------------------------------------------------------------------------

#[test]
fn manifest_hashes_match_the_files() {
    let dir = vectors_dir();
    let manifest = read_json(&dir.join("MANIFEST.json"));
    assert_eq!(manifest["format"], 2);
    let files = manifest["files"].as_array().unwrap();
    let schemas = manifest["schemas"].as_array().unwrap();
    let paths = |entries: &[Json]| -> Vec<String> {
        entries
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_string())
            .collect()
    };
    // Exactly the files present, sorted by path (bytewise).
    let file_paths = paths(files);
    assert_eq!(file_paths, vector_files(), "manifest files");
    let schema_paths = paths(schemas);
    let on_disk: Vec<String> = schema_files()
        .into_iter()
        .map(|n| format!("schema/{n}"))
        .collect();
    assert_eq!(schema_paths, on_disk, "manifest schemas");
    for list in [&file_paths, &schema_paths] {
        let mut sorted = list.clone();
        sorted.sort();
        assert_eq!(&sorted, list, "manifest entries are not sorted by path");
    }
    let stale = "regenerate with `cargo run -p skylark-test-vectors`";
    let mut lines = Vec::new();
    for entry in files {
        let path = entry["path"].as_str().unwrap();
        let bytes = read(&dir.join(path));
        let sha = sha256_hex(&bytes);
        assert_eq!(entry["sha256"], sha.as_str(), "{path}: sha256; {stale}");
        let doc: Json = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(entry["suite"], doc["suite"], "{path}: suite");
        assert_eq!(
            entry["vectors"].as_u64(),
            Some(doc["vectors"].as_array().unwrap().len() as u64),
            "{path}: vector count"
        );
        lines.push(format!("{path}\n{sha}\n"));
    }
    for entry in schemas {
        let path = entry["path"].as_str().unwrap();
        assert_eq!(
            entry["sha256"],
            sha256_hex(&read(&dir.join(path))).as_str(),
            "{path}: sha256; {stale}"
        );
    }
    // suite_digest = SHA-256 of the concatenation, over `files` in order, of path "\n" sha256 "\n".
    let digest = sha256_hex(lines.concat().as_bytes());
    assert_eq!(manifest["suite_digest"], digest.as_str(), "suite_digest");
    println!("suite_digest {digest}");
}

// ---------------------------------------------------------------------------------------------
// (c) Coverage
// ---------------------------------------------------------------------------------------------

/// The rule areas of spec 00 §4 (the table under "Rule IDs").
fn spec_areas() -> BTreeSet<String> {
    let text = String::from_utf8(read(&root().join("spec/00-conventions.md"))).unwrap();
    let start = text.find("## 4.").expect("00 §4");
    let section = &text[start..];
    let section = &section[..section.find("**Error codes**").expect("00 §4 error codes")];
    let row = Regex::new(r"(?m)^\| `([A-Z0-9]+)` \|").unwrap();
    let areas: BTreeSet<String> = row
        .captures_iter(section)
        .map(|c| c[1].to_string())
        .collect();
    assert!(areas.len() >= 10, "too few rule areas in 00 §4: {areas:?}");
    areas
}

/// The Markdown files of spec/, sorted.
fn spec_files() -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root().join("spec"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    entries.sort();
    entries
}

/// The rule IDs of one of `areas` in `text`. Leftmost-first matching takes the whole upper-case run
/// before the "-" as the area; a match that continues a word (e.g. "xCBOR-1") is not a rule ID.
fn rule_ids<'t>(text: &'t str, areas: &BTreeSet<String>) -> Vec<&'t str> {
    let rule = Regex::new(r"([A-Z][A-Z0-9]*)-([0-9]+)").unwrap();
    rule.captures_iter(text)
        .filter(|c| {
            let start = c.get(0).unwrap().start();
            let inside_word = text[..start]
                .chars()
                .next_back()
                .is_some_and(|p| p.is_alphanumeric() || p == '_');
            !inside_word && areas.contains(&c[1])
        })
        .map(|c| c.get(0).unwrap().as_str())
        .collect()
}

/// Every rule ID of one of `areas` mentioned in spec/*.md.
fn spec_rules(areas: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for path in spec_files() {
        let text = String::from_utf8(read(&path)).unwrap();
        out.extend(rule_ids(&text, areas).into_iter().map(str::to_string));
    }
    out
}

/// Every error code of spec/errors.md (the first column of its tables).
fn spec_codes() -> BTreeSet<String> {
    let text = String::from_utf8(read(&root().join("spec/errors.md"))).unwrap();
    let row = Regex::new(r"(?m)^\| `([a-z]+\.[a-z0-9_]+)` \|").unwrap();
    row.captures_iter(&text).map(|c| c[1].to_string()).collect()
}

/// The error codes an invalid vector expects: `error` of an invalid vector (`valid: false` or
/// `outcome: "invalid"`), an operation's status other than valid / waiting, and a denial in an
/// accounts authorization vector's `expected`.
fn produced_codes(vector: &Json) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = vector.get("error").and_then(Json::as_str) {
        out.push(e.to_string());
    }
    for op in vector
        .get("operations")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let status = op["status"].as_str().unwrap();
        if status != "valid" && status != "waiting" {
            out.push(status.to_string());
        }
    }
    if let Some(e) = vector.get("expected").and_then(Json::as_str) {
        if e != "authorized" {
            out.push(e.to_string());
        }
    }
    // A merge vector with real accounts: the verdict of each message of the set.
    for verdict in vector
        .get("verdicts")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let verdict = verdict.as_str().unwrap();
        if verdict != "valid" {
            out.push(verdict.to_string());
        }
    }
    out
}

#[test]
fn coverage_of_rules_and_error_codes() {
    let areas = spec_areas();
    let rules_in_spec = spec_rules(&areas);
    for area in &areas {
        assert!(
            rules_in_spec
                .iter()
                .any(|r| r.starts_with(&format!("{area}-"))),
            "area {area} of 00 §4 has no rule in spec/*.md"
        );
    }
    let codes_in_spec = spec_codes();

    // What the vectors name and produce, with the number of vectors for each.
    let mut rules_used: BTreeMap<String, usize> = BTreeMap::new();
    let mut codes_made: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for name in vector_files() {
        let doc = read_json(&vectors_dir().join(&name));
        for v in doc["vectors"].as_array().unwrap() {
            total += 1;
            for r in v["rules"].as_array().unwrap() {
                *rules_used
                    .entry(r.as_str().unwrap().to_string())
                    .or_default() += 1;
            }
            for code in produced_codes(v) {
                *codes_made.entry(code).or_default() += 1;
            }
        }
    }

    let mut problems = Vec::new();
    // Every rule of the spec is named by a vector.
    let rule_exempt: BTreeMap<&str, &str> = RULES_WITHOUT_VECTORS.iter().copied().collect();
    for rule in &rules_in_spec {
        match (rules_used.contains_key(rule), rule_exempt.contains_key(rule.as_str())) {
            (false, false) => problems.push(format!("rule {rule} is in the spec but in no vector")),
            (true, true) => problems.push(format!(
                "rule {rule} is exempt in RULES_WITHOUT_VECTORS but now has vectors: remove the exemption"
            )),
            _ => {}
        }
    }
    for rule in rule_exempt.keys() {
        if !rules_in_spec.contains(*rule) {
            problems.push(format!(
                "exempt rule {rule} is not in the spec: remove the exemption"
            ));
        }
    }
    // Every rule a vector names is in the spec.
    for rule in rules_used.keys() {
        if !rules_in_spec.contains(rule) {
            problems.push(format!(
                "rule {rule} is named by a vector but not in the spec"
            ));
        }
    }
    // Every code of the registry is produced by an invalid vector, and only those codes are.
    let code_exempt: BTreeMap<&str, &str> = CODES_WITHOUT_VECTORS.iter().copied().collect();
    for code in &codes_in_spec {
        match (codes_made.contains_key(code), code_exempt.contains_key(code.as_str())) {
            (false, false) => problems.push(format!("error code {code} is produced by no vector")),
            (true, true) => problems.push(format!(
                "error code {code} is exempt in CODES_WITHOUT_VECTORS but now produced: remove the exemption"
            )),
            _ => {}
        }
    }
    for code in code_exempt.keys() {
        if !codes_in_spec.contains(*code) {
            problems.push(format!(
                "exempt code {code} is not in spec/errors.md: remove the exemption"
            ));
        }
    }
    for code in codes_made.keys() {
        if !codes_in_spec.contains(code) {
            problems.push(format!(
                "error code {code} is expected by a vector but not in spec/errors.md"
            ));
        }
    }

    let covered_rules = rules_in_spec
        .iter()
        .filter(|r| rules_used.contains_key(*r))
        .count();
    let covered_codes = codes_in_spec
        .iter()
        .filter(|c| codes_made.contains_key(*c))
        .count();
    println!(
        "coverage over {total} vectors in {} files:",
        vector_files().len()
    );
    println!(
        "  rules: {covered_rules}/{} rule IDs of spec/*.md ({} areas) named by a vector ({} exempt); vectors name {} distinct rule IDs",
        rules_in_spec.len(),
        areas.len(),
        RULES_WITHOUT_VECTORS.len(),
        rules_used.len(),
    );
    println!(
        "  error codes: {covered_codes}/{} registry codes produced by an invalid vector ({} exempt: {})",
        codes_in_spec.len(),
        CODES_WITHOUT_VECTORS.len(),
        CODES_WITHOUT_VECTORS
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let least: Vec<String> = rules_in_spec
        .iter()
        .filter_map(|r| rules_used.get(r).map(|n| (n, r)))
        .filter(|(n, _)| **n <= 2)
        .map(|(n, r)| format!("{r} ({n})"))
        .collect();
    if !least.is_empty() {
        println!("  rules named by at most two vectors: {}", least.join(", "));
    }
    assert!(
        problems.is_empty(),
        "coverage problems:\n{}",
        problems.join("\n")
    );
}

/// The spec quotes the suite digest of the vectors that go with it (issue: "the spec quotes the
/// manifest's digest so an implementer knows they have the right suite").
#[test]
fn the_spec_quotes_the_suite_digest() {
    let manifest = read_json(&vectors_dir().join("MANIFEST.json"));
    let digest = manifest["suite_digest"].as_str().expect("suite_digest");
    let readme = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("spec")
            .join("README.md"),
    )
    .expect("spec/README.md");
    assert!(
        readme.contains(&format!("suite digest: `{digest}`")),
        "spec/README.md must quote the suite digest {digest}; update it after regenerating the vectors"
    );
}

// ---------------------------------------------------------------------------------------------
// Every MUST names its rule (spec 00 §1)
// ---------------------------------------------------------------------------------------------

/// The blocks of a Markdown text, as the spec's own rule in 00 §1 reads them: a heading, a list
/// item (with its continuation lines) or table row, or a paragraph; with the 1-based line each
/// starts on.
#[derive(Debug, PartialEq)]
enum Block {
    Heading(usize, String),
    Item(usize, String),
    Paragraph(usize, String),
}

fn blocks(text: &str) -> Vec<Block> {
    let item = Regex::new(r"^\s*([0-9]+\.|[-*])\s").unwrap();
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    let mut in_code = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            out.extend(current.take());
            continue;
        }
        if in_code {
            continue;
        }
        if line.trim().is_empty() {
            out.extend(current.take());
        } else if line.starts_with('#') {
            out.extend(current.take());
            out.push(Block::Heading(n, line.to_string()));
        } else if item.is_match(line) || line.starts_with('|') {
            out.extend(current.take());
            current = Some(Block::Item(n, line.to_string()));
        } else {
            match &mut current {
                Some(Block::Item(_, t)) | Some(Block::Paragraph(_, t)) => {
                    t.push(' ');
                    t.push_str(line.trim());
                }
                Some(Block::Heading(..)) | None => {
                    current = Some(Block::Paragraph(n, line.to_string()))
                }
            }
        }
    }
    out.extend(current);
    out
}

/// The places (file:line: text) in `text` where a requirement keyword (MUST, SHALL, REQUIRED) is
/// not attributed to a rule ID of `areas`: none in its block, in the paragraph introducing its list
/// (for a list item), or in its section heading.
fn musts_without_rule(name: &str, text: &str, areas: &BTreeSet<String>) -> Vec<String> {
    let keyword = Regex::new(r"(?-u:\b)(MUST|SHALL|REQUIRED)(?-u:\b)").unwrap();
    let names_rule = |t: &str| !rule_ids(t, areas).is_empty();
    let mut heading = String::new();
    let mut intro = String::new();
    let mut out = Vec::new();
    for block in blocks(text) {
        let (line, t, context) = match &block {
            Block::Heading(_, h) => {
                heading = h.clone();
                intro.clear();
                continue;
            }
            Block::Paragraph(n, t) => {
                intro = t.clone();
                (*n, t, format!("{t} {heading}"))
            }
            Block::Item(n, t) => (*n, t, format!("{t} {heading} {intro}")),
        };
        // 00 §1 quotes the key words themselves.
        if keyword.is_match(t) && !t.contains("The key words") && !names_rule(&context) {
            let short: String = t.chars().take(120).collect();
            out.push(format!("{name}:{line}: {short}"));
        }
    }
    out
}

#[test]
fn every_must_names_a_rule() {
    let areas = spec_areas();
    let entries = spec_files();
    let keyword = Regex::new(r"(?-u:\b)(MUST|SHALL|REQUIRED)(?-u:\b)").unwrap();
    let mut missing = Vec::new();
    let mut checked = 0;
    for path in &entries {
        let text = String::from_utf8(read(path)).unwrap();
        checked += keyword.find_iter(&text).count();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        missing.extend(musts_without_rule(&name, &text, &areas));
    }
    assert!(
        missing.is_empty(),
        "requirements that name no rule ID (spec 00 §1):\n{}",
        missing.join("\n")
    );
    println!(
        "  {checked} requirement key words in {} spec files, each attributed to a rule ID",
        entries.len()
    );
}

#[test]
fn the_must_check_finds_what_it_should() {
    let areas: BTreeSet<String> = ["CBOR", "GEN"].iter().map(|s| s.to_string()).collect();
    let text = "# 1. Heading\n\nA producer MUST do this.\n\nA verifier MUST do that (CBOR-1).\n\n\
                ## 2. Steps (GEN-2)\n\n1. The item MUST be a map.\n\n## 3. Other\n\n\
                Intro for CBOR-3:\n\n- an item that MUST hold.\n\n## 4. Plain\n\n- XCBOR-1 MUST \
                not count.\n- ZZZ-1 MUST not count either.\n\n```\nMUST in code\n```\n";
    let found = musts_without_rule("t.md", text, &areas);
    assert_eq!(
        found,
        vec![
            "t.md:3: A producer MUST do this.".to_string(),
            "t.md:19: - XCBOR-1 MUST not count.".to_string(),
            "t.md:20: - ZZZ-1 MUST not count either.".to_string(),
        ]
    );
}
