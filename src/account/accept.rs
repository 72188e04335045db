//! Proof of possession (rule ACCT-10, 06 §5.5): every key an operation newly names — a root or a
//! witness of a `genesis` or a `roots` operation, the app key of a `delegate` — signs an
//! **acceptance** under its own signature context, over the account id, the accepted key, the hash of
//! the body without its acceptances and the kind, terminated by a zero byte; a genesis, which cannot
//! name its own account id, binds its header's key and time after the terminator instead. The
//! acceptances travel in the body, one per new key, in the bytewise order of the keys.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::body::OpBody;
use super::{body_error, AccountError};
use crate::cbor::{Map, Value};
use crate::id::{body_hash, AccountId};
use crate::keys::{Pending, PublicKey, SecretKey, Signature};

/// The signature context of an acceptance (06 §5.5, registries §4.2).
///
/// ```
/// assert!(skylark::account::ACCEPTANCE_CONTEXT.starts_with("skylark v1 "));
/// ```
pub const ACCEPTANCE_CONTEXT: &str = "skylark v1 key acceptance";

/// The most acceptances one body carries: 4 roots and 8 witnesses, all new (rule ACCT-10).
///
/// ```
/// assert_eq!(skylark::account::MAX_ACCEPTANCES, 12);
/// ```
pub const MAX_ACCEPTANCES: usize = 12;

/// A key that accepts an operation being written: its acceptance is signed when the operation is
/// drafted, over the body as it then stands.
pub(super) struct Acceptor(SecretKey);

impl Acceptor {
    pub(super) fn new(key: &SecretKey) -> Acceptor {
        Acceptor(key.duplicate())
    }

    pub(super) fn public_key(&self) -> PublicKey {
        self.0.public_key()
    }
}

impl Clone for Acceptor {
    fn clone(&self) -> Acceptor {
        Acceptor(self.0.duplicate())
    }
}

impl core::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Acceptor")
            .field(&self.0.public_key())
            .finish()
    }
}

/// What a genesis acceptance binds after the kind's terminator (06 §5.5): the genesis header's
/// `key` and `time` (8 bytes, big-endian), known before the body is hashed.
pub(super) fn genesis_tail(key: &[u8; 32], time: u64) -> [u8; 40] {
    let mut tail = [0; 40];
    tail[..32].copy_from_slice(key);
    tail[32..].copy_from_slice(&time.to_be_bytes());
    tail
}

/// Rule ACCT-2's checks of a genesis header, which come before ACCT-10 (06 §7.2 step 5): the
/// header names no account (`acct.genesis_account`), and it is the first message of `roots[0]`
/// (`acct.genesis_signer`).
pub(super) fn genesis_header(
    header: &crate::envelope::Header,
    roots: &[PublicKey],
) -> Result<(), AccountError> {
    if header.account().as_bytes() != &[0; 32] {
        return Err(AccountError::GenesisAccount);
    }
    if header.seq() != 1 || roots.first() != Some(header.key()) {
        return Err(AccountError::GenesisSigner);
    }
    Ok(())
}

/// The keys a genesis newly names (06 §5.5): every root and every witness.
pub(super) fn genesis_keys(
    roots: &[PublicKey],
    witnesses: Option<&super::WitnessSet>,
) -> Vec<PublicKey> {
    let mut new = roots.to_vec();
    new.extend(witnesses.iter().flat_map(|w| w.keys().iter().copied()));
    new
}

/// The `acceptances` value of `body` accepted by `acceptors`: their signatures in the bytewise
/// order of their keys. `tail` is [`genesis_tail`] for a genesis, empty otherwise.
pub(super) fn value(
    account: &AccountId,
    kind: &str,
    body: &Map,
    acceptors: &[Acceptor],
    tail: &[u8],
) -> Value {
    let digest = digest(body);
    let mut sorted: Vec<&Acceptor> = acceptors.iter().collect();
    sorted.sort_by_key(|a| a.public_key());
    Value::Array(
        sorted
            .iter()
            .map(|a| {
                let data = data(account, &a.public_key(), &digest, kind, tail);
                let signature = a.0.sign_in_context(ACCEPTANCE_CONTEXT.as_bytes(), &data);
                Value::from(&signature.to_bytes()[..])
            })
            .collect(),
    )
}

/// The body field that carries the acceptances.
pub(super) const FIELD: &str = "acceptances";

