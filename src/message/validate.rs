//! Validation of a signed message against its kind's rules and a context (section 0 of the message
//! chapter): body rules, time, key authorization, history, target lookups.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use super::error::{AuthError, ValidationError};
use super::{parse_body, Author, Body, BodyKind, Delete, Edit, Gate, Unreact, Unrepost};
use crate::account::CAP_OTHERS;
use crate::envelope::{Header, SignedMessage};
use crate::id::{AccountId, MessageId};

/// How far in the future a message's time may be, in milliseconds: 10 minutes of clock skew
/// (rule MSG-2).
///
/// ```
/// assert_eq!(skylark::message::MAX_CLOCK_SKEW, 10 * 60 * 1000);
/// ```
pub const MAX_CLOCK_SKEW: u64 = 600_000;

/// The accounts layer's answer to "may this key sign this message for this account?" (rule MSG-3).
///
/// ```
/// use skylark::message::{AuthError, Authorization};
/// let answer = Authorization::Denied(AuthError::Revoked);
/// assert!(matches!(answer, Authorization::Denied(e) if e.code() == "auth.revoked"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorization {
    /// The key may sign the message.
    Authorized,
    /// The key may not sign the message.
    Denied(AuthError),
    /// Not decidable yet, and what is missing: [`Missing::KeyAuthorization`] when the context can say
    /// no more, or the account or message the accounts layer needs.
    Unknown(Missing),
}

/// What validation needs from the world: the time, key authorization, and the headers of other
/// messages. A node implements it over its store; [`MemoryContext`] is a simple one for tests and
/// tools.
///
/// ```
/// use skylark::envelope::Header;
/// use skylark::id::MessageId;
/// use skylark::message::{Missing, Authorization, Context};
///
/// /// Knows nothing: every lookup is missing.
/// struct Nothing(u64);
///
/// impl Context for Nothing {
///     fn now(&self) -> u64 {
///         self.0
///     }
///     fn authorize(&self, _: &Header) -> Authorization {
///         Authorization::Unknown(Missing::KeyAuthorization)
///     }
///     fn header(&self, _: &MessageId) -> Option<Header> {
///         None
///     }
/// }
/// assert_eq!(Nothing(5).now(), 5);
/// ```
pub trait Context {
    /// The current time, in milliseconds since the Unix epoch.
    ///
    /// ```
    /// use skylark::message::{Authorization, Context, MemoryContext};
    /// assert_eq!(MemoryContext::new(42, Authorization::Authorized).now(), 42);
    /// ```
    fn now(&self) -> u64;

    /// Whether the header's key may sign this message for the header's account (its kind, time and
    /// place in the key's history included).
    ///
    /// ```
    /// use skylark::envelope::Draft;
    /// use skylark::message::{Missing, Authorization, BodyKind, Context, MemoryContext, Profile};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let msg = Profile::builder().build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let context = MemoryContext::new(0, Authorization::Unknown(Missing::KeyAuthorization));
    /// assert_eq!(context.authorize(msg.header()), Authorization::Unknown(Missing::KeyAuthorization));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn authorize(&self, header: &Header) -> Authorization;

    /// The header of the message with this id, if known. Headers are kept even for stripped
    /// remainders, so lookups never need bodies.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Context, MemoryContext, Profile};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let msg = Profile::builder().build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let context = MemoryContext::new(0, Authorization::Authorized).with(&msg.stripped());
    /// assert_eq!(context.header(&msg.id()).as_ref(), Some(msg.header()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn header(&self, id: &MessageId) -> Option<Header>;

    /// Whether the header's key holds `capability` (06 §5.4, AUTH-7), e.g.
    /// [`crate::account::CAP_OTHERS`], which lets it act on the account's messages signed by other
    /// keys (EDIT-2, EDIT-3, DELETE-1, UNDO-1, GATE-2). Validation reads only whether the answer is
    /// authorized, denied or unknown. The default answers denied: a context that knows nothing of
    /// capabilities lets every key act on its own messages only.
    ///
    /// ```
    /// use skylark::account::CAP_OTHERS;
    /// use skylark::message::{AuthError, Authorization, BodyKind, Context, MemoryContext, Profile};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let msg = Profile::builder().build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let context = MemoryContext::new(0, Authorization::Authorized);
    /// assert_eq!(context.grants(msg.header(), CAP_OTHERS), Authorization::Denied(AuthError::OutOfScope));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn grants(&self, header: &Header, capability: &str) -> Authorization {
        let _ = (header, capability);
        Authorization::Denied(AuthError::OutOfScope)
    }
}

