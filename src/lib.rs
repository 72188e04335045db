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
//! `no_std` (plus `alloc`), for `wasm32-unknown-unknown` too, and contains no `unsafe` code. The
//! `skylark` command-line tool (`cli/` in the repository) is where files, the clock and the OS random
//! number generator are used.
//!
//! ## The pipeline: from bytes to state
//!
//! Each step is a type, and the only way to get a value of that type is through the step, so a value
//! records what has been checked about it (parse, don't validate):
//!
//! ```text
//!            Envelope::decode               Envelope::verify              message::validate(·, &Context)
//!  bytes ───────────────────► Envelope ────────────────────► SignedMessage ─────────────────────────────► Verdict
//!          canonical CBOR,      header      signature,         id, header,    body rules, time, key         │
//!          envelope shape       parsed      body hash          bytes as       authorization (accounts       │
//!          (CBOR-*, ENV-1..12)              (ENV-13..14)       received       layer), referenced messages   │
//!                                                                             (MSG-*, AUTH-*, per kind)     │
//!           ┌───────────────────────────────────────────────────────────────────────────────────────────────┘
//!           ├─ Valid(ValidMessage) ──── merge::State::apply ──► State ──► summary(now) / digest(now)
//!           ├─ Invalid(ValidationError: code + rule)               (MERGE-*: the same on every node,
//!           └─ Undecided(Vec<Missing>): validate again later        whatever the order)
//!
//!  Post::builder()…build() ──BodyKind::draft──► Draft ──after(previous)──► Draft ──sign(&SecretKey)──► SignedMessage
//!  account::Operation::delegate(…) ──draft──► Draft ──…──► SignedMessage ──Accounts::apply──► key state
//! ```
//!
//! [`envelope::SignedMessage::from_bytes`] is decode and verify in one call. The bytes are the truth:
//! ids, hashes and signatures are computed over the bytes as received, never over a re-encoding, and
//! the decoder rejects every non-canonical encoding.
//!
//! ## Layers
//!
//! | module | what | spec | error codes |
//! |---|---|---|---|
//! | [`cbor`] | Skylark CBOR, the strict canonical profile every byte string uses | `01-encoding.md` | `cbor.*` |
//! | [`id`] | BLAKE3 content addressing with domain separation; one text form per id (`msg_…`, `acct_…`) | `02-identifiers.md` | `id.*` |
//! | [`keys`] | Ed25519 keys and the one signature validity predicate | `03-signatures.md` | `key.*`, `sig.*` |
//! | [`envelope`] | the signed wire form of one message; drafts and signing | `04-envelope.md` | `env.*` |
//! | [`message`] | the social kinds (posts, profiles, follows, labels, …), their bodies, and validation against a node's context: valid, invalid or undecided | `05-messages.md` | `msg.*` |
//! | [`account`] | self-certifying accounts, root keys, delegated app keys, revocation and recovery, as a pure state machine over key operations | `06-accounts.md` | `acct.*`, `auth.*` |
//! | [`batch`] | many messages at once: batch signature verification with narrowing, cached keys; the same verdicts as one at a time | `03-signatures.md` §8 (informative) | as one at a time |
//! | [`dm`] | sealed, end-to-end encrypted direct messages between accounts of any apps: prekeys, padding, no sender or recipient visible to relays | `08-direct-messages.md` | `dm.*` |
//! | [`merge`] | the convergent state of a set of valid messages and its digest, the same on every node whatever the order | `07-merge.md` | none |
//! | [`replica`] | the engine an app embeds: messages in any order, key state, current verdicts kept right incrementally, typed queries (posts, threads, reactions, follows, labels, timelines); a signer that places every message after the key's last | `05` §2, `06` §7, §9, `07` | as the layers below |
//! | `view` (feature `serde`) | read-only JSON-friendly views of messages, verdicts, replica statuses, threads, timeline pages and state, for apps and tools; not the signed form | — | — |
//!
//! The specification lives in `spec/` of the repository (`spec/README.md` is its table of contents;
//! `spec/errors.md` lists every error code), and the language-neutral test vectors in
//! `test-vectors/`, which this crate passes in full (`skylark vectors test-vectors`).
//!
//! ## Cargo features
//!
//! | feature | default | what |
//! |---|---|---|
//! | `std` | yes | BLAKE3's runtime CPU-feature detection (faster hashing), and batch verification on every core (`batch::verify`, `Replica::ingest_batch`, scoped threads); verdicts and bytes are identical without it |
//! | `serde` | no | the `view` module: serde views of messages, verdicts and state (`no_std` compatible) |
//!
//! ## Errors
//!
//! Every error has a stable `code()` and names the spec `rule()` it enforces; the test vectors use the
//! same codes. Validation checks in the spec's order and reports the first failure, so every
//! implementation gives the same code for the same input.
//!
//! ## Stability
//!
//! The crate follows semantic versioning; before 1.0 a minor release (0.x) may break the API and a
//! patch release does not. Error codes and rule IDs are stable from the spec's current draft on.
//! Enums that will grow are `#[non_exhaustive]`. The minimum supported Rust version is the
//! `rust-version` of `Cargo.toml` (1.85), raised only in a minor release. See `CHANGELOG.md`.
//!
//! ## Example: sign, send, receive
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
//!
//! ## Example: an app's whole loop
//!
//! Create an account and an app key, sign in order, ingest in any order, query.
//!
//! ```
//! use skylark::account::{Accounts, Operation};
//! use skylark::id::AccountId;
//! use skylark::keys::SecretKey;
//! use skylark::message::{BodyKind, Post, React};
//! use skylark::replica::{Replica, Signer};
//!
//! let t0 = 1_764_115_200_000;
//! let mut root = Signer::new(SecretKey::from_seed([1; 32]), AccountId::from_bytes([0; 32]));
//! let genesis = root.sign_operation(&Operation::genesis(&[root.public_key()], t0)?)?;
//! let alice = Accounts::account_id(&genesis);
//! let phone = SecretKey::from_seed([2; 32]);
//! let delegation = Operation::delegation(alice, phone.public_key()).parent(genesis.id()).expires(t0 + 86_400_000).build(t0)?.accepted_by(&phone)?;
//! let delegate = root.sign_operation(&delegation)?;
//! let mut app = Signer::new(phone, alice);
//! let post = app.sign(&Post::builder().text("hello").build()?, t0 + 1)?;
//! let like = app.sign(&React::like(post.id()), t0 + 2)?;
//!
//! let mut replica = Replica::new(t0 + 3);
//! for bytes in [like.as_bytes(), post.as_bytes(), delegate.as_bytes(), genesis.as_bytes()] {
//!     replica.ingest(bytes)?; // any order: what waits is decided when what it needs arrives
//! }
//! let home = replica.timeline(&[alice], None, 20);
//! assert_eq!(home.posts[0].text.as_deref(), Some("hello"));
//! assert_eq!(replica.reactions(&post.id()), vec![(String::new(), vec![alice])]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Example: from bytes to merged state
//!
//! A node receives bytes, verifies them, validates them against what it knows, and merges the valid
//! messages; two nodes with the same messages reach the same digest.
//!
//! ```
//! use skylark::account::{Accounts, Operation};
//! use skylark::envelope::SignedMessage;
//! use skylark::keys::SecretKey;
//! use skylark::merge::State;
//! use skylark::message::{validate, BodyKind, Context, MemoryContext, Post, Verdict};
//!
//! let (root, app) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
//! let t0 = 1_764_115_200_000;
//! // An account (its genesis) delegates an app key; the app key posts.
//! let genesis = Operation::genesis(&[root.public_key()], t0)?.sign(&root)?;
//! let alice = Accounts::account_id(&genesis);
//! let delegate = Operation::delegate(alice, genesis.id(), app.public_key(), &[], t0 + 86_400_000, None, t0)?.accepted_by(&app)?
//!     .draft()?.after(&genesis).sign(&root)?;
//! let post = Post::builder().text("hello").build()?.draft(alice, t0 + 1)?.sign(&app)?;
//!
//! // A node: the key state of the accounts it knows, and a clock.
//! let mut accounts = Accounts::new();
//! for op in [&genesis, &delegate] {
//!     accounts.apply(&SignedMessage::from_bytes(op.as_bytes())?)?;
//! }
//! let received = SignedMessage::from_bytes(post.as_bytes())?;
//! let context = MemoryContext::new(t0 + 2, accounts.authorize(received.header(), |_| None));
//! let Verdict::Valid(valid) = validate(received, &context) else { panic!("not valid") };
//!
//! let mut state = State::new();
//! state.apply(&valid);
//! state.apply(&valid); // the same message twice changes nothing
//! let mut other = State::new();
//! other.apply(&valid);
//! assert_eq!(state.digest(context.now()), other.digest(context.now()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
// Threads for batch verification (`batch::verify` uses every core it is given).
#[cfg(feature = "std")]
extern crate std;

pub mod account;
pub mod batch;
pub mod cbor;
pub mod dm;
pub mod envelope;
pub mod id;
pub mod keys;
pub mod merge;
pub mod message;
pub mod pow;
pub mod replica;
pub mod sync;
#[cfg(feature = "serde")]
pub mod view;
