//! Validation of every kind. Two paths per input:
//!
//! 1. The bytes as received: decode, verify, validate with a context that authorizes the key and
//!    knows every pool message; a valid message's typed body re-encodes to the body as received
//!    (without its namespaced keys, which typed bodies do not hold: 05 §3.2).
//! 2. Whatever envelope decodes (whatever its signature), re-signed with a fuzz key: `Draft::new`
//!    applies exactly the body rules of validation step 1, so a body the draft accepts is never
//!    invalid in validation with a context that authorizes it at its own time (only undecided, for
//!    a lookup the empty context lacks); signing is deterministic; valid bodies round-trip.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use skylark::cbor::{self, Value};
use skylark::envelope::{Draft, Envelope, SignedMessage};
use skylark::keys::SecretKey;
use skylark::message::{validate, Authorization, Body, MemoryContext, Verdict};
use skylark_fuzz::{expected_typed_body, typed_body_bytes, verified_pool};

fn known() -> &'static MemoryContext {
    static KNOWN: OnceLock<MemoryContext> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut context = MemoryContext::new(u64::MAX, Authorization::Authorized);
        for m in verified_pool().iter().flatten() {
            context.insert(m);
        }
        context
    })
}

fn check_valid(verdict: &Verdict, message: &SignedMessage) {
    if let Verdict::Valid(valid) = verdict {
        assert_eq!(valid.message(), message);
        match valid.body() {
            Body::Withheld => assert!(message.is_stripped()),
            body => {
                let bytes = message.body().expect("a whole message has a body");
                assert_eq!(typed_body_bytes(body), expected_typed_body(body, bytes));
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // 1. As received.
    if let Ok(message) = SignedMessage::from_bytes(data) {
        let verdict = validate(message.clone(), known());
        check_valid(&verdict, &message);
        let stripped = message.stripped();
        let verdict = validate(stripped.clone(), known());
        check_valid(&verdict, &stripped);
    }
    // 2. Re-signed.
    let Ok(envelope) = Envelope::decode(data) else {
        return;
    };
    let Some(Ok(Value::Map(body))) = envelope.body().map(cbor::decode) else {
        return;
    };
    let header = envelope.header();
    let draft = Draft::new(
        *header.account(),
        header.kind().clone(),
        header.time(),
        &body,
    )
    .and_then(|d| d.at(header.seq(), header.prev()));
    let Ok(draft) = draft else {
        return;
    };
    let key = SecretKey::from_seed([0x5a; 32]);
    let message = draft
        .clone()
        .sign(&key)
        .expect("a draft at a checked position signs");
    assert_eq!(draft.sign(&key).expect("signs twice"), message);
    assert_eq!(message.body(), envelope.body());
    let context = MemoryContext::new(header.time(), Authorization::Authorized);
    let verdict = validate(message.clone(), &context);
    assert!(
        !matches!(verdict, Verdict::Invalid(_)),
        "Draft::new accepted a body that validation rejects: {verdict:?}"
    );
    check_valid(&verdict, &message);
});