/// A [`Context`] held in memory: a fixed time, one authorization answer for every message, and the
/// headers of the messages added to it. Meant for tests, tools and the test vectors, whose contexts
/// have exactly this shape.
///
/// ```
/// use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post, Verdict};
/// use skylark::id::AccountId;
/// use skylark::keys::SecretKey;
///
/// let key = SecretKey::from_seed([1; 32]);
/// let alice = AccountId::from_bytes([0xaa; 32]);
/// let first = Post::builder().text("one").build()?.draft(alice, 1_000)?.sign(&key)?;
/// let second = Post::builder().text("two").build()?.draft(alice, 2_000)?.after(&first).sign(&key)?;
///
/// let context = MemoryContext::new(2_000, Authorization::Authorized).with(&first);
/// assert!(matches!(validate(second, &context), Verdict::Valid(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MemoryContext {
    now: u64,
    authorization: Authorization,
    capabilities: Authorization,
    headers: BTreeMap<MessageId, Header>,
}

impl MemoryContext {
    /// A context at time `now` (milliseconds) that answers `authorization` for every message and
    /// knows no other messages yet.
    ///
    /// ```
    /// use skylark::message::{Missing, Authorization, MemoryContext};
    /// let context = MemoryContext::new(1_764_115_200_000, Authorization::Unknown(Missing::KeyAuthorization));
    /// # let _ = context;
    /// ```
    pub fn new(now: u64, authorization: Authorization) -> Self {
        MemoryContext {
            now,
            authorization,
            capabilities: Authorization::Denied(AuthError::OutOfScope),
            headers: BTreeMap::new(),
        }
    }

    /// Answers `answer` to every capability question ([`Context::grants`]); a new context answers
    /// denied.
    ///
    /// ```
    /// use skylark::account::CAP_OTHERS;
    /// use skylark::message::{Authorization, BodyKind, Context, MemoryContext, Profile};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let msg = Profile::builder().build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let context = MemoryContext::new(0, Authorization::Authorized).granting(Authorization::Authorized);
    /// assert_eq!(context.grants(msg.header(), CAP_OTHERS), Authorization::Authorized);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn granting(mut self, answer: Authorization) -> Self {
        self.capabilities = answer;
        self
    }

    /// Makes the header of `message` (whole or stripped) known to lookups.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Context, MemoryContext, Profile};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let msg = Profile::builder().build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let mut context = MemoryContext::new(0, Authorization::Authorized);
    /// context.insert(&msg);
    /// assert!(context.header(&msg.id()).is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn insert(&mut self, message: &SignedMessage) {
        self.headers.insert(message.id(), message.header().clone());
    }

    /// [`MemoryContext::insert`], for chaining.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Context, MemoryContext, Profile};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let msg = Profile::builder().build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let context = MemoryContext::new(0, Authorization::Authorized).with(&msg);
    /// assert!(context.header(&msg.id()).is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with(mut self, message: &SignedMessage) -> Self {
        self.insert(message);
        self
    }
}

impl Context for MemoryContext {
    fn now(&self) -> u64 {
        self.now
    }

    fn authorize(&self, _header: &Header) -> Authorization {
        self.authorization
    }

    fn header(&self, id: &MessageId) -> Option<Header> {
        self.headers.get(id).cloned()
    }

    fn grants(&self, _header: &Header, _capability: &str) -> Authorization {
        self.capabilities
    }
}

/// Something validation needed and the context did not have.
///
/// ```
/// use skylark::message::Missing;
/// assert_eq!(Missing::KeyAuthorization.to_string(), "key authorization");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    /// Whether the key may sign the message (rule MSG-3).
    KeyAuthorization,
    /// The header of this message: the key's previous message (MSG-4) or a target (EDIT-2, EDIT-3,
    /// DELETE-1, UNDO-1, GATE-2), or a message of the key's history that its revocation cutoff
    /// needs (AUTH-6).
    Message(MessageId),
    /// The genesis of this account (AUTH-1).
    Account(AccountId),
    /// The body of the message itself: a stripped remainder of a control kind
    /// ([`crate::message::CONTROL_KINDS`], MSG-7) is decided only whole.
    Body,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::KeyAuthorization => f.write_str("key authorization"),
            Missing::Message(id) => write!(f, "message {id}"),
            Missing::Account(id) => write!(f, "account {id}"),
            Missing::Body => f.write_str("body"),
        }
    }
}

