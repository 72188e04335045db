//! Authorization of a message's key by the account state (rules AUTH-1 to AUTH-6, 06 §9), with the
//! AUTH-6 walk remembered per revoked key.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::RefCell;

use super::body::Revocation;
use super::{is_operation_kind, Accounts};
use crate::envelope::Header;
use crate::id::MessageId;
use crate::keys::PublicKey;
use crate::message::{AuthError, Authorization, Missing};

impl Accounts {
    /// May the key in `header` sign this message (rules AUTH-1 to AUTH-6)? This is the key
    /// authorization input of message validation ([`crate::message::Context::authorize`]).
    ///
    /// `headers` looks up the header of a held message by id; it is used only to walk a revoked key's
    /// history back from its cutoff. For a key operation the answer is whether it is a valid operation
    /// held by this state (on the canonical chain or not).
    ///
    /// The state remembers the part of a cutoff's history it has walked (AUTH-6), so authorizing
    /// every message of a revoked key costs `O(log n)` each. It treats `headers` as a node's store of
    /// held headers, which only grows: a header once read counts as available afterwards.
    ///
    /// ```
    /// use skylark::account::{Accounts, Operation, Revocation};
    /// use skylark::message::{AuthError, Authorization, BodyKind, Follow};
    /// use skylark::id::AccountId;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// let delegate = Operation::delegate(account, genesis.id(), app.public_key(), &[], 1_000, None, 2)?.accepted_by(&app)?
    ///     .draft()?.after(&genesis).sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// accounts.apply(&delegate)?;
    ///
    /// let follow = Follow::new(AccountId::from_bytes([7; 32])).draft(account, 10)?.sign(&app)?;
    /// let no_lookups = |_: &skylark::id::MessageId| None;
    /// assert_eq!(accounts.authorize(follow.header(), no_lookups), Authorization::Authorized);
    ///
    /// // The same key past its expiry.
    /// let late = Follow::new(AccountId::from_bytes([7; 32])).draft(account, 2_000)?.sign(&app)?;
    /// assert_eq!(accounts.authorize(late.header(), no_lookups), Authorization::Denied(AuthError::Expired));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize(
        &self,
        header: &Header,
        headers: impl Fn(&MessageId) -> Option<Header>,
    ) -> Authorization {
        if is_operation_kind(header.kind().as_str()) {
            return self.authorize_operation(header);
        }
        // AUTH-1
        let Some(view) = self.account(header.account()) else {
            return Authorization::Unknown(Missing::Account(*header.account()));
        };
        // ACCT-11: nothing claimed at or after the effective time of a deactivation.
        if view.deactivated().is_some_and(|end| header.time() >= end) {
            return Authorization::Denied(AuthError::Deactivated);
        }
        let key = header.key();
        // AUTH-2, AUTH-3
        if view.roots().contains(key) {
            return Authorization::Denied(AuthError::RootKeyMessage);
        }
        let Some(grant) = view.app(key) else {
            return Authorization::Denied(AuthError::NotDelegated);
        };
        // AUTH-4
        if !grant.scope().allows(header.kind().as_str()) {
            return Authorization::Denied(AuthError::OutOfScope);
        }
        // AUTH-5
        if header.time() < grant.delegated_at() {
            return Authorization::Denied(AuthError::BeforeDelegation);
        }
        if header.time() > grant.expires() {
            return Authorization::Denied(AuthError::Expired);
        }
        // AUTH-6: every revocation in force must keep the message (06 §8.4: at most two cutoffs).
        // A denial by any decides; else the first cutoff that needs a header not held.
        let in_force: Vec<(MessageId, u64)> = grant
            .revocations()
            .filter_map(|r| match r {
                Revocation::All => None,
                Revocation::After { seq, id } => Some((id, seq)),
            })
            .collect();
        let mut missing = None;
        for revocation in grant.revocations() {
            match self.kept(header, revocation, &in_force, &headers) {
                Authorization::Authorized => {}
                Authorization::Unknown(item) => {
                    missing.get_or_insert(item);
                }
                denied => return denied,
            }
        }
        missing.map_or(Authorization::Authorized, Authorization::Unknown)
    }

    /// Does one revocation keep the message of `header` (AUTH-6)? `in_force` lists the cutoffs of
    /// the key's grant, whose walks are remembered.
    fn kept(
        &self,
        header: &Header,
        revocation: Revocation,
        in_force: &[(MessageId, u64)],
        headers: &impl Fn(&MessageId) -> Option<Header>,
    ) -> Authorization {
        let Revocation::After { seq, id } = revocation else {
            return Authorization::Denied(AuthError::Revoked);
        };
        if header.seq() > seq {
            return Authorization::Denied(AuthError::Revoked);
        }
        if header.id() == id {
            // The cutoff itself, decided without a lookup; its stated sequence number must be its
            // own.
            return if header.seq() == seq {
                Authorization::Authorized
            } else {
                Authorization::Denied(AuthError::Revoked)
            };
        }
        match self.logs.get(header.account()) {
            Some(log) => cached_walk(log.walks(), header, id, seq, in_force, headers),
            None => walk(header, id, seq, headers),
        }
    }

    /// Does the key in `header` hold `capability` (e.g. [`CAP_OTHERS`](super::CAP_OTHERS)) in its account (rule AUTH-7)?
    /// This is the capability input of message validation ([`crate::message::Context::grants`]); it
    /// is asked only about a message whose own authorization ([`Accounts::authorize`]) is not denied.
    ///
    /// ```
    /// use skylark::account::{Accounts, Operation, Scope, CAP_OTHERS};
    /// use skylark::message::{AuthError, Authorization, BodyKind, Follow};
    /// use skylark::id::AccountId;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// let delegate = Operation::delegate(account, genesis.id(), app.public_key(), &[], 1_000, None, 2)?.accepted_by(&app)?
    ///     .sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// accounts.apply(&delegate)?;
    /// let follow = Follow::new(AccountId::from_bytes([7; 32])).draft(account, 10)?.sign(&app)?;
    /// // `["*"]` grants no capability.
    /// assert_eq!(accounts.grants(follow.header(), CAP_OTHERS), Authorization::Denied(AuthError::OutOfScope));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn grants(&self, header: &Header, capability: &str) -> Authorization {
        let Some(view) = self.account(header.account()) else {
            return Authorization::Unknown(Missing::Account(*header.account()));
        };
        match view.app(header.key()) {
            None => Authorization::Denied(AuthError::NotDelegated),
            Some(grant) if grant.scope().grants(capability) => Authorization::Authorized,
            Some(_) => Authorization::Denied(AuthError::OutOfScope),
        }
    }

    fn authorize_operation(&self, header: &Header) -> Authorization {
        let id = header.id();
        if self.owner.contains_key(&id) {
            Authorization::Authorized
        } else if let Some(error) = self.invalid.get(&id) {
            Authorization::Denied(AuthError::Operation(*error))
        } else if let Some(parent) = self.waiting_on.get(&id) {
            Authorization::Unknown(Missing::Message(*parent))
        } else {
            // Not applied to this state yet: the caller applies it with `apply` and asks again.
            Authorization::Unknown(Missing::KeyAuthorization)
        }
    }
}