/// The acceptances of a parsed body, and what they sign besides the account and the key.
#[derive(Clone, Debug)]
pub(super) struct Acceptances {
    signatures: Vec<Signature>,
    /// ID-2 hash of the body without its `acceptances`.
    digest: [u8; 32],
    /// The keys whose acceptance at the same index [`Prechecked`] verified on these bytes, if any:
    /// [`Acceptances::check`] does not verify those again.
    verified: Option<Box<[Option<PublicKey>]>>,
}

/// The signed data of an acceptance: `account ‖ key ‖ H(body without acceptances) ‖ kind ‖ 0x00 ‖
/// tail`, the tail being a genesis's header key and time ([`genesis_tail`]) or empty.
fn data(
    account: &AccountId,
    key: &PublicKey,
    digest: &[u8; 32],
    kind: &str,
    tail: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(97 + kind.len() + tail.len());
    out.extend_from_slice(account.as_bytes());
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(digest);
    out.extend_from_slice(kind.as_bytes());
    out.push(0);
    out.extend_from_slice(tail);
    out
}

/// The hash of `body` without its `acceptances` (the body as the acceptances sign it).
fn digest(body: &Map) -> [u8; 32] {
    if body.get(FIELD).is_some() {
        let mut without = body.clone();
        without.remove(FIELD);
        body_hash(&without.to_bytes())
    } else {
        body_hash(&body.to_bytes())
    }
}

impl Acceptances {
    /// The optional `acceptances` of a body (ACCT-1): 1 to 12 byte strings of 64 bytes.
    pub(super) fn parse(body: &Map) -> Result<Acceptances, AccountError> {
        let signatures = match body.get(FIELD) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                if items.is_empty() || items.len() > MAX_ACCEPTANCES {
                    return Err(body_error(FIELD, "must hold 1 to 12 signatures"));
                }
                items
                    .iter()
                    .map(|item| match item {
                        Value::Bytes(b) => Signature::from_slice(b)
                            .map_err(|_| body_error(FIELD, "must hold 64-byte signatures")),
                        _ => Err(body_error(FIELD, "must hold byte strings")),
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(_) => return Err(body_error(FIELD, "must be an array")),
        };
        Ok(Acceptances {
            signatures,
            digest: digest(body),
            verified: None,
        })
    }

    /// Rule ACCT-10: one acceptance per key of `new` (in bytewise key order), each valid. `tail` is
    /// [`genesis_tail`] for a genesis, empty otherwise.
    pub(super) fn check(
        &self,
        account: &AccountId,
        kind: &str,
        mut new: Vec<PublicKey>,
        tail: &[u8],
    ) -> Result<(), AccountError> {
        new.sort();
        new.dedup();
        if self.signatures.len() < new.len() {
            return Err(AccountError::AcceptanceMissing);
        }
        if self.signatures.len() > new.len() {
            return Err(AccountError::AcceptanceExtra);
        }
        for (i, (key, signature)) in new.iter().zip(&self.signatures).enumerate() {
            let verified = self.verified.as_deref().and_then(|v| v.get(i).copied());
            if verified == Some(Some(*key)) {
                continue;
            }
            let holds = self
                .pending(account, key, signature, kind, tail)
                .is_some_and(|pending| pending.check().is_ok());
            if !holds {
                return Err(AccountError::AcceptanceInvalid);
            }
        }
        Ok(())
    }

    /// The verification of ACCT-10 for `signature`, one of these acceptances, as `key`'s over its
    /// signed data ([`data`]), up to the signature equation (SIG-9): the key parsed, rules SIG-6 to
    /// SIG-8 and the challenge. `None` if any of it fails, and the acceptance does not hold; else
    /// the equation, which [`Acceptances::check`] checks on its own and [`Prechecked::prepare`]
    /// leaves to a batch.
    fn pending(
        &self,
        account: &AccountId,
        key: &PublicKey,
        signature: &Signature,
        kind: &str,
        tail: &[u8],
    ) -> Option<Pending> {
        let data = data(account, key, &self.digest, kind, tail);
        key.decompress()
            .ok()?
            .prepare(&[ACCEPTANCE_CONTEXT.as_bytes(), &[0], &data], signature)
            .ok()
    }
}

/// The acceptances of an operation verified before it is applied — in a batch beside the
/// signatures of the messages around it, on whichever thread verifies those
/// ([`crate::replica::Replica::ingest_batch`]) — for the kinds whose newly named keys the body alone
/// decides (06 §5.5: a genesis, a delegation, a deactivation or successor naming a list; a `roots`
/// operation's depend on its parent's state and are verified when it is applied). It records, for
/// one message id and one body digest, the key each acceptance verified under, up to the first that
/// fails; [`Acceptances::check`] skips exactly the verifications it holds, so the verdict is the one
/// [`crate::account::Accounts::apply`] gives on its own (but for the 2^-128 chance that a batch
/// combination holds with a false equation in it, as for the messages' own signatures, 03 §8).
///
/// The work is bounded by what `apply` would do (audit 2026-12-07-prechecked, PC-1): an operation
/// with more than [`Prechecked::MAX_KEYS`] newly named keys, or a genesis that ACCT-2 rejects
/// before ACCT-10, is not prechecked, and no acceptance is checked after one that fails, before
/// its equation or at it (the caller checks the `i`-th acceptances only of operations whose
/// earlier ones held). A copy of a held operation replayed costs at most `MAX_KEYS` equations.
#[derive(Clone, Debug)]
pub(crate) struct Prechecked {
    id: crate::id::MessageId,
    digest: [u8; 32],
    verified: Box<[Option<PublicKey>]>,
}

/// A [`Prechecked`] whose signature equations are still to be checked: what
/// [`Prechecked::prepare`] gives, which [`Unchecked::settle`] turns into the precheck once the
/// caller knows how many of its equations held, in order.
pub(crate) struct Unchecked {
    id: crate::id::MessageId,
    digest: [u8; 32],
    keys: Vec<PublicKey>,
    /// The equations of the acceptances of `keys`, in the same order, up to the first acceptance
    /// that failed before its equation.
    pending: Vec<Pending>,
}

impl Prechecked {
    /// The most acceptances verified ahead for one operation: a delegation names one key, a
    /// genesis of one root and one witness two. An operation naming more is verified when it is
    /// applied, so that a copy replayed to a node that holds it already costs at most this many
    /// verifications beside its own signature.
    pub(crate) const MAX_KEYS: usize = 2;