/// A message that passed validation, with its typed body.
///
/// ```
/// use skylark::message::{validate, Authorization, Body, BodyKind, MemoryContext, Post, Verdict};
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// # let alice = skylark::id::AccountId::from_bytes([0xaa; 32]);
/// let msg = Post::builder().text("hi").build()?.draft(alice, 0)?.sign(&key)?;
/// let Verdict::Valid(valid) = validate(msg.clone(), &MemoryContext::new(0, Authorization::Authorized))
/// else { panic!() };
/// assert_eq!(valid.message(), &msg);
/// assert!(matches!(valid.body(), Body::Post(p) if p.text() == Some("hi")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMessage {
    // Boxed: a message with its body is several hundred bytes, and verdicts are passed by value.
    inner: Box<(SignedMessage, Body)>,
}

impl ValidMessage {
    /// The signed message.
    ///
    /// ```
    /// # use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post, Verdict};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let msg = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// # let Verdict::Valid(valid) = validate(msg.clone(), &MemoryContext::new(0, Authorization::Authorized)) else { panic!() };
    /// assert_eq!(valid.message().id(), msg.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message(&self) -> &SignedMessage {
        &self.inner.0
    }

    /// The typed body: [`Body::Withheld`] for a stripped remainder, [`Body::Unknown`] for a kind
    /// this crate does not know.
    ///
    /// ```
    /// # use skylark::message::{validate, Authorization, Body, BodyKind, MemoryContext, Post, Verdict};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let msg = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let Verdict::Valid(valid) = validate(msg.stripped(), &MemoryContext::new(0, Authorization::Authorized))
    /// else { panic!() };
    /// assert_eq!(valid.body(), &Body::Withheld);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn body(&self) -> &Body {
        &self.inner.1
    }

    /// The signed message and the typed body.
    ///
    /// ```
    /// # use skylark::message::{validate, Authorization, Body, BodyKind, MemoryContext, Post, Verdict};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let msg = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// # let Verdict::Valid(valid) = validate(msg, &MemoryContext::new(0, Authorization::Authorized)) else { panic!() };
    /// let (message, body) = valid.into_parts();
    /// assert!(matches!(body, Body::Post(_)) && !message.is_stripped());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_parts(self) -> (SignedMessage, Body) {
        *self.inner
    }
}

/// The outcome of [`validate`]: exactly one of valid, invalid (one error) and undecided (what is
/// missing to decide).
///
/// An undecided message is neither accepted nor rejected: validate it again when the missing items
/// have arrived. A verdict is a function of the message and the context, so it can change when the
/// context does; exactly these parts of it can:
///
/// - **MSG-2** (`msg.time_in_future`) turns as `now` advances;
/// - **MSG-3** (authorization) reads the account state, which changes as operations arrive: a
///   message authorized now can be denied later (a revocation, with or without a cutoff; a recovery
///   fork that drops its delegation) and the reverse (06 §9.4);
/// - a missing item that arrives can make an earlier step fail, so an invalid message whose
///   validation also recorded something missing can change its code when that arrives.
///
/// An invalid verdict from the body rules, or from MSG-4 and the kind lookups with nothing
/// missing, depends only on signed bytes and never changes. [`crate::replica::Replica`] keeps every
/// verdict current.
///
/// ```
/// use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Missing, Post, Verdict};
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// # let alice = skylark::id::AccountId::from_bytes([0xaa; 32]);
/// let msg = Post::builder().text("hi").build()?.draft(alice, 0)?.sign(&key)?;
/// let verdict = validate(msg, &MemoryContext::new(0, Authorization::Unknown(Missing::KeyAuthorization)));
/// assert_eq!(verdict, Verdict::Undecided(vec![Missing::KeyAuthorization]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The message is valid.
    Valid(ValidMessage),
    /// The message is invalid, for this reason (the first rule that failed).
    Invalid(ValidationError),
    /// Nothing failed, but these items are needed to decide, in the order the checks asked for
    /// them, without duplicates.
    Undecided(Vec<Missing>),
}