/// The AUTH-6 walks of one account: per revoked key, per cutoff in force (at most two, 06 §8.4),
/// the part of its history read so far.
pub(super) type Walks = BTreeMap<PublicKey, Vec<Walk>>;

/// The walk back from one cutoff `c` (stated sequence number `s`) through its key's history (06 §9.2
/// step 6), as far as it has been read. It depends only on `(key, c, s)` and on the headers read,
/// which are content-addressed, so it stays true whatever the account state does; one walk per
/// cutoff of the key's grant in the head state last asked about is kept (at most two), so the
/// memory is at most two entries per held header of each revoked key.
#[derive(Clone, Debug)]
pub(super) struct Walk {
    cutoff: MessageId,
    seq: u64,
    /// `x_0 = c, x_1, …`: headers read that passed every check but the one on `S` (key is the
    /// revoked key, `x_0` has sequence number `s`), with their sequence numbers; every one but the
    /// last has a `prev` to go on with.
    passed: Vec<(MessageId, u64)>,
    /// `lowest[i]`: the smallest sequence number among `passed[..=i]`.
    lowest: Vec<u64>,
    /// Position of each id in `passed`.
    index: BTreeMap<MessageId, usize>,
    /// The id to read next, or `None` when the walk cannot go on (the last header read failed a
    /// check, or had no `prev`): every message not met before that point is revoked.
    next: Option<MessageId>,
}

/// One step of a remembered walk.
enum Step {
    Decided(Authorization),
    Read(MessageId),
}

impl Walk {
    fn new(cutoff: MessageId, seq: u64) -> Walk {
        Walk {
            cutoff,
            seq,
            passed: Vec::new(),
            lowest: Vec::new(),
            index: BTreeMap::new(),
            next: Some(cutoff),
        }
    }

