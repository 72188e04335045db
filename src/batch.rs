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
//! no point decompression.
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

use crate::envelope::{Envelope, EnvelopeError, SignedMessage};
use crate::keys::{check_pending, KeyCache, SignatureError, MAX_BATCH};
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
    Envelope::decode_with(input, |bytes| keys.parse(bytes))?.verify()
}

/// Decodes and verifies many messages, checking their signatures in batches: one result per input,
/// in input order, each exactly what [`SignedMessage::from_bytes`] gives that input.
///
/// Rules ENV-1 to ENV-13 and SIG-6 to SIG-8 are checked for each message on its own, in the spec's
/// order; the equations of SIG-9 of the messages that pass them are checked together, 256 at a
/// time. A failing batch is narrowed down to its failing messages, which get
/// `sig.mismatch`, at a cost linear in the batch whatever the mix of good and bad messages. Memory
/// beyond the results is bounded by a constant: inputs are handled 256 at a time.
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
    let mut inputs = inputs.into_iter();
    let mut results = Vec::with_capacity(inputs.size_hint().0);
    let mut envelopes = Vec::with_capacity(MAX_BATCH);
    let mut pending = Vec::with_capacity(MAX_BATCH);
    let mut verdicts = [false; MAX_BATCH];
    loop {
        let before = results.len();
        for input in inputs.by_ref().take(MAX_BATCH) {
            let prepared = Envelope::decode_with(input.as_ref(), |bytes| keys.parse(bytes))
                .and_then(|envelope| Ok((envelope.prepare()?, envelope)));
            match prepared {
                Ok((item, envelope)) => {
                    pending.push(item);
                    envelopes.push((results.len(), envelope));
                    // What the message gets if its equation fails; replaced below if it holds.
                    results.push(Err(EnvelopeError::Signature(SignatureError::Mismatch)));
                }
                Err(error) => results.push(Err(error)),
            }
        }
        if results.len() == before {
            return results;
        }
        let verdicts = &mut verdicts[..pending.len()];
        check_pending(&pending, verdicts, rng);
        for ((slot, envelope), &holds) in envelopes.drain(..).zip(verdicts.iter()) {
            if holds {
                results[slot] = Ok(envelope.into_verified());
            }
        }
        pending.clear();
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