/// Validates a signed message (layer 1 already passed) against the rules of its kind and the
/// context, in the order of section 0 of the message chapter; the first failure wins:
///
/// 1. the body rules of the kind (skipped for a stripped remainder; for a kind that is not a core
///    kind the body is any map, EXT-1);
/// 2. MSG-2: the time is at most [`MAX_CLOCK_SKEW`] after [`Context::now`];
/// 3. MSG-3: key authorization — denied is invalid, unknown is recorded as missing;
/// 4. MSG-4: if `seq > 1`, the previous message's header — not later, same key, `seq − 1`; absent
///    is recorded as missing;
/// 5. the kind's lookups (edit: target then replaces; delete, unreact, unrepost, gate: target) — absent
///    is recorded as missing, present is checked;
/// 6. anything recorded missing makes the verdict undecided.
///
/// So an invalid finding in steps 4 and 5 wins over a missing item recorded earlier.
///
/// ```
/// use skylark::message::{Missing, validate, Authorization, BodyKind, Delete, MemoryContext, Post, Verdict};
/// use skylark::id::AccountId;
/// use skylark::keys::SecretKey;
///
/// let (alice_key, bob_key) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
/// let (alice, bob) = (AccountId::from_bytes([0xaa; 32]), AccountId::from_bytes([0xbb; 32]));
/// let post = Post::builder().text("mine").build()?.draft(alice, 1_000)?.sign(&alice_key)?;
/// let delete = Delete::new(post.id()).draft(bob, 2_000)?.sign(&bob_key)?;
///
/// // Bob may not delete Alice's post: invalid, even though bob's key authorization is unknown.
/// let context = MemoryContext::new(2_000, Authorization::Unknown(Missing::KeyAuthorization)).with(&post);
/// match validate(delete, &context) {
///     Verdict::Invalid(e) => assert_eq!((e.code(), e.rule()), ("msg.not_own_target", "DELETE-1")),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate(message: SignedMessage, context: &impl Context) -> Verdict {
    validate_with(message, context, false)
}

/// [`validate`], where the caller may vouch that `message` is a key operation whose body passed
/// ACCT-1 (the account state parsed this very message: its id binds its body through the header's
/// body hash), so that its keys are not parsed again. `operation_body_checked` changes only the
/// work, never the verdict.
pub(crate) fn validate_with(
    message: SignedMessage,
    context: &impl Context,
    operation_body_checked: bool,
) -> Verdict {
    match check(&message, context, operation_body_checked) {
        Ok((body, missing)) if missing.is_empty() => Verdict::Valid(ValidMessage {
            inner: Box::new((message, body)),
        }),
        Ok((_, missing)) => Verdict::Undecided(missing),
        Err(error) => Verdict::Invalid(error),
    }
}

/// Records a missing item once.
fn record(missing: &mut Vec<Missing>, item: Missing) {
    if !missing.contains(&item) {
        missing.push(item);
    }
}

