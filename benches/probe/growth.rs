//! Instruction-count probe for the hostile shapes of issue 21 (`benches/growth_instructions.sh`
//! runs it under valgrind's cachegrind). `probe list` prints every shape with its smallest size;
//! `probe SHAPE N build` builds the shape's input at size `N` and stops; `probe SHAPE N run` builds
//! it and then does the work `benches/hostile.rs` times. The script subtracts the first count from
//! the second, so the work is counted without building the input, and a count does not move with
//! the machine's load: its growth per doubling of `N` is the growth of the work itself, which the
//! timed medians of `benches/hostile.rs` mix with the cache's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

#[path = "../../tests/support/account_shapes.rs"]
mod account_shapes;
#[path = "../../tests/support/replica_shapes.rs"]
mod replica_shapes;
#[path = "../../tests/support/replica_workload.rs"]
mod replica_workload;

/// Every shape: its name, its smallest size (that of `benches/hostile.rs`), and a function that
/// builds the input at `n` and returns the work to do on it.
type Work = Box<dyn FnOnce()>;
type Shape = (String, usize, Box<dyn Fn(usize) -> Work>);

fn shapes() -> Vec<Shape> {
    let mut out: Vec<Shape> = Vec::new();
    for (name, shape) in account_shapes::operation_shapes() {
        out.push((
            format!("accounts_{name}"),
            1000,
            Box::new(move |n| {
                let ops = shape(n);
                Box::new(move || drop(black_box(account_shapes::apply_all(&ops))))
            }),
        ));
    }
    for (name, shape) in account_shapes::view_per_op_shapes() {
        out.push((
            name.into(),
            1000,
            Box::new(move |n| {
                let ops = shape(n);
                Box::new(move || drop(black_box(account_shapes::ingest_like_a_replica(&ops))))
            }),
        ));
    }
    out.push((
        "auth6_reauthorize_all".into(),
        1000,
        Box::new(|n| {
            let (accounts, posts, headers) = account_shapes::revoked_history(n);
            Box::new(move || {
                black_box(account_shapes::reauthorize(&accounts, &posts, &headers));
            })
        }),
    ));
    out.push((
        "merge_digest_posts".into(),
        10_000,
        Box::new(|n| {
            let mut state = skylark::merge::State::new();
            for post in account_shapes::posts(n) {
                state.apply(&post);
            }
            Box::new(move || {
                black_box(state.digest(0));
            })
        }),
    ));
    for (name, shape, build) in replica_shapes::arrival_shapes() {
        out.push((
            name.into(),
            500,
            Box::new(move |n| {
                let arrival = shape(n);
                Box::new(move || drop(black_box(build(&arrival))))
            }),
        ));
    }
    out.push((
        "head_ops_over_notes".into(),
        500,
        Box::new(|n| {
            let messages = account_shapes::notes_then_head_operations(n);
            Box::new(move || {
                let mut replica = skylark::replica::Replica::new(1 << 41);
                for m in &messages {
                    let _ = replica.ingest(m.as_bytes());
                }
                drop(black_box(replica));
            })
        }),
    ));
    for shape in replica_shapes::SYNC_SHAPES {
        out.push((
            format!("session_{shape}"),
            25_000,
            Box::new(move |n| {
                let (a, b) = replica_shapes::sync_sets(shape, n as u64);
                Box::new(move || {
                    black_box(replica_shapes::session(&a, &b));
                })
            }),
        ));
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shapes = shapes();
    if args.first().map(String::as_str) == Some("list") {
        for (name, n, _) in &shapes {
            println!("{name} {n}");
        }
        return;
    }
    let [name, n, mode] = &args[..] else {
        panic!("usage: probe list | probe SHAPE N build|run");
    };
    let (_, _, build) = shapes
        .iter()
        .find(|(s, _, _)| s == name)
        .unwrap_or_else(|| panic!("no shape {name}"));
    let work = build(n.parse().unwrap());
    if mode == "run" {
        work();
    }
}
