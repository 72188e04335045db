//! Bytes to verdict for a typical message of every social kind, next to a bare Ed25519
//! verification: `SignedMessage::from_bytes` then `validate` against a context that authorizes the
//! key and knows every message the kind looks up. (The post, typical and maximal, is measured in
//! more detail by `benches/messages.rs`.)
//!
//! ```text
//! cargo bench --bench kinds -- --warm-up-time 1 --measurement-time 2
//! ```

use std::error::Error;
use std::hint::black_box;

use criterion::Criterion;
use ed25519_dalek::{Signature as DalekSignature, VerifyingKey};
use skylark::envelope::{Draft, SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::AccountId;
use skylark::keys::SecretKey;
use skylark::message::{
    validate, Authorization, Block, BodyKind, Delete, Edit, Follow, Label, MemoryContext, Post,
    Profile, React, Reference, Repost, Unblock, Unfollow, Unreact, Unrepost, Verdict,
};

const TIME: u64 = 1_764_115_200_000;
const ALICE: AccountId = AccountId::from_bytes([0xaa; 32]);
const BOB: AccountId = AccountId::from_bytes([0xbb; 32]);
const TEXT: &str = "Spent the morning at the harbour watching the fishing boats come in. \
                    The gulls knew before anyone else did. Coffee was dismal, view was not.";

/// Signs each draft after the previous message of the same key, so that every message has a
/// `prev` for MSG-4 to look up, and collects them all into the context.
struct Chain {
    key: SecretKey,
    last: Option<SignedMessage>,
    time: u64,
    context: MemoryContext,
    measured: Vec<(&'static str, SignedMessage)>,
}

impl Chain {
    fn push(
        &mut self,
        name: &'static str,
        draft: impl FnOnce(u64) -> Result<Draft, Box<dyn Error>>,
    ) -> Result<SignedMessage, Box<dyn Error>> {
        self.time += 1_000;
        let mut draft = draft(self.time)?;
        if let Some(last) = &self.last {
            draft = draft.after(last);
        }
        let message = draft.sign(&self.key)?;
        self.context.insert(&message);
        self.last = Some(message.clone());
        self.measured.push((name, message.clone()));
        Ok(message)
    }
}

fn run(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    let key = SecretKey::from_seed([7; 32]);
    let mut chain = Chain {
        key,
        last: None,
        time: TIME,
        context: MemoryContext::new(TIME + 3_600_000, Authorization::Authorized),
        measured: Vec::new(),
    };
    chain.push("profile", |t| {
        Ok(Profile::builder()
            .name("Alice Lark")
            .bio("Birds, boats and bad coffee. Harbour town, north coast.")
            .link("https://example.com/alice")
            .build()?
            .draft(ALICE, t)?)
    })?;
    let post = chain.push("post", |t| {
        Ok(Post::builder()
            .text(TEXT)
            .lang("en")
            .build()?
            .draft(ALICE, t)?)
    })?;
    chain.push("edit", |t| {
        Ok(Edit::builder(post.id(), post.id())
            .text(TEXT.replace("dismal", "awful"))
            .build()?
            .draft(ALICE, t)?)
    })?;
    let react = chain.push("react", |t| Ok(React::like(post.id()).draft(ALICE, t)?))?;
    chain.push("unreact", |t| Ok(Unreact::new(react.id()).draft(ALICE, t)?))?;
    let repost = chain.push("repost", |t| Ok(Repost::new(post.id()).draft(ALICE, t)?))?;
    chain.push("unrepost", |t| {
        Ok(Unrepost::new(repost.id()).draft(ALICE, t)?)
    })?;
    chain.push("follow", |t| Ok(Follow::new(BOB).draft(ALICE, t)?))?;
    chain.push("unfollow", |t| Ok(Unfollow::new(BOB).draft(ALICE, t)?))?;
    chain.push("block", |t| Ok(Block::new(BOB).draft(ALICE, t)?))?;
    chain.push("unblock", |t| Ok(Unblock::new(BOB).draft(ALICE, t)?))?;
    chain.push("label", |t| {
        Ok(Label::builder(Reference::Account(BOB), "spam")
            .build()?
            .draft(ALICE, t)?)
    })?;
    chain.push("delete", |t| Ok(Delete::new(post.id()).draft(ALICE, t)?))?;

    let context = chain.context;
    let mut inputs = Vec::new();
    for (name, message) in &chain.measured {
        let bytes = message.as_bytes().to_vec();
        let verdict = validate(SignedMessage::from_bytes(&bytes)?, &context);
        if !matches!(verdict, Verdict::Valid(_)) {
            return Err(format!("{name}: {verdict:?}").into());
        }
        inputs.push((*name, bytes));
    }
    let (_, first) = &chain.measured[0];
    let mut signing_input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    signing_input.push(0);
    signing_input.extend_from_slice(first.header_bytes());
    let dalek_key =
        VerifyingKey::from_bytes(first.header().key().as_bytes()).map_err(|e| e.to_string())?;
    let signature = DalekSignature::from_bytes(&first.signature().to_bytes());

    let mut group = c.benchmark_group("kinds");
    group.bench_function("bare_ed25519_verify_strict", |b| {
        b.iter(|| dalek_key.verify_strict(black_box(&signing_input), black_box(&signature)))
    });
    for (name, bytes) in &inputs {
        group.bench_function(format!("bytes_to_verdict_{name}"), |b| {
            b.iter(|| SignedMessage::from_bytes(black_box(bytes)).map(|m| validate(m, &context)))
        });
    }
    group.finish();
    Ok(())
}

/// What `criterion_group!` and `criterion_main!` expand to, written out: the macros' generated
/// `pub fn` has no documentation, which the crate's `missing_docs = "deny"` rejects.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    if let Err(e) = run(&mut criterion) {
        eprintln!("benchmark setup failed: {e}");
        std::process::exit(1);
    }
    criterion.final_summary();
}
