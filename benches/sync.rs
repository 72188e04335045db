//! Set reconciliation (spec 09): two sets of 10^6 items differing by 0.1 %, 1 % and 10 %.
//!
//! Prints, once per case, the bytes each way and the round trips of a whole session (and the bytes
//! of sending every id instead), then lets criterion time a whole session (both sides) and the
//! responder's keyed pass alone. Set `SKYLARK_SYNC_N` to change the set size.

use criterion::Criterion;
use skylark::id::MessageId;
use skylark::sync::{Initiator, Item, Responder, Set};

fn item(i: u64) -> Item {
    let id = *blake3::hash(&i.to_le_bytes()).as_bytes();
    // About 10 items per millisecond, as a busy node would hold.
    Item::new(1_764_115_200_000 + i / 10, MessageId::from_bytes(id))
}

/// Two sets of `n` items each: `d` of each side's items are its own.
fn sets(n: u64, d: u64) -> (Set, Set) {
    let a = Set::new((0..n).map(item)).unwrap_or_default();
    // b: the same, less every (n/d)-th item, plus d items of its own.
    let step = n / d.max(1);
    let b = Set::new(
        (0..n)
            .filter(|i| d == 0 || i % step != 0)
            .chain(n..n + d)
            .map(item),
    )
    .unwrap_or_default();
    (a, b)
}

struct Outcome {
    up: usize,
    down: usize,
    rounds: usize,
    have: usize,
    need: usize,
}

fn session(a: &Set, b: &Set) -> Outcome {
    let mut initiator = Initiator::new(a, [7; 16]);
    let mut responder = Responder::new(b);
    let mut frame = initiator.open();
    let (mut up, mut down) = (0, 0);
    loop {
        up += frame.len();
        let Ok(reply) = responder.respond(&frame) else {
            break;
        };
        down += reply.len();
        match initiator.receive(&reply) {
            Ok(Some(next)) => frame = next,
            _ => break,
        }
    }
    Outcome {
        up,
        down,
        rounds: initiator.rounds(),
        have: initiator.have().len(),
        need: initiator.need().len(),
    }
}

fn bench(c: &mut Criterion) {
    let n: u64 = std::env::var("SKYLARK_SYNC_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut group = c.benchmark_group("sync");
    group.sample_size(10);
    for (label, d) in [("0.1%", n / 1000), ("1%", n / 100), ("10%", n / 10)] {
        let (a, b) = sets(n, d);
        let o = session(&a, &b);
        // Sending every id: 32 bytes each (times and framing not counted).
        let naive = 32 * b.len();
        println!(
            "sync n={n} diff={label}: initiator->responder {} B, responder->initiator {} B, {} round trips, have {} need {}; every id: {naive} B one way",
            o.up, o.down, o.rounds, o.have, o.need
        );
        assert_eq!((o.have, o.need), (d as usize, d as usize));
        group.bench_function(format!("session n={n} diff={label}"), |bench| {
            bench.iter(|| session(&a, &b))
        });
    }
    let (a, _) = sets(n, 0);
    group.bench_function(
        format!("keyed pass n={n} (one side, once per session)"),
        |bench| bench.iter(|| Initiator::new(&a, [1; 16])),
    );
    group.finish();
}

/// What `criterion_group!` and `criterion_main!` expand to, written out: the macros' generated
/// `pub fn` has no documentation, which the crate's `missing_docs = "deny"` rejects.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