    /// The outcome of the walk for message `own` at sequence number `s` (not the cutoff itself,
    /// `s ≤` the cutoff's), or the id to read to go further. `O(log n)`.
    fn decide(&self, own: &MessageId, s: u64) -> Step {
        let revoked = Step::Decided(Authorization::Denied(AuthError::Revoked));
        // Every header read before `own` must be above `s`: the first one at or below `s` that is
        // not `own` ends the walk (06 §9.2 step 6.3, 6.4).
        let above = |count: usize| count == 0 || self.lowest[count - 1] > s;
        if let Some(&i) = self.index.get(own) {
            return if above(i) {
                Step::Decided(Authorization::Authorized)
            } else {
                revoked
            };
        }
        if !above(self.passed.len()) {
            return revoked;
        }
        match self.next {
            None => revoked,
            Some(next) if &next == own => Step::Decided(Authorization::Authorized),
            Some(next) => Step::Read(next),
        }
    }

    /// Records the header `found` of the id to read next.
    fn extend(&mut self, key: &PublicKey, found: &Header) {
        let Some(at) = self.next.take() else {
            return;
        };
        let first = self.passed.is_empty();
        if found.key() != key || (first && found.seq() != self.seq) {
            return;
        }
        // Recorded even when it has no `prev` (the key's first message): the walk ends after it,
        // but it was met, and is kept if everything read before it is above it.
        let lowest = self
            .lowest
            .last()
            .map_or(found.seq(), |l| found.seq().min(*l));
        self.index.entry(at).or_insert(self.passed.len());
        self.passed.push((at, found.seq()));
        self.lowest.push(lowest);
        self.next = found.prev();
    }
}

/// AUTH-6 for `header`, below its key's cutoff `cutoff` (stated sequence number `seq`), one of the
/// cutoffs `in_force` of its grant, reading only the headers no earlier authorization read.
fn cached_walk(
    walks: &RefCell<Walks>,
    header: &Header,
    cutoff: MessageId,
    seq: u64,
    in_force: &[(MessageId, u64)],
    headers: &impl Fn(&MessageId) -> Option<Header>,
) -> Authorization {
    let own = header.id();
    let key = header.key();
    loop {
        // No borrow is held while `headers` runs, so a lookup that asks this state again finds the
        // cache free; if it is not (a lookup inside a lookup), the walk is done without it.
        let step = {
            let Ok(mut walks) = walks.try_borrow_mut() else {
                return walk(header, cutoff, seq, headers);
            };
            let list = walks.entry(*key).or_default();
            if !list.iter().any(|w| w.cutoff == cutoff && w.seq == seq) {
                // Keep only the walks of the cutoffs in force: at most two per key.
                list.retain(|w| in_force.contains(&(w.cutoff, w.seq)));
                list.push(Walk::new(cutoff, seq));
            }
            match list.iter().find(|w| w.cutoff == cutoff && w.seq == seq) {
                Some(walk) => walk.decide(&own, header.seq()),
                None => return walk(header, cutoff, seq, headers),
            }
        };
        let at = match step {
            Step::Decided(outcome) => return outcome,
            Step::Read(at) => at,
        };
        let Some(found) = headers(&at) else {
            return Authorization::Unknown(Missing::Message(at));
        };
        let Ok(mut walks) = walks.try_borrow_mut() else {
            return walk(header, cutoff, seq, headers);
        };
        let remembered = walks
            .get_mut(key)
            .and_then(|list| list.iter_mut().find(|w| w.cutoff == cutoff && w.seq == seq));
        match remembered {
            Some(w) if w.next == Some(at) => w.extend(key, &found),
            // Changed under us by a lookup that authorized another cutoff of the same key.
            _ => return walk(header, cutoff, seq, headers),
        }
    }
}

