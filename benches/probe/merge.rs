//! Instruction-count probe for the merge benchmark (benches/instructions.sh copies it into each checkout as an example).
//! `probe MODE K` builds the fixture of benches/merge.rs, then runs MODE (verify, apply, digest or none) K times.
//! This file holds only `main`: the script puts the checkout's own fixture of `benches/merge.rs` (its
//! `use` lines and `messages`, without criterion) in front of it, so the probe measures each commit's
//! fixture and keeps no copy of it.
fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args[1].as_str();
    let k: usize = args[2].parse()?;
    let batch = messages(BATCH)?;
    let sample = batch[0].message();
    let mut signing_input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    signing_input.push(0);
    signing_input.extend_from_slice(sample.header_bytes());
    let key_bytes = *sample.header().key().as_bytes();
    let signature = ed25519_dalek::Signature::from_bytes(&sample.signature().to_bytes());
    let mut full = State::new();
    for m in &batch {
        full.apply(m);
    }
    for _ in 0..k {
        match mode {
            "verify" => {
                let _ = black_box(
                    VerifyingKey::from_bytes(black_box(&key_bytes)).and_then(|k| {
                        k.verify_strict(black_box(&signing_input), black_box(&signature))
                    }),
                );
            }
            "apply" => {
                let mut s = State::new();
                for m in &batch {
                    s.apply(black_box(m));
                }
                black_box(s);
            }
            "digest" => {
                black_box(black_box(&full).digest(NOW));
            }
            _ => {}
        }
    }
    Ok(())
}
