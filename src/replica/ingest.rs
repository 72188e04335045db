//! Ingest and re-evaluation: messages in, statuses kept current by what each one waits for.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::RefCell;

use rand_core::{CryptoRng, RngCore};

use super::{held_in, set_merged, views::Views, Authority, Held, HeldRef, Need, Replica, Status};
use crate::account::{is_operation_kind, Accounts};
use crate::envelope::{EnvelopeError, Header, SignedMessage};
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;
use crate::message::{
    validate_with, Authorization, Context, Missing, ValidationError, Verdict, MAX_CLOCK_SKEW,
};

/// Validation's view of a replica: its clock, its authority and its held headers. It records
/// everything validation asked for and did not get — a header, or what authorization lacked — so
/// that the message is looked at again when that arrives, whatever its verdict: a message found
/// invalid at a later step can turn invalid at an earlier one, with another code (05 §2.3).
struct View<'a> {
    now: u64,
    authority: &'a Authority,
    accounts: &'a Accounts,
    held: &'a BTreeMap<MessageId, Held>,
    /// The views, whose merged state's entries hold the bytes of the messages it holds.
    views: &'a Views,
    /// The message being validated, for missing key authorization (it waits for its own whole).
    id: MessageId,
    asked: RefCell<Vec<Need>>,
}

impl View<'_> {
    fn ask(&self, need: Need) {
        let mut asked = self.asked.borrow_mut();
        if !asked.contains(&need) {
            asked.push(need);
        }
    }
}

impl Context for View<'_> {
    fn now(&self) -> u64 {
        self.now
    }

    fn authorize(&self, header: &Header) -> Authorization {
        let answer = match self.authority {
            Authority::Fixed(answer, _) => *answer,
            Authority::Accounts => self.accounts.authorize(header, |id| self.header(id)),
        };
        if let Authorization::Unknown(item) = &answer {
            self.ask(need(item, self.id));
        }
        answer
    }

    fn grants(&self, header: &Header, capability: &str) -> Authorization {
        let answer = match self.authority {
            Authority::Fixed(_, grants) => *grants,
            Authority::Accounts => self.accounts.grants(header, capability),
        };
        if let Authorization::Unknown(item) = &answer {
            self.ask(need(item, self.id));
        }
        answer
    }

    fn header(&self, id: &MessageId) -> Option<Header> {
        let found = held_in(self.held, self.views, id).and_then(HeldRef::header);
        if found.is_none() {
            self.ask(Need::Message(*id));
        }
        found
    }
}

