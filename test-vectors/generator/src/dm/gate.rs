//! Gating (08 §5.7, DM-22, DM-23): delivery stamps a relay checks, and the recipient's check after
//! opening, written from the spec (the proof of work is searched for here with the `blake3` crate).

use super::*;

const CTX_POW_ITEM: &str = "skylark v1 dm pow item";
const CTX_POW: &str = "skylark v1 dm pow";
const CTX_TOKEN: &str = "skylark v1 dm token";

fn zero_bits(h: &[u8; 32]) -> u32 {
    let mut n = 0;
    for b in h {
        n += b.leading_zeros();
        if *b != 0 {
            break;
        }
    }
    n
}

fn work(sealed: &[u8], bits: u8, nonce: u64) -> ([u8; 32], [u8; 32]) {
    let item = blake3::derive_key(CTX_POW_ITEM, sealed);
    let w = h(CTX_POW, &[&item, &[bits], &nonce.to_be_bytes()]);
    (item, w)
}

/// The first nonce whose work for `bits` has exactly `zeros` leading zero bits.
pub(super) fn nonce_with(sealed: &[u8], bits: u8, zeros: u32) -> u64 {
    (0u64..)
        .find(|&n| zero_bits(&work(sealed, bits, n).1) == zeros)
        .expect("a nonce")
}

pub(super) fn work_stamp(bits: u8, nonce: u64) -> Vec<u8> {
    let mut v = vec![1, bits];
    v.extend_from_slice(&nonce.to_be_bytes());
    v
}

pub(super) fn token_stamp(token: &[u8; 32]) -> Vec<u8> {
    let mut v = vec![2];
    v.extend_from_slice(token);
    v
}

/// A gate as the vectors give it, and as a bundle's `gate` value.
#[derive(Clone)]
pub(super) struct Gate {
    pub accept: &'static str,
    pub pow: u64,
    pub tokens: Vec<[u8; 32]>,
}

impl Gate {
    pub(super) fn json(&self) -> J {
        J::O(vec![
            ("accept".into(), J::from(self.accept)),
            ("pow".into(), J::U(self.pow)),
            (
                "tokens".into(),
                strs(&self.tokens.iter().map(|t| hex(t)).collect::<Vec<_>>()),
            ),
        ])
    }
    pub(super) fn value(&self) -> Value {
        m(vec![
            ("accept", t(self.accept)),
            ("pow", Value::U(self.pow)),
            (
                "tokens",
                Value::A(self.tokens.iter().map(|x| Value::B(x.to_vec())).collect()),
            ),
        ])
    }
}

pub(super) fn commitment(token: &[u8; 32]) -> [u8; 32] {
    blake3::derive_key(CTX_TOKEN, token)
}

/// The access token Alice hands Bob inside a direct message (`open-token-handed`); her device's
/// gate lists its commitment (`stamp-handed-token`).
pub(super) fn handed_token() -> [u8; 32] {
    secret("alice access token handed to bob")
}

