//! Linear time on hostile shapes: decoding, checking, decoding and verifying a whole message, and
//! validating it, for inputs of size n, 2n, 4n and 8n. Linear time means the median grows by about
//! 2x per step (8x from n to 8n); the ratios are in `benches/README.md`.
//!
//! All benchmarks are in one criterion group and run in one process, so their numbers are
//! comparable with each other:
//!
//! ```text
//! cargo bench --bench hostile -- --warm-up-time 1 --measurement-time 3
//! ```

use std::error::Error;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use skylark::cbor::{self, Map, Value};
use skylark::envelope::{Draft, Kind, SignedMessage};
use skylark::id::AccountId;
use skylark::keys::SecretKey;
use skylark::message::{validate, Authorization, MemoryContext};

/// The smallest size: n = 7 KiB, so 8n (56 KiB) fits the 64 KiB limit with a message around it.
const N: usize = 7 * 1024;
const SIZES: [usize; 4] = [N, 2 * N, 4 * N, 8 * N];

#[path = "../tests/support/shapes.rs"]
mod shapes;

use shapes::Shape;

/// One value builder per hostile shape.
fn shapes() -> Vec<Shape> {
    vec![
        ("array_of_small_integers", shapes::array_of_small_integers),
        ("map_of_small_entries", shapes::map_of_small_entries),
        (
            "nested_16_deep_wide",
            shapes::nested_to_the_depth_limit_wide,
        ),
        (
            "text_of_two_byte_characters",
            shapes::text_of_two_byte_characters,
        ),
    ]
}

/// A message of kind `com.example.blob` whose body is a map of about `n` bytes of small entries
/// (an extension kind: any map is a valid body, so validation reads all of it).
fn message(n: usize) -> Result<SignedMessage, Box<dyn Error>> {
    let mut body = Map::new();
    for i in 0..n / 8 {
        body.insert(format!("{i:04x}"), Value::Bytes(vec![1]));
    }
    Ok(Draft::new(
        AccountId::from_bytes([4; 32]),
        Kind::new("com.example.blob")?,
        1_000,
        &body,
    )?
    .sign(&SecretKey::from_seed([3; 32]))?)
}

fn bench(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    let mut group = c.benchmark_group("hostile");
    group.sample_size(20);
    for (name, shape) in shapes() {
        for n in SIZES {
            let bytes = shape(n).to_bytes();
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("decode_{name}"), n),
                &bytes,
                |b, x| b.iter(|| cbor::decode(black_box(x))),
            );
            group.bench_with_input(
                BenchmarkId::new(format!("check_{name}"), n),
                &bytes,
                |b, x| b.iter(|| cbor::check(black_box(x))),
            );
        }
    }
    let context = MemoryContext::new(1_000, Authorization::Authorized);
    for n in SIZES {
        let m = message(n)?;
        let bytes = m.as_bytes().to_vec();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("from_bytes_message", n), &bytes, |b, x| {
            b.iter(|| SignedMessage::from_bytes(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("validate_message", n), &m, |b, m| {
            b.iter(|| validate(black_box(m.clone()), &context))
        });
    }
    group.finish();
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c)?;
    c.final_summary();
    Ok(())
}
