//! Test support for the node binaries (`node.rs`, `dm.rs`): running the tool, a `serve` process
//! killed when dropped, and plain HTTP requests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Runs the tool in `dir`: exit status, standard output, standard error (never a panic).
pub fn skylark(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skylark"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "panic: {err}");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        err,
    )
}
/// A `skylark serve` process, killed when dropped.
pub struct Node {
    child: Child,
    pub url: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `skylark serve` on a free loopback port with the store `db`.
pub fn serve(dir: &Path, db: &str) -> Node {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skylark"))
        .args([
            "serve",
            "--db",
            db,
            "--listen",
            "127.0.0.1:0",
            "--max-seconds",
            "60",
        ])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .strip_prefix("listening on ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("serve said {line:?}"))
        .to_string();
    Node { child, url }
}

/// An HTTP agent that returns error statuses as responses.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// POSTs `body` to `url`: the status and the body as text.
pub fn post(url: &str, body: &[u8]) -> (u16, String) {
    let mut r = agent().post(url).send(body).unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}
