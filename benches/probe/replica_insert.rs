//! Instruction-count probe for `Replica::insert` (issue 18's memory cuts, `benches/README.md`).
//! Not built by cargo from here: copy it into `examples/` of a checkout, build it in release mode
//! and count with cachegrind; the difference between the two modes, divided by 12,000, is the
//! count per message inserted:
//!
//! ```text
//! cp benches/probe/replica_insert.rs examples/zz_insert.rs
//! cargo build --release --example zz_insert
//! valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null target/release/examples/zz_insert none
//! valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null target/release/examples/zz_insert insert
//! ```
//!
//! `zz_insert MODE` builds the 10^4 workload of `benches/replica.rs` (10,000 messages + 2,000
//! operations), then inserts it into a replica (`insert`) or not (`none`).
#![allow(missing_docs, clippy::unwrap_used)]
#[path = "../tests/support/replica_workload.rs"]
mod replica_workload;
fn main() {
    let mode = std::env::args().nth(1).unwrap();
    let w = replica_workload::workload(10_000, 1_000);
    if mode == "insert" {
        let mut r = skylark::replica::Replica::new(w.now());
        for m in w.all() {
            r.insert(m.clone());
        }
        std::hint::black_box(r.digest());
    }
}