    /// Prepares what can be verified of `message`'s acceptances before it is applied: the
    /// acceptances in key order up to the first that fails before its equation (SIG-1 to SIG-8),
    /// each with its equation left to check ([`Unchecked::pending`]). `None` for a message of
    /// another kind than those the type names, or with no acceptances or more than
    /// [`Prechecked::MAX_KEYS`], whose newly named keys depend on its parent, or a genesis that
    /// ACCT-2 rejects. The kind is looked at first, so that no other message's body is parsed.
    pub(crate) fn prepare(message: &crate::envelope::SignedMessage) -> Option<Unchecked> {
        let kind = message.header().kind().as_str();
        if ![
            super::GENESIS,
            super::DELEGATE,
            super::DEACTIVATE,
            super::SUCCESSOR,
        ]
        .contains(&kind)
        {
            return None;
        }
        let (body, _, _) = super::body::parse(message).ok()?;
        let header = message.header();
        let (acceptances, kind, mut new, tail) = match &body {
            OpBody::Genesis {
                roots,
                witnesses,
                acceptances,
                ..
            } => {
                // ACCT-2, which `apply` checks before ACCT-10 (§7.2 step 5a).
                genesis_header(header, roots).ok()?;
                let new = genesis_keys(roots, witnesses.as_ref());
                let tail = genesis_tail(header.key().as_bytes(), header.time());
                (acceptances, super::GENESIS, new, tail.to_vec())
            }
            OpBody::Delegate {
                app, acceptances, ..
            } => (acceptances, super::DELEGATE, alloc::vec![*app], Vec::new()),
            OpBody::Deactivate {
                reveals: Some(list),
                acceptances,
            } => (acceptances, super::DEACTIVATE, list.clone(), Vec::new()),
            OpBody::Successor {
                reveals: Some(list),
                acceptances,
                ..
            } => (acceptances, super::SUCCESSOR, list.clone(), Vec::new()),
            _ => return None,
        };
        new.sort();
        new.dedup();
        if new.is_empty() || new.len() > Self::MAX_KEYS || new.len() != acceptances.signatures.len()
        {
            return None;
        }
        let pending = new
            .iter()
            .zip(&acceptances.signatures)
            .map_while(|(key, signature)| {
                acceptances.pending(header.account(), key, signature, kind, &tail)
            })
            .collect();
        Some(Unchecked {
            id: message.id(),
            digest: acceptances.digest,
            keys: new,
            pending,
        })
    }

