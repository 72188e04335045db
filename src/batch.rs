//! Many messages at once: batch signature verification and cached public keys, with verdicts
//! identical to one message at a time.
//!
//! A node that ingests a firehose spends its time verifying signatures. [`verify`] decodes every
//! message as [`Envelope::decode`] does (rules ENV-1 to ENV-12), checks its body hash (ENV-13) and
//! the per-signature rules SIG-6 to SIG-8 on its own, and then checks the signature equations of
//! SIG-9 together, up to 256 at a time, with one random linear combination
//! (`spec/03-signatures.md` §8). That costs about a third of verifying them one by one. If a batch
//! fails, it is narrowed down to exactly the messages whose signatures fail, and those get the error
//! the single path gives them. Public keys go through a [`KeyCache`], so an author seen before costs
//! no point decompression. With the `std` feature, [`verify`] (and so [`ingest`] and
//! [`crate::replica::Replica::ingest_batch`]) uses every core, up to 8, in scoped threads
//! ([`verify_threads`]); [`verify_each`] hands each verified chunk to the calling thread while the
//! others verify the next, so that what the caller does with a message (the replica inserts it)
//! overlaps the signature check.
//!
//! For every input, the result is the one [`SignedMessage::from_bytes`] gives it, and [`ingest`]'s
//! is the one [`crate::message::validate`] then gives it: the batch changes the cost, never a
//! verdict or an error code (except with probability at most 2^-128 per batch over the random
//! numbers, which the signers cannot predict).
//!
//! The crate is pure, so the caller supplies the random number generator; use a cryptographically
//! secure one, such as `rand::rngs::OsRng` or a `ChaCha20Rng` seeded from it.
//!
//! ```
//! use skylark::batch;
//! use skylark::envelope::SignedMessage;
//! use skylark::keys::{KeyCache, SecretKey};
//! use skylark::message::{BodyKind, Post};
//! # struct Rng(u64);
//! # impl rand_core::RngCore for Rng {
//! #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
//! #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
//! #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { *x = (self.next_u64() >> 56) as u8; } }
//! #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
//! # }
//! # impl rand_core::CryptoRng for Rng {}
//!
//! let key = SecretKey::from_seed([1; 32]);
//! let alice = skylark::id::AccountId::from_bytes([0xaa; 32]);
//! let mut inputs = Vec::new();
//! for i in 0..10u64 {
//!     let post = Post::builder().text(format!("post {i}")).build()?.draft(alice, 1_000 + i)?.sign(&key)?;
//!     inputs.push(post.as_bytes().to_vec());
//! }
//! // One bad message among them: a flipped bit in its signature.
//! let last = inputs[3].len() - 1;
//! inputs[3][last] ^= 1;
//!
//! // Use a real CSPRNG; this stand-in only keeps the example pure.
//! let mut rng = Rng(7);
//! let mut keys = KeyCache::new(100_000);
//! let results = batch::verify(&inputs, &mut keys, &mut rng);
//! for (input, result) in inputs.iter().zip(&results) {
//!     assert_eq!(result, &SignedMessage::from_bytes(input));
//! }
//! assert_eq!(results[3].as_ref().unwrap_err().code(), "sig.mismatch");
//! assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::vec::Vec;

use rand_core::{CryptoRng, RngCore};

use crate::account::Prechecked;
use crate::envelope::{Envelope, EnvelopeError, SignedMessage};
use crate::keys::{check_pending, Decompressed, KeyCache, KeyError, SignatureError, MAX_BATCH};
use crate::message::{validate, Context, Verdict};

/// Decodes and verifies one message, as [`SignedMessage::from_bytes`] does, parsing its key through
/// `keys`: for an author seen before, this saves the key's decompression (about a tenth of the
/// cost of verifying a message).
///
/// # Errors
///
/// Exactly those of [`SignedMessage::from_bytes`].
///
/// ```
/// use skylark::batch;
/// use skylark::envelope::SignedMessage;
/// use skylark::keys::{KeyCache, SecretKey};
/// use skylark::message::{BodyKind, Post};
///
/// let key = SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([0xaa; 32]);
/// let post = Post::builder().text("hello").build()?.draft(alice, 1_000)?.sign(&key)?;
/// let mut keys = KeyCache::new(1_000);
/// assert_eq!(batch::verify_one(post.as_bytes(), &mut keys)?, post);
/// assert_eq!(keys.len(), 1); // the next message by this key skips decompression
/// assert_eq!(batch::verify_one(&[0xa0], &mut keys), SignedMessage::from_bytes(&[0xa0]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_one(input: &[u8], keys: &mut KeyCache) -> Result<SignedMessage, EnvelopeError> {
    let (envelope, key) = Envelope::decode_with(input, |bytes| keys.decompress(bytes))?;
    envelope.verify_with(&key)
}

