//! Set reconciliation against negentropy (issue 19): two sets of 10^6 items differing by 0.1 %, 1 %
//! and 10 %, reconciled by Skylark's sessions (spec 09) and by the `negentropy` crate (rust-nostr,
//! the protocol of Nostr's NIP-77), both with frames of at most 65 536 bytes, on the same items.
//!
//! Prints, per case and protocol, the bytes each way and the round trips of one session (and the
//! bytes of sending every id), checks that both find exactly the difference, then lets criterion
//! time each side of a whole session separately (`iter_custom`: the time spent inside the
//! initiator's calls, or inside the responder's). Set `SKYLARK_SYNC_N` to change the set size, and
//! `SKYLARK_SYNC_PRINT_ONLY=1` to print the one-session numbers without criterion's timing.

use std::time::{Duration, Instant};

use criterion::Criterion;
use negentropy::{Id, Negentropy, NegentropyStorageVector};
use skylark::id::MessageId;
use skylark::sync::{Initiator, Item, Responder, Set};

/// The frame limit both protocols run with: Skylark's (09 SYNC-1); negentropy's `frame_size_limit`.
const FRAME: usize = 65_536;

fn item(i: u64) -> (u64, [u8; 32]) {
    // About 10 items per millisecond, as a busy node would hold (the same items as benches/sync.rs).
    (
        1_764_115_200_000 + i / 10,
        *blake3::hash(&i.to_le_bytes()).as_bytes(),
    )
}

/// Two lists of `n` items each: `d` of each side's items are its own.
fn lists(n: u64, d: u64) -> (Vec<(u64, [u8; 32])>, Vec<(u64, [u8; 32])>) {
    let a: Vec<_> = (0..n).map(item).collect();
    let step = n / d.max(1);
    let b: Vec<_> = (0..n)
        .filter(|i| d == 0 || i % step != 0)
        .chain(n..n + d)
        .map(item)
        .collect();
    (a, b)
}

fn skylark_set(items: &[(u64, [u8; 32])]) -> Set {
    Set::new(
        items
            .iter()
            .map(|(t, id)| Item::new(*t, MessageId::from_bytes(*id))),
    )
    .unwrap_or_default()
}

fn negentropy_storage(items: &[(u64, [u8; 32])]) -> NegentropyStorageVector {
    let mut s = NegentropyStorageVector::with_capacity(items.len());
    for (t, id) in items {
        s.insert(*t, Id::from_byte_array(*id)).unwrap_or(());
    }
    s.seal().unwrap_or(());
    s
}

/// One session: bytes each way, round trips, ids the initiator has and needs, time in each side.
struct Outcome {
    up: usize,
    down: usize,
    rounds: usize,
    have: usize,
    need: usize,
    initiator: Duration,
    responder: Duration,
}

fn ours(a: &Set, b: &Set) -> Outcome {
    let t = Instant::now();
    let mut initiator = Initiator::new(a, [7; 16]);
    let mut frame = initiator.open();
    let mut ti = t.elapsed();
    let mut tr = Duration::ZERO;
    let mut responder = Responder::new(b);
    let (mut up, mut down, mut rounds) = (0, 0, 0);
    loop {
        up += frame.len();
        let t = Instant::now();
        let Ok(reply) = responder.respond(&frame) else {
            break;
        };
        tr += t.elapsed();
        down += reply.len();
        rounds += 1;
        let t = Instant::now();
        let next = initiator.receive(&reply);
        ti += t.elapsed();
        match next {
            Ok(Some(next)) => frame = next,
            _ => break,
        }
    }
    Outcome {
        up,
        down,
        rounds,
        have: initiator.have().len(),
        need: initiator.need().len(),
        initiator: ti,
        responder: tr,
    }
}

fn theirs(a: &NegentropyStorageVector, b: &NegentropyStorageVector) -> Outcome {
    let t = Instant::now();
    let mut initiator = Negentropy::borrowed(a, FRAME as u64).expect("initiator");
    let mut frame = initiator.initiate().expect("initiate");
    let mut ti = t.elapsed();
    let mut tr = Duration::ZERO;
    let mut responder = Negentropy::borrowed(b, FRAME as u64).expect("responder");
    let (mut have, mut need) = (Vec::new(), Vec::new());
    let (mut up, mut down, mut rounds) = (0, 0, 0);
    loop {
        up += frame.len();
        let t = Instant::now();
        let reply = responder.reconcile(&frame).expect("reconcile");
        tr += t.elapsed();
        down += reply.len();
        rounds += 1;
        let t = Instant::now();
        let next = initiator
            .reconcile_with_ids(&reply, &mut have, &mut need)
            .expect("reconcile_with_ids");
        ti += t.elapsed();
        match next {
            Some(next) => frame = next,
            None => break,
        }
    }
    // negentropy's lists may name an id more than once (a range answered again after a frame was
    // cut); count each id once, as Skylark's sets do.
    let repeats = have.len() + need.len();
    have.sort_unstable();
    have.dedup();
    need.sort_unstable();
    need.dedup();
    let repeats = repeats - have.len() - need.len();
    if repeats > 0 {
        println!("  negentropy: {repeats} ids reported more than once");
    }
    Outcome {
        up,
        down,
        rounds,
        have: have.len(),
        need: need.len(),
        initiator: ti,
        responder: tr,
    }
}

fn bench(c: &mut Criterion) {
    let n: u64 = std::env::var("SKYLARK_SYNC_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut group = c.benchmark_group("sync_peers");
    group.sample_size(10);
    for (label, d) in [("0.1%", n / 1000), ("1%", n / 100), ("10%", n / 10)] {
        let (a, b) = lists(n, d);
        let (sa, sb) = (skylark_set(&a), skylark_set(&b));
        let (na, nb) = (negentropy_storage(&a), negentropy_storage(&b));
        for (name, o) in [
            ("skylark", ours(&sa, &sb)),
            ("negentropy", theirs(&na, &nb)),
        ] {
            println!(
                "sync_peers n={n} diff={label} {name}: initiator->responder {} B, responder->initiator {} B, {} round trips, have {} need {}; one session: initiator {:?}, responder {:?}; every id: {} B one way",
                o.up, o.down, o.rounds, o.have, o.need, o.initiator, o.responder, 32 * b.len()
            );
            assert_eq!((o.have, o.need), (d as usize, d as usize), "{name} {label}");
        }
        // SKYLARK_SYNC_PRINT_ONLY=1: the one-session numbers above, without criterion's timing.
        if std::env::var_os("SKYLARK_SYNC_PRINT_ONLY").is_some() {
            continue;
        }
        type Run<'s> = Box<dyn Fn() -> Outcome + 's>;
        let runs: [(&str, Run); 2] = [
            ("skylark", Box::new(|| ours(&sa, &sb))),
            ("negentropy", Box::new(|| theirs(&na, &nb))),
        ];
        for (name, run) in &runs {
            for side in ["initiator", "responder"] {
                group.bench_function(format!("{name} {side} n={n} diff={label}"), |bench| {
                    bench.iter_custom(|iters| {
                        (0..iters)
                            .map(|_| {
                                let o = run();
                                if side == "initiator" {
                                    o.initiator
                                } else {
                                    o.responder
                                }
                            })
                            .sum()
                    })
                });
            }
        }
    }
    group.finish();
}

/// What `criterion_group!` and `criterion_main!` expand to, written out (as in `peers.rs`).
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