impl Replica {
    /// Decodes, verifies and takes one message (bytes as received), returning its status after
    /// everything it unblocked has been re-evaluated. A message already held returns its current
    /// status and changes nothing, except that a whole message replaces its held remainder.
    ///
    /// # Errors
    ///
    /// The [`EnvelopeError`] of bytes that fail layer 1 ([`SignedMessage::from_bytes`]); they are
    /// not held.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Post};
    /// use skylark::replica::{Replica, Status};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let mut replica = Replica::with_authorization(0, Authorization::Authorized);
    /// assert_eq!(replica.ingest(post.as_bytes())?, Status::Valid);
    /// assert_eq!(replica.ingest(&[0xa0]).unwrap_err().code(), "env.missing_field");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ingest(&mut self, bytes: &[u8]) -> Result<Status, EnvelopeError> {
        let message = crate::batch::verify_one(bytes, &mut self.keys)?;
        let id = message.id();
        self.insert(message);
        Ok(self.status_of(&id).clone())
    }

    /// Takes many messages at once: their signatures are checked in batches
    /// ([`crate::batch::verify_each`], on every core with the `std` feature), and each verified
    /// message is taken as by [`Replica::insert`], in input order, while the other cores verify the
    /// ones that follow.
    /// One result per input, in input order: the layer-1 error, or the message's status once the
    /// whole batch is in (so a message that waited for another of the same batch is decided).
    ///
    /// `rng` must be a cryptographically secure random number generator (see [`crate::batch`]).
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Post};
    /// use skylark::replica::{Replica, Status};
    /// # struct Rng(u64);
    /// # impl rand_core::RngCore for Rng {
    /// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
    /// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
    /// #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { *x = (self.next_u64() >> 56) as u8; } }
    /// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
    /// # }
    /// # impl rand_core::CryptoRng for Rng {}
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let alice = skylark::id::AccountId::from_bytes([1; 32]);
    /// let first = Post::builder().text("one").build()?.draft(alice, 0)?.sign(&key)?;
    /// let second = Post::builder().text("two").build()?.draft(alice, 1)?.after(&first).sign(&key)?;
    /// let mut replica = Replica::with_authorization(1, Authorization::Authorized);
    /// // The second arrives first in the batch; both are valid once the batch is in.
    /// let results = replica.ingest_batch([second.as_bytes(), first.as_bytes()], &mut Rng(1));
    /// assert!(results.iter().all(|r| r == &Ok(Status::Valid)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ingest_batch<B, R>(
        &mut self,
        inputs: impl IntoIterator<Item = B>,
        rng: &mut R,
    ) -> Vec<Result<Status, EnvelopeError>>
    where
        B: AsRef<[u8]>,
        R: RngCore + CryptoRng,
    {
        self.ingest_batch_threads(inputs, rng, crate::batch::threads())
    }

    /// [`Replica::ingest_batch`] on `threads` threads instead of every core (0 or 1: the calling
    /// thread alone), for an app that keeps cores for other work: the calling thread inserts each
    /// verified chunk while the others verify the next ones and the acceptances of the key
    /// operations among them ([`crate::batch::verify_each`]; `threads` is capped at 8 and at the
    /// number of chunks of 256). The statuses are the same for every `threads`. The key cache is
    /// taken out of the replica for the batch: should the batch panic (a defect), the replica is
    /// left with an empty one.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Post};
    /// use skylark::replica::{Replica, Status};
    /// # struct Rng(u64);
    /// # impl rand_core::RngCore for Rng {
    /// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
    /// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
    /// #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { *x = (self.next_u64() >> 56) as u8; } }
    /// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
    /// # }
    /// # impl rand_core::CryptoRng for Rng {}
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let alice = skylark::id::AccountId::from_bytes([1; 32]);
    /// let first = Post::builder().text("one").build()?.draft(alice, 0)?.sign(&key)?;
    /// let second = Post::builder().text("two").build()?.draft(alice, 1)?.after(&first).sign(&key)?;
    /// let mut one = Replica::with_authorization(1, Authorization::Authorized);
    /// let mut two = Replica::with_authorization(1, Authorization::Authorized);
    /// let inputs = [second.as_bytes(), first.as_bytes()];
    /// assert_eq!(one.ingest_batch_threads(inputs, &mut Rng(1), 1), two.ingest_batch_threads(inputs, &mut Rng(2), 2));
    /// assert_eq!(one.digest(), two.digest());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ingest_batch_threads<B, R>(
        &mut self,
        inputs: impl IntoIterator<Item = B>,
        rng: &mut R,
        threads: usize,
    ) -> Vec<Result<Status, EnvelopeError>>
    where
        B: AsRef<[u8]>,
        R: RngCore + CryptoRng,
    {
        // The cache is taken out for the batch, so that the verifying threads read it while this
        // thread inserts what they verified.
        let mut keys = core::mem::replace(&mut self.keys, crate::keys::KeyCache::new(0));
        let mut ids: Vec<Result<MessageId, EnvelopeError>> = Vec::new();
        // Key operations' acceptances (ACCT-10) are verified with the signatures, in batches on
        // the verifying threads, rather than one by one as each operation is applied here.
        crate::batch::verify_each_with(inputs, &mut keys, rng, threads, true, |result, pre| {
            ids.push(result.map(|message| {
                let id = message.id();
                self.insert_prechecked(message, pre.as_ref());
                id
            }));
        });
        self.keys = keys;
        ids.into_iter()
            .map(|r| r.map(|id| self.status_of(&id).clone()))
            .collect()
    }

    /// Takes one message that passed layer 1, returning its status after everything it unblocked
    /// has been re-evaluated. [`Replica::ingest`] is decoding and verifying, then this.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Missing, Post};
    /// use skylark::replica::{Replica, Status};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let alice = skylark::id::AccountId::from_bytes([1; 32]);
    /// let first = Post::builder().text("one").build()?.draft(alice, 0)?.sign(&key)?;
    /// let second = Post::builder().text("two").build()?.draft(alice, 1)?.after(&first).sign(&key)?;
    /// let mut replica = Replica::with_authorization(1, Authorization::Authorized);
    /// assert_eq!(replica.insert(second.clone()), Status::Undecided(vec![Missing::Message(first.id())]));
    /// assert_eq!(replica.missing(), vec![Missing::Message(first.id())]);
    /// assert_eq!(replica.insert(first), Status::Valid);
    /// assert_eq!(replica.status(&second.id()), Some(&Status::Valid));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn insert(&mut self, message: SignedMessage) -> Status {
        self.insert_prechecked(message, None)
    }

    /// [`Replica::insert`] of a key operation whose acceptances were verified beforehand (on a
    /// verifying thread of [`Replica::ingest_batch`]): the same status, less work here.
    fn insert_prechecked(
        &mut self,
        message: SignedMessage,
        prechecked: Option<&crate::account::Prechecked>,
    ) -> Status {
        let id = message.id();
        match self.held_ref(&id).map(HeldRef::stripped) {
            // Held already, in this form or the stronger one.
            Some(stripped) if message.is_stripped() || !stripped => {
                return self.status_of(&id).clone();
            }
            // The whole message replaces its remainder; its status is re-evaluated below.
            Some(_) => self.hold(&id, &message),
            // Newly held. Its first validation, in the `run` below, puts it in the index by key
            // unless the merged state takes it (`sync_by_key`). Nothing reads the index for it
            // before then: only applying a key operation re-evaluates by key, and the index never
            // holds operations.
            None => {
                self.held.insert(id, Held::new(&message));
                self.unsettled.insert(
                    id,
                    super::Unsettled {
                        status: Status::Undecided(Vec::new()),
                        needs: alloc::boxed::Box::default(),
                    },
                );
            }
        }
        let mut work = alloc::vec![id];
        let mut body_checked = false;
        // Its header is now known: whatever waited for it is looked at again.
        self.waiters(Need::Message(id), &mut work);
        if is_operation_kind(message.header().kind().as_str()) && !message.is_stripped() {
            let account = if message.header().kind().as_str() == crate::account::GENESIS {
                Accounts::account_id(&message)
            } else {
                *message.header().account()
            };
            // 06 §9.4: only the messages of keys whose role or grant differs between the head
            // states before and after can change verdict, whether or not the head moved.
            let before = self.accounts.account(&account).map(|v| v.authority());
            // Invalid and waiting operations are recorded by the account state; their status is
            // read through authorization when they are validated.
            // Any `Ok` means that this message's body passed ACCT-1 (now, or when the same
            // operation was accepted before): its validation need not parse it again.
            body_checked = self.accounts.apply_prechecked(&message, prechecked).is_ok();
            let after = self.accounts.account(&account).map(|v| v.authority());
            match (&before, &after) {
                // ACCT-11: a deactivation that starts or stops counting reaches every key.
                (Some(before), Some(after)) if before.deactivation_differs(after) => {
                    self.account_changed(&account, &mut work);
                }
                (Some(before), Some(after)) => {
                    for key in before.changed_keys(after) {
                        self.key_changed(&account, &key, &mut work);
                    }
                }
                (None, None) => {}
                // The account became known (AUTH-1): every message naming it.
                _ => self.account_changed(&account, &mut work),
            }
        }
        self.run(work, Some((message, body_checked)));
        self.status_of(&id).clone()
    }

    /// Moves the replica's clock to `now` and validates again every message that was too far in
    /// the future (MSG-2) and no longer is. The clock never goes back: an earlier `now` is ignored,
    /// so that a valid message never turns invalid by the clock.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Post};
    /// use skylark::replica::{Replica, Status};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let t = 1_764_115_200_000;
    /// let post = Post::builder().text("early").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), t + 3_600_000)?.sign(&key)?;
    /// let mut replica = Replica::with_authorization(t, Authorization::Authorized);
    /// assert!(matches!(replica.ingest(post.as_bytes())?, Status::Invalid(e) if e.code() == "msg.time_in_future"));
    /// replica.advance(t + 3_600_000);
    /// assert_eq!(replica.status(&post.id()), Some(&Status::Valid));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance(&mut self, now: u64) {
        if now <= self.now {
            return;
        }
        self.now = now;
        let limit = now.saturating_add(MAX_CLOCK_SKEW);
        let due: Vec<MessageId> = self
            .future
            .range(..=(limit, super::views::ID_MAX))
            .map(|(_, id)| *id)
            .collect();
        self.run(due, None);
    }

    /// Queues the messages waiting for `need`.
    fn waiters(&self, need: Need, work: &mut Vec<MessageId>) {
        let (lo, hi) = (super::views::ID_MIN, super::views::ID_MAX);
        work.extend(
            self.waiting
                .range((need, lo)..=(need, hi))
                .map(|(_, id)| *id),
        );
    }

    /// An account became known: every message naming it is validated again (AUTH-1).
    fn account_changed(&self, account: &AccountId, work: &mut Vec<MessageId>) {
        for ids in self
            .by_key
            .range((*account, [0; 32])..=(*account, [0xff; 32]))
            .map(|(_, ids)| ids)
        {
            work.extend(ids.iter().copied());
        }
        self.views.signed_by(account, None, work);
    }

    /// The role or grant of one key changed between two head states of an account: that key's
    /// messages are validated again (06 §9.4).
    fn key_changed(&self, account: &AccountId, key: &PublicKey, work: &mut Vec<MessageId>) {
        if let Some(ids) = self.by_key.get(&(*account, *key.as_bytes())) {
            work.extend(ids.iter().copied());
        }
        self.views.signed_by(account, Some(key), work);
    }

    /// Validates the queued messages again, and, transitively, those waiting for a message whose
    /// status changed, or for an operation (whose status in the account state may have changed
    /// while its verdict did not: an operation invalid by MSG-4 may be valid in the account state
    /// and unblock others). The dependencies are hash links, so the walk ends.
    ///
    /// `fresh` is a message just taken, in the form held, so that its bytes are not decoded again
    /// when it is first validated, and whether its body is a key operation's that passed ACCT-1
    /// ([`crate::message::validate_with`]).
    fn run(&mut self, mut work: Vec<MessageId>, mut fresh: Option<(SignedMessage, bool)>) {
        while let Some(id) = work.pop() {
            let this = match &fresh {
                Some((m, _)) if m.id() == id => fresh.take(),
                _ => None,
            };
            let changed = self.evaluate(id, this);
            let operation = self.held_ref(&id).is_some_and(HeldRef::operation);
            if changed || operation {
                // A remainder of an operation waits for its own whole message: not for itself.
                let before = work.len();
                self.waiters(Need::Message(id), &mut work);
                let mut i = before;
                while i < work.len() {
                    if work[i] == id {
                        work.swap_remove(i);
                    } else {
                        i += 1;
                    }
                }
            }
        }
    }

    /// Validates one held message against the replica and records its status, its place in the
    /// waiting index and the merged state. Returns whether the status changed. `fresh`, if given,
    /// is the held message itself (not decoded again from its bytes).
    fn evaluate(&mut self, id: MessageId, fresh: Option<(SignedMessage, bool)>) -> bool {
        let Some(held) = self.held_ref(&id) else {
            return false;
        };
        let Some((message, body_checked)) = fresh.or_else(|| held.message().map(|m| (m, false)))
        else {
            return false;
        };
        let whole = !message.is_stripped();
        let time = message.header().time();
        let signer = (
            *message.header().account(),
            *message.header().key().as_bytes(),
        );
        let operation = held.operation();
        let was_merged = held.merged();
        let view = View {
            now: self.now,
            authority: &self.authority,
            accounts: &self.accounts,
            held: &self.held,
            views: &self.views,
            id,
            asked: RefCell::new(Vec::new()),
        };
        let verdict = validate_with(message, &view, body_checked);
        let mut needs = view.asked.into_inner();
        needs.sort();
        let (status, valid) = match verdict {
            Verdict::Valid(v) => (Status::Valid, Some(v)),
            Verdict::Invalid(e) => (Status::Invalid(e), None),
            Verdict::Undecided(missing) => (Status::Undecided(missing), None),
        };
        let (old, old_needs) = self.settle(id, status.clone(), needs.clone().into_boxed_slice());
        // The merged state: in with the current form, or out.
        let merged = valid.as_ref().map(|_| whole);
        if was_merged != merged {
            // The message's bytes, from where they are: its entry in the merged state, or the
            // held map.
            let taken = match self.views.take(&id) {
                Some(entry) => entry.held,
                None => self.held.remove(&id).map(|h| h.bytes),
            };
            let Some(mut bytes) = taken else {
                return false;
            };
            set_merged(&mut bytes, merged);
            match valid.as_ref().and_then(crate::merge::Entry::of) {
                // One entry, held by the views' limits as the merged state, with the bytes.
                Some(mut entry) => {
                    entry.held = Some(bytes);
                    let entry = self.views.intern(entry);
                    self.views.add(id, entry);
                }
                None => {
                    self.held.insert(id, Held { bytes });
                }
            }
        }
        // The index by key holds the messages that the merged state does not.
        if !operation {
            self.sync_by_key(signer, id);
        }
        // The waiting index: what validation asked for and did not get.
        for need in old_needs {
            self.waiting.remove(&(need, id));
        }
        for need in needs {
            self.waiting.insert((need, id));
        }
        // The clock index.
        let future = matches!(
            status,
            Status::Invalid(ValidationError::TimeInFuture { .. })
        );
        if future {
            self.future.insert((time, id));
        } else {
            self.future.remove(&(time, id));
        }
        old != status
    }
}

impl Replica {
    /// Keeps `id` in `by_key` iff the merged state does not hold it (the views find the messages
    /// it holds by key, [`super::views::Views::signed_by`]).
    fn sync_by_key(&mut self, signer: (AccountId, [u8; 32]), id: MessageId) {
        if self.views.holds(&id) {
            if let Some(ids) = self.by_key.get_mut(&signer) {
                ids.remove(&id);
                if ids.is_empty() {
                    self.by_key.remove(&signer);
                }
            }
        } else {
            self.by_key.entry(signer).or_default().insert(id);
        }
    }
}

/// The index key of a missing item of message `id`. Missing key authorization is asked only for an
/// operation whose whole message the account state never saw (a remainder): it waits for its own
/// whole message.
fn need(item: &Missing, id: MessageId) -> Need {
    match item {
        Missing::Message(m) => Need::Message(*m),
        Missing::Account(a) => Need::Account(*a),
        _ => Need::Message(id),
    }
}