/// Decodes and verifies many messages, checking their signatures in batches: one result per input,
/// in input order, each exactly what [`SignedMessage::from_bytes`] gives that input.
///
/// Rules ENV-1 to ENV-13 and SIG-6 to SIG-8 are checked for each message on its own, in the spec's
/// order; the equations of SIG-9 of the messages that pass them are checked together, 256 at a
/// time. A failing batch is narrowed down to its failing messages, which get
/// `sig.mismatch`, at a cost linear in the batch whatever the mix of good and bad messages. Memory
/// beyond the results is bounded by a constant: inputs are handled 256 at a time per thread.
///
/// With the `std` feature, the work is spread over the machine's cores (at most 8), as
/// [`verify_threads`] does; the results are the same as on one thread.
///
/// `rng` must be a cryptographically secure random number generator (see the [module
/// documentation](self)).
///
/// ```
/// use skylark::batch;
/// use skylark::envelope::SignedMessage;
/// use skylark::keys::KeyCache;
/// # struct Rng(u64);
/// # impl rand_core::RngCore for Rng {
/// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
/// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
/// #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { *x = (self.next_u64() >> 56) as u8; } }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
/// # }
/// # impl rand_core::CryptoRng for Rng {}
///
/// // Inputs that fail before the signature keep their own errors.
/// let inputs: [&[u8]; 2] = [&[0xa0], &[]];
/// let results = batch::verify(inputs, &mut KeyCache::new(16), &mut Rng(1));
/// assert_eq!(results[0], SignedMessage::from_bytes(&[0xa0]));
/// assert_eq!(results[1].as_ref().unwrap_err().code(), "cbor.truncated");
/// ```
pub fn verify<B, R>(
    inputs: impl IntoIterator<Item = B>,
    keys: &mut KeyCache,
    rng: &mut R,
) -> Vec<Result<SignedMessage, EnvelopeError>>
where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
{
    #[cfg(feature = "std")]
    {
        verify_threads(inputs, keys, rng, threads())
    }
    #[cfg(not(feature = "std"))]
    verify_sequential(inputs, keys, rng)
}

/// The most threads [`verify`] uses, however many cores the machine has: each round of verification
/// holds `threads × 256` inputs, and a node with more cores does better feeding several batches at
/// once than spreading one thinly.
#[cfg(feature = "std")]
const MAX_THREADS: usize = 8;

