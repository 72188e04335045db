//! A walk-through of Skylark's first layer, end to end: keys, a signed message on the wire, what a
//! receiving node checks, the id, the remainder kept after a delete, and what tampering looks like.
//!
//! Run it with `cargo run --example walkthrough`. Everything is deterministic: keys come from fixed
//! seeds and times are fixed, so the output is the same on every machine.

use skylark::cbor::{self, Map, Value};
use skylark::envelope::{Draft, Envelope, EnvelopeError, Kind, SignedMessage};
use skylark::id::AccountId;
use skylark::keys::SecretKey;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn short(bytes: &[u8]) -> String {
    let h = hex(bytes);
    if h.len() > 72 {
        format!(
            "{}…{} ({} bytes)",
            &h[..40],
            &h[h.len() - 24..],
            bytes.len()
        )
    } else {
        format!("{h} ({} bytes)", bytes.len())
    }
}

fn verdict(bytes: &[u8]) -> String {
    match SignedMessage::from_bytes(bytes) {
        Ok(m) => format!("valid, id {}", m.id()),
        Err(e) => format!("rejected: {} (rule {}): {e}", e.code(), e.rule()),
    }
}

fn main() -> Result<(), EnvelopeError> {
    println!("== 1. Keys");
    // An app key for Alice's account. In an app the seed comes from a CSPRNG via
    // `SecretKey::generate(&mut rng)`; a fixed seed keeps this walk-through reproducible.
    let alice_app = SecretKey::from_seed([1; 32]);
    let alice = AccountId::from_bytes([0xaa; 32]);
    println!("alice's account      {alice}");
    println!("alice's app key      {}", alice_app.public_key());
    println!("secret key in Debug  {alice_app:?}");

    println!("\n== 2. A post, signed");
    let mut body = Map::new();
    body.insert("text", Value::from("hello, world"));
    let post = Draft::new(alice, Kind::new("post")?, 1_764_115_200_000, &body)?.sign(&alice_app)?;
    println!(
        "header (signed)      {}",
        cbor::decode(post.header_bytes())
            .map(|v| v.to_string())
            .unwrap_or_default()
    );
    println!(
        "body                 {}",
        cbor::decode(post.body().unwrap_or_default())
            .map(|v| v.to_string())
            .unwrap_or_default()
    );
    println!("on the wire          {}", short(post.as_bytes()));
    println!("id                   {}", post.id());

    println!("\n== 3. Another node receives the bytes");
    let received = SignedMessage::from_bytes(post.as_bytes())?;
    println!("verdict              {}", verdict(post.as_bytes()));
    println!("same id              {}", received.id() == post.id());

    println!("\n== 4. The key's history is a chain: seq and prev");
    let mut reply_body = Map::new();
    reply_body.insert("text", Value::from("second post"));
    let second = Draft::new(alice, Kind::new("post")?, 1_764_115_260_000, &reply_body)?
        .after(&received)
        .sign(&alice_app)?;
    println!(
        "second message       seq {} prev {:?}",
        second.header().seq(),
        second.header().prev()
    );

    println!("\n== 5. Delete: drop the content, keep a remainder that still verifies");
    let remainder = second.stripped();
    println!("remainder            {}", short(remainder.as_bytes()));
    println!("verdict              {}", verdict(remainder.as_bytes()));
    println!(
        "links history        seq {} prev {:?}",
        remainder.header().seq(),
        remainder.header().prev()
    );

    println!("\n== 6. Tampering");
    let mut changed_text = post.as_bytes().to_vec();
    let at = changed_text
        .windows(5)
        .position(|w| w == b"hello")
        .unwrap_or(0);
    changed_text[at] = b'j';
    println!("body text changed    {}", verdict(&changed_text));
    let mut changed_sig = post.as_bytes().to_vec();
    let last = changed_sig.len() - 1;
    changed_sig[last] ^= 0x01;
    println!("signature changed    {}", verdict(&changed_sig));
    let mut non_canonical = post.as_bytes().to_vec();
    non_canonical[0] = 0xb8; // the same map, its length written in a needless extra byte
    non_canonical.insert(1, 0x03);
    println!("non-canonical CBOR   {}", verdict(&non_canonical));
    let forged_key = SecretKey::from_seed([2; 32]);
    let forged =
        Draft::new(alice, Kind::new("post")?, 1_764_115_200_000, &body)?.sign(&forged_key)?;
    println!("signed by another key {}", verdict(forged.as_bytes()));
    println!("  (the envelope is valid: whether that key may sign for alice is the accounts layer's question)");
    let decoded = Envelope::decode(&changed_sig)?;
    println!(
        "decoded, unverified  seq {} kind {} — but verify(): {}",
        decoded.header().seq(),
        decoded.header().kind(),
        decoded
            .clone()
            .verify()
            .err()
            .map(|e| e.code())
            .unwrap_or("ok")
    );
    Ok(())
}
