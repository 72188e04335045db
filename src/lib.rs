//! # Skylark
//!
//! Skylark is an open protocol for decentralized social media: one shared foundation and many apps, the
//! way email works. Every app speaks the same signed, content-addressed messages and applies the same
//! validation and merge rules, so a user of one app can post, reply, follow and message users of any
//! other. This crate is the protocol's reference implementation; `spec/` is its normative text and
//! `test-vectors/` its language-neutral conformance suite.
//!
//! ## The I/O boundary
//!
//! The crate is pure. It reads no files, opens no sockets, reads no clock and draws no randomness of
//! its own: bytes come in, verdicts and bytes go out. Whatever depends on the world is a parameter —
//! the current time, key material, and a random number generator where one is needed. It builds with
//! `no_std` (plus `alloc`) and contains no `unsafe` code.
//!
//! ```text
//!  bytes ──► cbor (Skylark CBOR, canonical) ──► envelope::Envelope ──verify──► envelope::SignedMessage
//!                                                  (ENV-1..12)                  (ENV-13..14)
//!  SecretKey + envelope::Draft ──sign──► envelope::SignedMessage ──as_bytes──► bytes
//! ```
//!
//! ## Layers
//!
//! - [`cbor`]: the strict canonical CBOR profile every Skylark byte string uses.
//! - [`id`]: BLAKE3 content addressing with domain separation, and the one text form of every id.
//! - [`keys`]: Ed25519 keys and the one signature validity predicate.
//! - [`envelope`]: the signed wire form of one message.
//! - [`message`]: the social message kinds (posts, profiles, follows, labels, …), their bodies, and
//!   validation against a node's context: valid, invalid or undecided.
//! - [`account`]: self-certifying accounts, root keys, delegated app keys, revocation and recovery, as
//!   a pure state machine over key operations.
//! - [`dm`]: sealed, end-to-end encrypted direct messages between accounts of any apps.
//! - [`merge`]: the convergent state of a set of valid messages (profiles, posts and edits, threads,
//!   reactions, follows, labels, deletes) and its digest, the same on every node whatever the order.
//!
//! Every error has a stable `code()` and names the spec `rule()` it enforces; the test vectors use the
//! same codes.
//!
//! ```
//! use skylark::cbor::{Map, Value};
//! use skylark::envelope::{Draft, Kind, SignedMessage};
//! use skylark::id::AccountId;
//! use skylark::keys::SecretKey;
//!
//! let key = SecretKey::from_seed([1; 32]);
//! let mut body = Map::new();
//! body.insert("text", Value::from("hello, world"));
//! let sent = Draft::new(AccountId::from_bytes([0xaa; 32]), Kind::new("post")?, 1_764_115_200_000, &body)?
//!     .sign(&key)?;
//!
//! let received = SignedMessage::from_bytes(sent.as_bytes())?;
//! assert_eq!(received.id(), sent.id());
//! assert_eq!(received.header().key(), &key.public_key());
//!
//! // One flipped bit anywhere, and the message is rejected or is a different message.
//! let mut tampered = sent.as_bytes().to_vec();
//! tampered[20] ^= 0x01;
//! assert!(SignedMessage::from_bytes(&tampered).map_or(true, |m| m.id() != sent.id()));
//! # Ok::<(), skylark::envelope::EnvelopeError>(())
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;

pub mod account;
pub mod cbor;
pub mod dm;
pub mod envelope;
pub mod id;
pub mod keys;
pub mod merge;
pub mod message;