/// [`verify`] on `threads` threads (with the `std` feature): the results, and the state the key cache
/// is left in, are exactly those of one thread.
///
/// Inputs are taken in rounds of `threads × 256`. In each round, every thread decodes and checks a
/// chunk of 256 on its own — layer 1 up to the signature equations, then the equations of the chunk
/// as one combination, with coefficients from its own generator, seeded by 32 bytes from `rng` —
/// looking keys up in the cache as it was when the round began (a key it has to decompress is
/// decompressed once per chunk). The uses of the cache are then counted in input order, as one
/// thread would have counted them. `threads` of 0 or 1 verifies on the calling thread; verdicts are
/// the same for every `threads` (up to the 2^-128 chance of every batch combination, see the [module
/// documentation](self)).
///
/// ```
/// use skylark::batch;
/// use skylark::keys::{KeyCache, SecretKey};
/// use skylark::message::{BodyKind, Post};
/// # struct Rng(u64);
/// # impl rand_core::RngCore for Rng {
/// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
/// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
/// #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { *x = (self.next_u64() >> 56) as u8; } }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
/// # }
/// # impl rand_core::CryptoRng for Rng {}
/// let key = SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([0xaa; 32]);
/// let mut inputs = Vec::new();
/// for i in 0..600u64 {
///     let post = Post::builder().text(format!("post {i}")).build()?.draft(alice, i)?.sign(&key)?;
///     inputs.push(post.as_bytes().to_vec());
/// }
/// inputs[300][5] ^= 1; // a broken one, in the second chunk
/// let one = batch::verify_threads(&inputs, &mut KeyCache::new(8), &mut Rng(1), 1);
/// let two = batch::verify_threads(&inputs, &mut KeyCache::new(8), &mut Rng(2), 2);
/// assert_eq!(one, two);
/// assert_eq!(two.iter().filter(|r| r.is_err()).count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "std")]
pub fn verify_threads<B, R>(
    inputs: impl IntoIterator<Item = B>,
    keys: &mut KeyCache,
    rng: &mut R,
    threads: usize,
) -> Vec<Result<SignedMessage, EnvelopeError>>
where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
{
    if threads <= 1 {
        return verify_sequential(inputs, keys, rng);
    }
    let mut inputs = inputs.into_iter();
    let mut results = Vec::with_capacity(inputs.size_hint().0);
    let mut round: Vec<B> = Vec::with_capacity(threads * MAX_BATCH);
    loop {
        round.clear();
        round.extend(inputs.by_ref().take(threads * MAX_BATCH));
        if round.is_empty() {
            return results;
        }
        let slices: Vec<&[u8]> = round.iter().map(AsRef::as_ref).collect();
        let seeds: Vec<[u8; 32]> = slices
            .chunks(MAX_BATCH)
            .map(|_| {
                let mut seed = [0; 32];
                rng.fill_bytes(&mut seed);
                seed
            })
            .collect();
        let cache: &KeyCache = keys;
        let chunks: Vec<Checked> = std::thread::scope(|scope| {
            let mut chunks = slices.chunks(MAX_BATCH).zip(&seeds);
            let first = chunks.next();
            let spawned: Vec<_> = chunks
                .map(|(chunk, seed)| {
                    scope
                        .spawn(move || verify_chunk(chunk, &|bytes| cache.peek(bytes), seed, false))
                })
                .collect();
            let mut out = Vec::with_capacity(spawned.len() + 1);
            if let Some((chunk, seed)) = first {
                out.push(verify_chunk(chunk, &|bytes| cache.peek(bytes), seed, false));
            }
            for handle in spawned {
                // A panic in a thread is a panic of this call, as on one thread.
                out.push(
                    handle
                        .join()
                        .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
                );
            }
            out
        });
        for chunk in chunks {
            for (bytes, key) in chunk.used {
                keys.record(&bytes, key);
            }
            results.extend(chunk.results.into_iter().map(|(result, _)| result));
        }
    }
}

/// Decodes and verifies `inputs` as [`verify_threads`] does, handing each result to `take` on the
/// calling thread, in input order, as soon as its chunk of 256 is verified, while the other
/// threads go on verifying the chunks that follow: what `take` does with a message (insert it into
/// a store, validate it) overlaps the signature check of the next ones. The results, and the state
/// the key cache is left in, are exactly those of [`verify`] on one thread.
///
/// The calling thread hands results on whenever the next chunk in input order is ready and
/// otherwise verifies a chunk itself, so it is never idle while there is work; the `threads − 1`
/// others only verify. They run at most `4 × threads` chunks ahead of what was handed on, so the
/// memory beyond the inputs is bounded by a constant. Threads look keys up in the cache as it
/// stands (a key first seen in a chunk that is not handed on yet is decompressed once more per
/// chunk); uses are counted in input order when a chunk is handed on. `threads` of 0 or 1 verifies
/// on the calling thread, a chunk at a time. With `threads` ≥ 2, `take` runs on the calling thread
/// and need not be [`Send`].
///
/// This is what [`crate::replica::Replica::ingest_batch`] does with the machine's cores: on two
/// cores, inserting into the replica runs beside verification instead of after it.
///
/// ```
/// use skylark::batch;
/// use skylark::keys::{KeyCache, SecretKey};
/// use skylark::message::{BodyKind, Post};
/// # struct Rng(u64);
/// # impl rand_core::RngCore for Rng {
/// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
/// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
/// #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { *x = (self.next_u64() >> 56) as u8; } }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
/// # }
/// # impl rand_core::CryptoRng for Rng {}
/// let key = SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([0xaa; 32]);
/// let mut inputs = Vec::new();
/// for i in 0..600u64 {
///     let post = Post::builder().text(format!("post {i}")).build()?.draft(alice, i)?.sign(&key)?;
///     inputs.push(post.as_bytes().to_vec());
/// }
/// inputs[300][5] ^= 1; // a broken one, in the second chunk
/// let mut handed = Vec::new();
/// batch::verify_each(&inputs, &mut KeyCache::new(8), &mut Rng(2), 2, |r| handed.push(r));
/// assert_eq!(handed, batch::verify_threads(&inputs, &mut KeyCache::new(8), &mut Rng(1), 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_each<B, R, F>(
    inputs: impl IntoIterator<Item = B>,
    keys: &mut KeyCache,
    rng: &mut R,
    threads: usize,
    mut take: F,
) where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
    F: FnMut(Result<SignedMessage, EnvelopeError>),
{
    verify_each_with(inputs, keys, rng, threads, false, |result, _| take(result));
}