fn check(
    message: &SignedMessage,
    context: &impl Context,
    operation_body_checked: bool,
) -> Result<(Body, Vec<Missing>), ValidationError> {
    let header = message.header();
    // 0. DM-14 (spec 08): a direct message is never a public message, whatever its body.
    if header.kind().as_str() == "dm" {
        return Err(ValidationError::PrivateKind);
    }
    // REPORT-3 (spec 05 §5.9): a report is sealed to its moderation service (08 §14), never public.
    if header.kind().as_str() == "report" {
        return Err(ValidationError::PublicReport);
    }
    // 1. Body rules.
    let body = match message.body_map() {
        None => Body::Withheld,
        // ACCT-1 passed already (see `validate_with`).
        Some(map)
            if operation_body_checked
                && crate::account::is_operation_kind(header.kind().as_str()) =>
        {
            Body::Operation(map)
        }
        Some(map) => parse_body(
            header.kind().as_str(),
            map,
            Some(Author {
                account: header.account(),
                time: header.time(),
            }),
        )?,
    };
    let mut missing = Vec::new();
    // MSG-7: a control message decides something only with its body; its remainder waits for it.
    if message.is_stripped() && super::CONTROL_KINDS.contains(&header.kind().as_str()) {
        record(&mut missing, Missing::Body);
    }
    // 2. MSG-2
    let now = context.now();
    if header.time() > now.saturating_add(MAX_CLOCK_SKEW) {
        return Err(ValidationError::TimeInFuture {
            time: header.time(),
            now,
        });
    }
    // 3. MSG-3
    match context.authorize(header) {
        Authorization::Authorized => {}
        Authorization::Denied(error) => return Err(ValidationError::Auth(error)),
        Authorization::Unknown(item) => record(&mut missing, item),
    }
    // 4. MSG-4
    if let (2.., Some(prev)) = (header.seq(), header.prev()) {
        match context.header(&prev) {
            None => record(&mut missing, Missing::Message(prev)),
            Some(previous) => {
                if previous.time() > header.time() {
                    return Err(ValidationError::TimeRegression { prev });
                }
                if previous.key() != header.key() {
                    return Err(ValidationError::PrevKeyMismatch { prev });
                }
                if previous.seq() != header.seq() - 1 {
                    return Err(ValidationError::PrevSeqMismatch { prev });
                }
            }
        }
    }
    // 5. Kind lookups.
    // DECISION: a stripped remainder has no body, so it names no targets and step 5 does nothing
    // ("validated on its header only").
    let mut lookup = Lookup {
        context,
        header,
        missing: &mut missing,
    };
    match &body {
        Body::Edit(edit) => {
            let target = edit.target();
            lookup.check(Edit::KIND, "target", target, |kind| kind == "post")?;
            lookup.check(Edit::KIND, "replaces", edit.replaces(), |kind| {
                kind == "edit" || (kind == "post" && edit.replaces() == target)
            })?;
        }
        // A delete may not target a delete, nor a key operation: key history is never withdrawn
        // (stripping an operation would leave the operations after it waiting, 06).
        Body::Delete(t) => lookup.check(Delete::KIND, "target", t.target(), |k| {
            k != "delete" && !crate::account::is_operation_kind(k)
        })?,
        Body::Unreact(t) => lookup.check(Unreact::KIND, "target", t.target(), |k| k == "react")?,
        // Only the post's own account may gate it (GATE-2).
        Body::Gate(g) => lookup.check(Gate::KIND, "target", g.target(), |k| k == "post")?,
        Body::Unrepost(t) => {
            lookup.check(Unrepost::KIND, "target", t.target(), |k| k == "repost")?
        }
        _ => {}
    }
    Ok((body, missing))
}

/// Step 5: one lookup of a message the body names.
struct Lookup<'a, C> {
    context: &'a C,
    header: &'a Header,
    missing: &'a mut Vec<Missing>,
}

impl<C: Context> Lookup<'_, C> {
    /// The target must be known (else it is recorded missing), of the author's account, of a kind
    /// `kind_ok` accepts, not newer than this message, and signed by this message's key unless the
    /// key holds [`CAP_OTHERS`] (asked of the context; unknown is recorded missing).
    fn check(
        &mut self,
        kind: &'static str,
        field: &'static str,
        target: MessageId,
        kind_ok: impl Fn(&str) -> bool,
    ) -> Result<(), ValidationError> {
        let Some(found) = self.context.header(&target) else {
            record(self.missing, Missing::Message(target));
            return Ok(());
        };
        if found.account() != self.header.account() {
            return Err(ValidationError::NotOwnTarget {
                kind,
                field,
                target,
            });
        }
        if !kind_ok(found.kind().as_str()) {
            return Err(ValidationError::TargetKind {
                kind,
                field,
                target,
                found: found.kind().clone(),
            });
        }
        // No back-dating into newer content: a message acts only on what existed at its own time.
        if found.time() > self.header.time() {
            return Err(ValidationError::TargetNewer {
                kind,
                field,
                target,
            });
        }
        // A key acts on its own messages; on the account's other keys' messages only with the
        // capability, which `"*"` never implies (06 §5.4).
        if found.key() != self.header.key() {
            match self.context.grants(self.header, CAP_OTHERS) {
                Authorization::Authorized => {}
                Authorization::Denied(_) => {
                    return Err(ValidationError::OtherKeyTarget {
                        kind,
                        field,
                        target,
                    })
                }
                Authorization::Unknown(item) => record(self.missing, item),
            }
        }
        Ok(())
    }
}