/// AUTH-6 for `header` as 06 §9.2 step 6 writes it, reading every header from the cutoff down:
/// the fallback when the remembered walks are in use.
fn walk(
    header: &Header,
    cutoff: MessageId,
    seq: u64,
    headers: &impl Fn(&MessageId) -> Option<Header>,
) -> Authorization {
    let own = header.id();
    let mut at = cutoff;
    loop {
        if at == own {
            // The cutoff's stated sequence number must be its message's own.
            return if at == cutoff && header.seq() != seq {
                Authorization::Denied(AuthError::Revoked)
            } else {
                Authorization::Authorized
            };
        }
        let Some(found) = headers(&at) else {
            return Authorization::Unknown(Missing::Message(at));
        };
        // A cutoff that is not a message of this key at the stated sequence number keeps nothing:
        // the revocation then covers every message of the key.
        if found.key() != header.key()
            || found.seq() < header.seq()
            || (at == cutoff && found.seq() != seq)
        {
            return Authorization::Denied(AuthError::Revoked);
        }
        if found.seq() == header.seq() {
            // Equal headers are equal bytes (canonical encoding), so the same message.
            return if &found == header {
                Authorization::Authorized
            } else {
                Authorization::Denied(AuthError::Revoked)
            };
        }
        match found.prev() {
            Some(prev) => at = prev,
            None => return Authorization::Denied(AuthError::Revoked),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::{cached_walk, walk, Walks};
    use crate::envelope::{Draft, Header, Kind, SignedMessage};
    use crate::id::{AccountId, MessageId};
    use crate::keys::SecretKey;
    use alloc::collections::BTreeMap;
    use alloc::vec::Vec;
    use core::cell::RefCell;

    fn message(key: &SecretKey, time: u64, after: Option<&SignedMessage>) -> SignedMessage {
        let body = crate::cbor::Map::new();
        let draft = Draft::new(
            AccountId::from_bytes([5; 32]),
            Kind::new("com.example.note").unwrap(),
            time,
            &body,
        )
        .unwrap();
        match after {
            Some(prev) => draft.after(prev),
            None => draft,
        }
        .sign(key)
        .unwrap()
    }

    /// The remembered walk answers exactly as the walk of 06 §9.2 step 6, for every message of a
    /// forked history, cutoffs right and wrong (seq not the cutoff's, another key's message, the
    /// same key's other fork), queries in a scrambled order and a store that grows between them.
    #[test]
    fn remembered_walk_agrees_with_the_specified_walk() {
        let key = SecretKey::from_seed([1; 32]);
        let other = SecretKey::from_seed([2; 32]);
        // A history of 12, a fork of 4 after its 5th message, and another key's message.
        let mut history: Vec<SignedMessage> = Vec::new();
        for i in 0..12 {
            let m = message(&key, 10 + i, history.last());
            history.push(m);
        }
        let mut fork: Vec<SignedMessage> = Vec::new();
        for i in 0..4 {
            let prev = fork.last().unwrap_or(&history[4]);
            let m = message(&key, 100 + i, Some(prev));
            fork.push(m);
        }
        let foreign = message(&other, 5, None);
        let all: Vec<&SignedMessage> = history.iter().chain(&fork).chain([&foreign]).collect();
        let cutoffs: Vec<(MessageId, u64)> = alloc::vec![
            (history[11].id(), 12),
            (history[7].id(), 8),
            (history[7].id(), 9),
            (fork[3].id(), 9),
            (fork[1].id(), 7),
            (foreign.id(), 1),
            (MessageId::from_bytes([9; 32]), 12),
        ];
        // A deterministic scramble of query order; the store gains one header every third query.
        let mut order: Vec<usize> = (0..all.len() * 3)
            .map(|i| (i * 7 + 3) % all.len())
            .collect();
        order.rotate_left(5);
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (ci, &(cutoff, seq)) in cutoffs.iter().enumerate() {
            let walks: RefCell<Walks> = RefCell::default();
            let mut store: BTreeMap<MessageId, Header> = BTreeMap::new();
            let mut arriving = all.iter().rev().cycle().skip(ci);
            for (q, &i) in order.iter().enumerate() {
                if q % 3 == 0 {
                    let m = arriving.next().unwrap();
                    store.insert(m.id(), m.header().clone());
                }
                let header = all[i].header();
                if header.key() != &key.public_key() || header.seq() > seq || header.id() == cutoff
                {
                    continue; // decided before the walk (AUTH-6 step "S > s", the cutoff itself)
                }
                let lookup = |id: &MessageId| store.get(id).cloned();
                let expected = walk(header, cutoff, seq, &lookup);
                let got = cached_walk(&walks, header, cutoff, seq, &[(cutoff, seq)], &lookup);
                assert_eq!(got, expected, "cutoff {ci}, query {q}, message {i}");
                let outcome = match got {
                    crate::message::Authorization::Authorized => "authorized",
                    crate::message::Authorization::Denied(_) => "denied",
                    _ => "unknown",
                };
                *seen.entry(outcome).or_default() += 1;
            }
        }
        // Every outcome is exercised, many times.
        assert!(seen.values().all(|&n| n >= 10), "{seen:?}");
        assert_eq!(seen.len(), 3, "{seen:?}");
    }
}