/// [`verify_each`], with `precheck`: each key operation that verifies, of the kinds and sizes
/// [`Prechecked`] takes, has its acceptances verified too, on the thread that verified it and in a
/// batch with the others of its chunk, and `take` gets the message with its precheck. Without
/// `precheck`, `take` gets `None`. `threads` is capped at 8 and at the number of chunks of 256.
pub(crate) fn verify_each_with<B, R, F>(
    inputs: impl IntoIterator<Item = B>,
    keys: &mut KeyCache,
    rng: &mut R,
    threads: usize,
    precheck: bool,
    take: F,
) where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
    F: FnMut(Result<SignedMessage, EnvelopeError>, Option<Prechecked>),
{
    #[cfg(feature = "std")]
    let inputs: Vec<B> = inputs.into_iter().collect();
    #[cfg(feature = "std")]
    {
        let threads = threads
            .min(MAX_THREADS)
            .min(inputs.len().div_ceil(MAX_BATCH));
        if threads > 1 {
            return pipeline(&inputs, keys, rng, threads, precheck, take);
        }
    }
    let _ = threads;
    each_sequential(inputs, keys, rng, precheck, take);
}

/// How many threads [`verify`] and [`crate::replica::Replica::ingest_batch`] use: the machine's
/// cores, at most 8, with the `std` feature; 1 without.
pub(crate) fn threads() -> usize {
    #[cfg(feature = "std")]
    {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        cores.min(MAX_THREADS)
    }
    #[cfg(not(feature = "std"))]
    1
}

