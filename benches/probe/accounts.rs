//! Instruction-count probe for the accounts benchmark (benches/accounts_instructions.sh copies it into each checkout as an example).
//! `probe MODE K` builds the fixture of benches/accounts.rs, then runs MODE K times: verify (the bare
//! Ed25519 verification), authorize (an app key in good standing), cutoff, walk (the revoked key's
//! first message, 31 links back), clone (the state copy alone), apply (a state copy, then the next
//! delegation applied to it), or none, after the one query of each authorize row that the bench
//! makes before its apply row.
//! This file holds only `main`: the script puts the checkout's own fixture of `benches/accounts.rs`
//! (its `use` lines, constants, `Fixtures` and `fixtures`, without criterion) in front of it, so the
//! probe measures each commit's fixture and keeps no copy of it.
fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args[1].as_str();
    let k: usize = args[2].parse()?;
    let f = fixtures()?;
    let lookup = |id: &MessageId| f.headers.get(id).cloned();
    // The bench runs the three authorize rows before the apply row, on the same state: whatever a
    // first query computes and keeps (the canonical chain, a remembered walk) is there for every
    // row, and for the copies the apply row makes. Done in every mode, `none` included.
    for header in [
        f.message.header(),
        f.revoked_last.header(),
        f.revoked_first.header(),
    ] {
        let _ = black_box(f.accounts.authorize(header, lookup));
    }
    for _ in 0..k {
        match mode {
            "verify" => {
                let _ = black_box(VerifyingKey::from_bytes(black_box(&f.key_bytes)).and_then(
                    |key| {
                        key.verify_strict(
                            black_box(&f.signing_input),
                            black_box(&f.dalek_signature),
                        )
                    },
                ));
            }
            "authorize" => {
                let _ = black_box(f.accounts.authorize(black_box(f.message.header()), lookup));
            }
            "cutoff" => {
                let _ = black_box(
                    f.accounts
                        .authorize(black_box(f.revoked_last.header()), lookup),
                );
            }
            "walk" => {
                let _ = black_box(
                    f.accounts
                        .authorize(black_box(f.revoked_first.header()), lookup),
                );
            }
            "clone" => {
                black_box(black_box(&f.accounts).clone());
            }
            "apply" => {
                let mut accounts = black_box(&f.accounts).clone();
                let _ = black_box(accounts.apply(black_box(&f.next)));
                black_box(accounts);
            }
            _ => {}
        }
    }
    Ok(())
}