    /// How many keys, from the first in key order, this precheck verified.
    #[cfg(test)]
    pub(crate) fn verified_count(&self) -> usize {
        self.verified.iter().take_while(|v| v.is_some()).count()
    }

    /// Marks in `body` (parsed from the message with `id`) the acceptances this verified; nothing
    /// for another message or another body.
    pub(super) fn mark(&self, id: &crate::id::MessageId, body: &mut OpBody) {
        if &self.id != id {
            return;
        }
        if let OpBody::Genesis { acceptances, .. }
        | OpBody::Delegate { acceptances, .. }
        | OpBody::Deactivate { acceptances, .. }
        | OpBody::Successor { acceptances, .. } = body
        {
            if acceptances.digest == self.digest {
                acceptances.verified = Some(self.verified.clone());
            }
        }
    }
}

impl Unchecked {
    /// The equations left to check, in key order: the `i`-th is to be checked only if the ones
    /// before it held, and the first that does not ends the precheck (see [`Unchecked::settle`]).
    pub(crate) fn pending(&self) -> &[Pending] {
        &self.pending
    }

    /// The precheck, given how many of [`Unchecked::pending`]'s equations held, from the first
    /// on: those keys verified, the others left to [`Acceptances::check`].
    pub(crate) fn settle(self, held: usize) -> Prechecked {
        let verified = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, key)| (i < held.min(self.pending.len())).then_some(*key))
            .collect();
        Prechecked {
            id: self.id,
            digest: self.digest,
            verified,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::account::Operation;
    use crate::keys::SecretKey;

    /// A delegation of `app`, with `app`'s acceptance, by the root of a fresh account.
    fn delegation(app: &SecretKey, seed: u8) -> crate::envelope::SignedMessage {
        let root = SecretKey::from_seed([seed; 32]);
        let genesis = Operation::genesis(&[root.public_key()], 1)
            .unwrap()
            .sign(&root)
            .unwrap();
        let account = crate::account::Accounts::account_id(&genesis);
        Operation::delegate(account, genesis.id(), app.public_key(), &[], 1_000, None, 2)
            .unwrap()
            .accepted_by(app)
            .unwrap()
            .draft()
            .unwrap()
            .after(&genesis)
            .sign(&root)
            .unwrap()
    }

    /// The precheck of `message`, its equations checked one by one.
    fn prechecked(message: &crate::envelope::SignedMessage) -> Option<Prechecked> {
        let unchecked = Prechecked::prepare(message)?;
        let held = unchecked
            .pending()
            .iter()
            .take_while(|p| p.check().is_ok())
            .count();
        Some(unchecked.settle(held))
    }

    fn body(message: &crate::envelope::SignedMessage) -> OpBody {
        super::super::body::parse(message).unwrap().0
    }

    fn marked(body: &OpBody) -> Option<Box<[Option<PublicKey>]>> {
        match body {
            OpBody::Delegate { acceptances, .. } => acceptances.verified.clone(),
            _ => None,
        }
    }

    #[test]
    fn a_precheck_marks_only_its_own_message() {
        let app = SecretKey::from_seed([7; 32]);
        let one = delegation(&app, 1);
        let two = delegation(&app, 2);
        let pre = prechecked(&one).unwrap();
        assert_eq!(&*pre.verified, &[Some(app.public_key())]);
        // Another message: nothing marked, under either id.
        let mut other = body(&two);
        pre.mark(&two.id(), &mut other);
        assert_eq!(marked(&other), None);
        pre.mark(&one.id(), &mut other);
        assert_eq!(marked(&other), None, "another body under the precheck's id");
        // Its own: marked.
        let mut own = body(&one);
        pre.mark(&one.id(), &mut own);
        assert_eq!(marked(&own).as_deref(), Some(&[Some(app.public_key())][..]));
    }

    #[test]
    fn a_marked_key_is_skipped_only_at_its_index() {
        let app = SecretKey::from_seed([7; 32]);
        let one = delegation(&app, 1);
        let OpBody::Delegate {
            mut acceptances, ..
        } = body(&one)
        else {
            unreachable!()
        };
        let account = *one.header().account();
        let stranger = SecretKey::from_seed([9; 32]).public_key();
        // The stranger's acceptance is not in the body: checked, it fails.
        assert_eq!(
            acceptances.check(&account, super::super::DELEGATE, alloc::vec![stranger], &[]),
            Err(AccountError::AcceptanceInvalid)
        );
        // Marked as verified under the app key, the stranger at the same index is still checked.
        acceptances.verified = Some(alloc::vec![Some(app.public_key())].into());
        assert_eq!(
            acceptances.check(&account, super::super::DELEGATE, alloc::vec![stranger], &[]),
            Err(AccountError::AcceptanceInvalid)
        );
        // A failing entry (`None`) is verified again.
        acceptances.verified = Some(alloc::vec![None].into());
        assert_eq!(
            acceptances.check(
                &account,
                super::super::DELEGATE,
                alloc::vec![app.public_key()],
                &[]
            ),
            Ok(())
        );
    }

    #[test]
    fn a_genesis_of_one_root_is_prechecked_and_a_delegation_without_acceptance_is_not() {
        let root = SecretKey::from_seed([3; 32]);
        let genesis = Operation::genesis(&[root.public_key()], 1)
            .unwrap()
            .sign(&root)
            .unwrap();
        let pre = prechecked(&genesis).unwrap();
        assert_eq!(&*pre.verified, &[Some(root.public_key())]);
        let app = SecretKey::from_seed([4; 32]);
        let account = crate::account::Accounts::account_id(&genesis);
        let bare =
            Operation::delegate(account, genesis.id(), app.public_key(), &[], 1_000, None, 2)
                .unwrap()
                .draft()
                .unwrap()
                .after(&genesis)
                .sign(&root)
                .unwrap();
        assert!(prechecked(&bare).is_none());
    }

    /// A genesis of `root` with `witness` as its one witness, accepted by `acceptor` in the
    /// witness's place (the root accepts by signing).
    pub(crate) fn witnessed_genesis(
        root: &SecretKey,
        witness: &SecretKey,
        acceptor: &SecretKey,
    ) -> crate::envelope::SignedMessage {
        let set = crate::account::WitnessSet::new(&[witness.public_key()], 1).unwrap();
        Operation::genesis(&[root.public_key()], 1)
            .unwrap()
            .with_witnesses(&set)
            .unwrap()
            .accepted_by(acceptor)
            .unwrap()
            .sign(root)
            .unwrap()
    }

    /// How many acceptances, from the first, are signed by the key they stand for: the body carries
    /// the signatures of `signers` in their key order where `keys` are expected, in theirs.
    pub(crate) fn leading_matches(mut signers: [PublicKey; 2], mut keys: [PublicKey; 2]) -> usize {
        signers.sort();
        keys.sort();
        signers
            .iter()
            .zip(&keys)
            .take_while(|(s, k)| s == k)
            .count()
    }

    /// Two keys that are not `root`, the first before it in key order, the second after it.
    pub(crate) fn strangers_around(root: &PublicKey) -> [SecretKey; 2] {
        let pick = |before: bool| {
            (90..=255u8)
                .map(|seed| SecretKey::from_seed([seed; 32]))
                .find(|key| (key.public_key() < *root) == before && key.public_key() != *root)
                .unwrap()
        };
        [pick(true), pick(false)]
    }

    #[test]
    fn a_precheck_holds_the_keys_in_order_up_to_the_first_failing_acceptance() {
        let root = SecretKey::from_seed([3; 32]);
        // Whether the root's acceptance comes first or second (strangers on either side of it),
        // and whether the witness's key comes first or second.
        let mut seen = alloc::collections::BTreeSet::new();
        for stranger in strangers_around(&root.public_key()) {
            for seed in 10..40u8 {
                let witness = SecretKey::from_seed([seed; 32]);
                let good = witnessed_genesis(&root, &witness, &witness);
                let mut keys = [root.public_key(), witness.public_key()];
                keys.sort();
                let pre = prechecked(&good).unwrap();
                assert_eq!(&*pre.verified, &[Some(keys[0]), Some(keys[1])]);
                // Settled by hand: as many keys as equations held, from the first.
                let settle = |held| Prechecked::prepare(&good).unwrap().settle(held).verified;
                assert_eq!(&*settle(0), &[None, None]);
                assert_eq!(&*settle(1), &[Some(keys[0]), None]);
                // The witness's acceptance signed by a stranger: nothing verified from the first
                // that is not its key's on.
                let bad = witnessed_genesis(&root, &witness, &stranger);
                let held = leading_matches([root.public_key(), stranger.public_key()], keys);
                assert_eq!(prechecked(&bad).unwrap().verified_count(), held);
                assert!(held < 2);
                seen.insert((held, keys[0] == root.public_key()));
            }
        }
        assert_eq!(
            seen.len(),
            3,
            "root first with 0 or 1 held, witness first: {seen:?}"
        );
    }
}