/// [`verify_each_with`] on `threads` ≥ 2 threads.
#[cfg(feature = "std")]
fn pipeline<B, R, F>(
    inputs: &[B],
    keys: &mut KeyCache,
    rng: &mut R,
    threads: usize,
    precheck: bool,
    mut take: F,
) where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
    F: FnMut(Result<SignedMessage, EnvelopeError>, Option<Prechecked>),
{
    use std::sync::{Condvar, Mutex, PoisonError};

    let slices: Vec<&[u8]> = inputs.iter().map(AsRef::as_ref).collect();
    let chunks: Vec<&[&[u8]]> = slices.chunks(MAX_BATCH).collect();
    let seeds: Vec<[u8; 32]> = chunks
        .iter()
        .map(|_| {
            let mut seed = [0; 32];
            rng.fill_bytes(&mut seed);
            seed
        })
        .collect();
    let ahead = 4 * threads;
    let cache = Mutex::new(keys);
    let lookup = |bytes: &[u8; 32]| {
        cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .peek(bytes)
    };
    let pipe = Mutex::new(Pipe {
        next: 0,
        handed: 0,
        done: chunks.iter().map(|_| None).collect(),
        failed: false,
    });
    let changed = Condvar::new();
    let lock = || pipe.lock().unwrap_or_else(PoisonError::into_inner);
    // A panic on any thread (in verification, or in `take` on the calling thread) tells the
    // others, which would otherwise wait for ever for a chunk or for room ahead; the scope then
    // panics (with the calling thread's payload, or std's "a scoped thread panicked" for a
    // helper's).
    struct Failed<'a>(&'a Mutex<Pipe>, &'a Condvar);
    impl Drop for Failed<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                self.0.lock().unwrap_or_else(PoisonError::into_inner).failed = true;
                self.1.notify_all();
            }
        }
    }
    // Verifies chunk `i` and files its results.
    let verify = |i: usize| {
        let guard = Failed(&pipe, &changed);
        let out = verify_chunk(chunks[i], &lookup, &seeds[i], precheck);
        lock().done[i] = Some(out);
        changed.notify_all();
        drop(guard);
    };
    std::thread::scope(|scope| {
        let _guard = Failed(&pipe, &changed);
        for _ in 1..threads {
            scope.spawn(|| loop {
                let i = {
                    let mut p = lock();
                    while p.next < chunks.len() && p.next >= p.handed + ahead && !p.failed {
                        p = changed.wait(p).unwrap_or_else(PoisonError::into_inner);
                    }
                    if p.next >= chunks.len() || p.failed {
                        return;
                    }
                    p.next += 1;
                    p.next - 1
                };
                verify(i);
            });
        }
        for k in 0..chunks.len() {
            let out = loop {
                let mut p = lock();
                if p.failed {
                    return;
                }
                if let Some(out) = p.done[k].take() {
                    p.handed = k + 1;
                    drop(p);
                    changed.notify_all();
                    break out;
                }
                // The calling thread too stays within `ahead` of what was handed on (audit
                // PC-2): the chunk it waits for is in a helper's hands and will be filed.
                if p.next < chunks.len() && p.next < p.handed + ahead {
                    p.next += 1;
                    let i = p.next - 1;
                    drop(p);
                    verify(i);
                } else {
                    drop(changed.wait(p).unwrap_or_else(PoisonError::into_inner));
                }
            };
            let mut keys = cache.lock().unwrap_or_else(PoisonError::into_inner);
            for (bytes, key) in out.used {
                keys.record(&bytes, key);
            }
            drop(keys);
            for (result, prechecked) in out.results {
                take(result, prechecked);
            }
        }
    });
}

/// The shared state of [`verify_each`]'s threads: the next chunk to verify, how many were handed
/// on, the verified chunks not yet handed on, and whether a thread panicked.
#[cfg(feature = "std")]
struct Pipe {
    next: usize,
    handed: usize,
    done: Vec<Option<Checked>>,
    failed: bool,
}

/// What checking an input gives: its layer-1 result and, when asked for, the precheck of the key
/// operation it is.
type Outcome = (Result<SignedMessage, EnvelopeError>, Option<Prechecked>);

/// A chunk checked by a thread of [`verify_threads`] or [`verify_each`]: each input's outcome, and
/// the keys its decoding parsed, in input order, for the cache.
#[cfg(feature = "std")]
struct Checked {
    used: Vec<([u8; 32], Decompressed)>,
    results: Vec<Outcome>,
}

/// [`check_chunk`] on a thread that does not hold the cache: keys come from `cache` (a lookup that
/// counts no use) or are decompressed, once per chunk, and the coefficients from a generator seeded
/// by `seed`.
#[cfg(feature = "std")]
fn verify_chunk(
    inputs: &[&[u8]],
    cache: &dyn Fn(&[u8; 32]) -> Option<Decompressed>,
    seed: &[u8; 32],
    precheck: bool,
) -> Checked {
    let mut rng = SeededRng::new(seed);
    let mut fresh: alloc::collections::BTreeMap<[u8; 32], Decompressed> = Default::default();
    let mut used = Vec::with_capacity(inputs.len());
    let parse = |bytes: &[u8; 32]| {
        let key = match cache(bytes).or_else(|| fresh.get(bytes).copied()) {
            Some(key) => key,
            None => {
                let key = Decompressed::parse(bytes)?;
                fresh.insert(*bytes, key);
                key
            }
        };
        used.push((*bytes, key));
        Ok(key)
    };
    let results = check_chunk(inputs, parse, &mut rng, precheck);
    Checked { used, results }
}