/// The stamp and admission vectors, over the sealed bytes `sealed` (a real sealed copy).
#[allow(clippy::type_complexity)]
pub(super) fn vectors(sealed: &[u8], alice: &[u8], bob: &[u8], vs: &mut Vec<J>) {
    let token = secret("bob access token");
    let other = secret("a token bob never listed");
    let g = |accept: &'static str, pow: u64, tokens: Vec<[u8; 32]>| Gate {
        accept,
        pow,
        tokens,
    };
    let open = g("all", 0, vec![]);
    let pow8 = g("all", 8, vec![commitment(&token)]);
    let pow9 = g("all", 9, vec![]);
    let follows = g("follows", 0, vec![commitment(&token)]);
    let nobody = g("none", 0, vec![commitment(&token)]);
    let alice_follows = g("follows", 0, vec![commitment(&handed_token())]);
    let n8 = nonce_with(sealed, 8, 8);
    let n9_short = nonce_with(sealed, 9, 8);
    let n8_over = nonce_with(sealed, 8, 10);
    let good8 = work_stamp(8, n8);
    let stamps: Vec<(&str, &str, &Gate, Vec<u8>, Option<&str>)> = vec![
        ("stamp-open-gate-none", "the open gate: a relay files anything, with no stamp", &open, vec![], None),
        ("stamp-work-exact", "work of exactly 8 leading zero bits for a gate asking 8", &pow8, good8.clone(), None),
        ("stamp-work-more", "work with 10 leading zero bits, claiming 8, for a gate asking 8", &pow8, work_stamp(8, n8_over), None),
        ("stamp-work-one-short", "a stamp claiming 9 bits whose work has only 8 leading zero bits", &pow9, work_stamp(9, n9_short), Some("dm.stamp")),
        ("stamp-work-claim-below-gate", "valid 8-bit work for a gate asking 9: the claimed bits are below the gate's", &pow9, good8.clone(), Some("dm.stamp")),
        ("stamp-work-other-item", "8-bit work made for these sealed bytes, checked against the same bytes with one bit flipped: the work is bound to the item", &pow8, good8.clone(), Some("dm.stamp")),
        ("stamp-none-gated", "no stamp for a gate asking work", &pow8, vec![], Some("dm.stamp")),
        ("stamp-token", "a token whose commitment the gate lists", &pow8, token_stamp(&token), None),
        ("stamp-token-unlisted", "a token the gate does not list", &pow8, token_stamp(&other), Some("dm.stamp")),
        ("stamp-follows-token", "a gate accepting followed accounts: a relay files token holders' items", &follows, token_stamp(&token), None),
        ("stamp-handed-token", "Bob stamps a copy to Alice's device with the token she handed him in `open-token-handed`: her gate (followed accounts only) lists its commitment, so a relay files it; Alice shows it only if she follows Bob (DM-23)", &alice_follows, token_stamp(&handed_token()), None),
        ("stamp-follows-work", "a gate accepting followed accounts: work does not pass, only tokens", &follows, good8.clone(), Some("dm.stamp")),
        ("stamp-nobody-none", "a gate accepting nobody, no stamp", &nobody, vec![], Some("dm.stamp")),
        ("stamp-malformed-length", "a work stamp one byte short", &pow8, good8[..9].to_vec(), Some("dm.stamp")),
        ("stamp-malformed-type", "a stamp of unknown type 3", &open, vec![3], Some("dm.stamp")),
    ];
    for (id, description, gate, stamp, error) in stamps {
        let mut bytes = sealed.to_vec();
        if id == "stamp-work-other-item" {
            bytes[1500] ^= 1;
        }
        let mut extra = vec![
            ("type", J::from("stamp")),
            ("sealed", hex(&bytes).into()),
            ("stamp", hex(&stamp).into()),
            ("gate", gate.json()),
        ];
        if stamp.len() == 10 && stamp[0] == 1 {
            let nonce = u64::from_be_bytes(stamp[2..].try_into().expect("8"));
            let (item, w) = work(&bytes, stamp[1], nonce);
            extra.push(("item", hex(&item).into()));
            extra.push(("work", hex(&w).into()));
        }
        let rules: &[&str] = &["DM-22"];
        vs.push(vector(id, description, rules, error, extra));
    }

    // The recipient's check after opening (DM-23): Bob's device, senders Alice and Bob himself.
    let stranger = alice;
    let admits: Vec<(&str, &str, &Gate, &[u8], bool, Vec<u8>, Option<&str>)> = vec![
        ("admit-open-stranger", "the open gate admits an unsolicited sender without a stamp", &open, stranger, false, vec![], None),
        ("admit-pow-followed", "a gate asking work: a followed sender needs no stamp", &pow8, stranger, true, vec![], None),
        ("admit-pow-stranger-work", "a gate asking work: an unsolicited sender with passing work", &pow8, stranger, false, good8.clone(), None),
        ("admit-pow-stranger-token", "a gate asking work: an unsolicited sender with a listed token", &pow8, stranger, false, token_stamp(&token), None),
        ("threat-unsolicited-no-stamp", "a gate asking work: an unsolicited sender whose relay skipped DM-22 and delivered no stamp is refused after opening", &pow8, stranger, false, vec![], Some("dm.gated")),
        ("admit-pow-stranger-short-work", "a gate asking 9 bits: 8-bit work does not pass", &pow9, stranger, false, good8.clone(), Some("dm.gated")),
        ("admit-follows-followed", "a gate accepting followed accounts: a followed sender", &follows, stranger, true, vec![], None),
        ("threat-follows-token-not-followed", "a gate accepting followed accounts: a token holder the recipient does not follow is refused after opening", &follows, stranger, false, token_stamp(&token), Some("dm.gated")),
        ("admit-follows-self", "a gate accepting followed accounts: the recipient's own other device", &follows, bob, false, vec![], None),
        ("admit-nobody-self", "a gate accepting nobody: the recipient's own other device", &nobody, bob, false, vec![], None),
        ("admit-nobody-followed", "a gate accepting nobody: even a followed sender is refused", &nobody, stranger, true, token_stamp(&token), Some("dm.gated")),
    ];
    for (id, description, gate, sender, followed, stamp, error) in admits {
        vs.push(vector(
            id,
            description,
            &["DM-23"],
            error,
            vec![
                ("type", J::from("admit")),
                ("sealed", hex(sealed).into()),
                ("stamp", hex(&stamp).into()),
                ("gate", gate.json()),
                ("me", hex(bob).into()),
                ("sender", hex(sender).into()),
                ("follows", J::Bool(followed)),
            ],
        ));
    }
}