/// Layer 1 of up to [`MAX_BATCH`] inputs on the calling thread, their signature equations as one
/// combination with coefficients from `rng`; `parse` parses a header's key (SIG-1 to SIG-4). With
/// `precheck`, the acceptances of the key operations among the messages that verify are prepared
/// ([`Prechecked::prepare`]) and their equations checked in further combinations, one per rank of
/// acceptance: ACCT-10's signature checks, batched instead of one by one as each operation is
/// applied.
fn check_chunk<B, R>(
    inputs: &[B],
    mut parse: impl FnMut(&[u8; 32]) -> Result<Decompressed, KeyError>,
    rng: &mut R,
    precheck: bool,
) -> Vec<Outcome>
where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
{
    let mut out: Vec<Outcome> = Vec::with_capacity(inputs.len());
    let mut envelopes = Vec::with_capacity(inputs.len());
    let mut pending = Vec::with_capacity(inputs.len());
    for input in inputs {
        let prepared = Envelope::decode_with(input.as_ref(), &mut parse)
            .and_then(|(envelope, key)| Ok((envelope.prepare(&key)?, envelope)));
        match prepared {
            Ok((item, envelope)) => {
                pending.push(item);
                envelopes.push((out.len(), envelope));
                // What the message gets if its equation fails; replaced below if it holds.
                out.push((
                    Err(EnvelopeError::Signature(SignatureError::Mismatch)),
                    None,
                ));
            }
            Err(error) => out.push((Err(error), None)),
        }
    }
    let mut holds = alloc::vec![false; pending.len()];
    check_pending(&pending, &mut holds, rng);
    let mut prechecks = Vec::new();
    for ((slot, envelope), holds) in envelopes.into_iter().zip(holds) {
        if !holds {
            continue;
        }
        let message = envelope.into_verified();
        if precheck {
            if let Some(unchecked) = Prechecked::prepare(&message) {
                prechecks.push((slot, unchecked, 0));
            }
        }
        out[slot].0 = Ok(message);
    }
    // The acceptances in rounds: the `round`-th of each operation whose earlier ones held, so that,
    // as when the operation is applied, none is checked after one that fails.
    for round in 0..Prechecked::MAX_KEYS {
        pending.clear();
        let mut live = Vec::new();
        for (i, (_, unchecked, held)) in prechecks.iter().enumerate() {
            if *held == round {
                if let Some(item) = unchecked.pending().get(round) {
                    pending.push(*item);
                    live.push(i);
                }
            }
        }
        if live.is_empty() {
            break;
        }
        let mut holds = alloc::vec![false; pending.len()];
        check_pending(&pending, &mut holds, rng);
        for (i, holds) in live.into_iter().zip(holds) {
            if holds {
                prechecks[i].2 += 1;
            }
        }
    }
    for (slot, unchecked, held) in prechecks {
        out[slot].1 = Some(unchecked.settle(held));
    }
    out
}

/// The generator of one thread's batch coefficients: the BLAKE3 extendable output under a 32-byte
/// key drawn from the caller's cryptographically secure generator, so as unpredictable to the
/// signers as the caller's own numbers.
#[cfg(feature = "std")]
struct SeededRng(blake3::OutputReader);

#[cfg(feature = "std")]
impl SeededRng {
    fn new(seed: &[u8; 32]) -> Self {
        let mut hasher = blake3::Hasher::new_keyed(seed);
        hasher.update(b"skylark batch coefficients");
        SeededRng(hasher.finalize_xof())
    }
}

#[cfg(feature = "std")]
impl RngCore for SeededRng {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0; 4];
        self.0.fill(&mut bytes);
        u32::from_le_bytes(bytes)
    }
    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0; 8];
        self.0.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

#[cfg(feature = "std")]
impl CryptoRng for SeededRng {}

/// [`verify`] on the calling thread.
fn verify_sequential<B, R>(
    inputs: impl IntoIterator<Item = B>,
    keys: &mut KeyCache,
    rng: &mut R,
) -> Vec<Result<SignedMessage, EnvelopeError>>
where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
{
    let inputs = inputs.into_iter();
    let mut results = Vec::with_capacity(inputs.size_hint().0);
    each_sequential(inputs, keys, rng, false, |result, _| results.push(result));
    results
}

/// [`verify_each_with`] on the calling thread, a chunk of [`MAX_BATCH`] at a time.
fn each_sequential<B, R, F>(
    inputs: impl IntoIterator<Item = B>,
    keys: &mut KeyCache,
    rng: &mut R,
    precheck: bool,
    mut take: F,
) where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
    F: FnMut(Result<SignedMessage, EnvelopeError>, Option<Prechecked>),
{
    let mut inputs = inputs.into_iter();
    let mut chunk: Vec<B> = Vec::with_capacity(MAX_BATCH);
    loop {
        chunk.clear();
        chunk.extend(inputs.by_ref().take(MAX_BATCH));
        if chunk.is_empty() {
            return;
        }
        let parse = |bytes: &[u8; 32]| keys.decompress(bytes);
        for (result, prechecked) in check_chunk(&chunk, parse, rng, precheck) {
            take(result, prechecked);
        }
    }
}

/// Bytes to verdicts for many messages: [`verify`], then [`crate::message::validate`] of each
/// verified message against `context`. One result per input, in input order: the envelope error
/// of an input that fails layer 1, else the verdict that validating it alone gives.
///
/// Each message is validated against `context` as it is; messages of the same batch do not see
/// each other (add the ones a later batch needs to the context, as a node adds what it accepted
/// to its store).
///
/// ```
/// use skylark::batch;
/// use skylark::keys::{KeyCache, SecretKey};
/// use skylark::message::{Authorization, BodyKind, MemoryContext, Post, Verdict};
/// # struct Rng(u64);
/// # impl rand_core::RngCore for Rng {
/// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
/// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
/// #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { *x = (self.next_u64() >> 56) as u8; } }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
/// # }
/// # impl rand_core::CryptoRng for Rng {}
///
/// let key = SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([0xaa; 32]);
/// let now = 1_764_115_200_000;
/// let ok = Post::builder().text("now").build()?.draft(alice, now)?.sign(&key)?;
/// let future = Post::builder().text("later").build()?.draft(alice, now + 3_600_000)?.sign(&key)?;
///
/// let context = MemoryContext::new(now, Authorization::Authorized);
/// let inputs = [ok.as_bytes(), future.as_bytes(), &[0xa0][..]];
/// let results = batch::ingest(inputs, &context, &mut KeyCache::new(16), &mut Rng(3));
/// assert!(matches!(&results[0], Ok(Verdict::Valid(_))));
/// assert!(matches!(&results[1], Ok(Verdict::Invalid(e)) if e.code() == "msg.time_in_future"));
/// assert_eq!(results[2].as_ref().unwrap_err().code(), "env.missing_field");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ingest<B, R, C>(
    inputs: impl IntoIterator<Item = B>,
    context: &C,
    keys: &mut KeyCache,
    rng: &mut R,
) -> Vec<Result<Verdict, EnvelopeError>>
where
    B: AsRef<[u8]>,
    R: RngCore + CryptoRng,
    C: Context,
{
    verify(inputs, keys, rng)
        .into_iter()
        .map(|result| result.map(|message| validate(message, context)))
        .collect()
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::account::accept_tests;
    use crate::keys::SecretKey;

    /// The acceptances checked in rounds give each operation the precheck that checking them one
    /// by one gives: both keys of a good genesis, none from the first failing acceptance on.
    #[test]
    fn a_chunk_prechecks_acceptances_in_key_order() {
        let root = SecretKey::from_seed([3; 32]);
        let strangers = accept_tests::strangers_around(&root.public_key());
        let mut inputs = Vec::new();
        let mut expected = Vec::new();
        for seed in 10..40u8 {
            let witness = SecretKey::from_seed([seed; 32]);
            let keys = [root.public_key(), witness.public_key()];
            for acceptor in [&witness, &strangers[0], &strangers[1]] {
                let genesis = accept_tests::witnessed_genesis(&root, &witness, acceptor);
                inputs.push(genesis.as_bytes().to_vec());
                expected.push(accept_tests::leading_matches(
                    [root.public_key(), acceptor.public_key()],
                    keys,
                ));
            }
        }
        assert!([0, 1, 2].iter().all(|n| expected.contains(n)));
        let mut rng = SeededRng::new(&[7; 32]);
        let out = check_chunk(&inputs, Decompressed::parse, &mut rng, true);
        let held: Vec<usize> = out
            .into_iter()
            .map(|(result, pre)| {
                assert!(result.is_ok());
                pre.unwrap().verified_count()
            })
            .collect();
        assert_eq!(held, expected);
    }
}
