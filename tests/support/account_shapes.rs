//! Hostile shapes of key operations and of messages for the account state and the merged state:
//! every one valid (or, for the waiting flood, possibly valid later), built for a size `n`, for
//! measuring that cost grows as `n log n`. Shared through `#[path]` by `tests/growth.rs` (work and
//! allocation counts) and `benches/hostile.rs` (time).

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;

use skylark::account::{Accounts, Operation, Revocation, WitnessSet};
use skylark::envelope::{Draft, Header, Kind, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::{validate, BodyKind, MemoryContext, Post, ValidMessage, Verdict};

/// A named way to build the operations of one account: applied in the order given.
pub type OperationShape = (&'static str, fn(usize) -> Vec<SignedMessage>);

/// The shapes of key operations (06): each gives about `n` operations.
pub fn operation_shapes() -> Vec<OperationShape> {
    vec![
        ("delegation_chain", delegation_chain),
        ("delegation_chain_reversed", delegation_chain_reversed),
        ("siblings", siblings),
        ("two_root_forks", two_root_forks),
        ("waiting_flood", waiting_flood),
        ("invalid_flood", invalid_flood),
        ("witnessed_chain", witnessed_chain),
        ("duplicitous_receipts", duplicitous_receipts),
    ]
}

/// The three witnesses of the witnessed shapes (threshold 2).
pub fn witness(i: u8) -> SecretKey {
    SecretKey::from_seed([40 + i; 32])
}

/// A genesis with witnesses 0, 1 and 2 (threshold 2).
pub fn witnessed_genesis() -> SignedMessage {
    let keys: Vec<_> = (0..3).map(|i| witness(i).public_key()).collect();
    Operation::genesis(&[root().public_key(), second_root().public_key()], 1_000)
        .unwrap()
        .accepted_by(&second_root())
        .unwrap()
        .with_witnesses(&WitnessSet::new(&keys, 2).unwrap())
        .unwrap()
        .accepted_by(&witness(0))
        .unwrap()
        .accepted_by(&witness(1))
        .unwrap()
        .accepted_by(&witness(2))
        .unwrap()
        .sign(&root())
        .unwrap()
}

/// A witnessed account (06 §8.6) whose chain of about `n / 3` delegations each gets two receipts,
/// each receipt following its operation: every operation final when its receipts arrive.
pub fn witnessed_chain(n: usize) -> Vec<SignedMessage> {
    let (root, g) = (root(), witnessed_genesis());
    let account = Accounts::account_id(&g);
    let mut ops = vec![g];
    let mut root_last = ops[0].clone();
    let mut witness_last: [Option<SignedMessage>; 2] = [None, None];
    for i in 0..n / 3 {
        let op = Operation::delegate(
            account,
            root_last.id(),
            app(i).public_key(),
            &[],
            u64::from(u32::MAX),
            None,
            2_000 + i as u64,
        )
        .unwrap()
        .accepted_by(&app(i))
        .unwrap();
        let signed = sign_next(&op, &root, Some(&root_last));
        for (w, last) in witness_last.iter_mut().enumerate() {
            let receipt = Operation::receipt(account, signed.id(), 3_000 + i as u64);
            let r = sign_next(&receipt, &witness(w as u8), last.as_ref());
            *last = Some(r.clone());
            ops.push(r);
        }
        // The operation after its receipts: they wait for it.
        ops.push(signed.clone());
        root_last = signed;
    }
    ops
}

/// A witnessed account with about `n / 4` sibling operations below the genesis, each receipted by
/// all three witnesses: every witness duplicitous, nothing final.
pub fn duplicitous_receipts(n: usize) -> Vec<SignedMessage> {
    let g = witnessed_genesis();
    let account = Accounts::account_id(&g);
    let keys = [root(), second_root()];
    let mut last: [Option<SignedMessage>; 2] = [Some(g.clone()), None];
    let mut witness_last: [Option<SignedMessage>; 3] = [None, None, None];
    let mut ops = vec![g.clone()];
    for i in 0..n / 4 {
        let k = i % 2;
        let op =
            Operation::enckey(account, g.id(), [7; 32], i as u64 + 1, 2_000 + i as u64).unwrap();
        let signed = sign_next(&op, &keys[k], last[k].as_ref());
        last[k] = Some(signed.clone());
        ops.push(signed.clone());
        for (w, wl) in witness_last.iter_mut().enumerate() {
            let receipt = Operation::receipt(account, signed.id(), 3_000 + i as u64);
            let r = sign_next(&receipt, &witness(w as u8), wl.as_ref());
            *wl = Some(r.clone());
            ops.push(r);
        }
    }
    ops
}

/// The root key of every shape's account.
pub fn root() -> SecretKey {
    SecretKey::from_seed([1; 32])
}

/// A second root, of lower priority.
pub fn second_root() -> SecretKey {
    SecretKey::from_seed([2; 32])
}

fn app(i: usize) -> SecretKey {
    let mut seed = [9; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    SecretKey::from_seed(seed)
}

fn genesis() -> SignedMessage {
    Operation::genesis(&[root().public_key(), second_root().public_key()], 1_000)
        .unwrap()
        .accepted_by(&second_root())
        .unwrap()
        .sign(&root())
        .unwrap()
}

/// Signs `op` as the next message of `key` after `previous` (its last message, if any).
fn sign_next(op: &Operation, key: &SecretKey, previous: Option<&SignedMessage>) -> SignedMessage {
    let draft = op.draft().unwrap();
    match previous {
        Some(p) => draft.after(p),
        None => draft,
    }
    .sign(key)
    .unwrap()
}

/// A genesis and `n` delegations, each following the one before: every operation valid, every
/// state holding all the grants before it.
pub fn delegation_chain(n: usize) -> Vec<SignedMessage> {
    let (root, g) = (root(), genesis());
    let account = Accounts::account_id(&g);
    let mut ops = vec![g];
    for i in 0..n {
        let last = ops.last().unwrap();
        let op = Operation::delegate(
            account,
            last.id(),
            app(i).public_key(),
            &[],
            u64::from(u32::MAX),
            None,
            2_000 + i as u64,
        )
        .unwrap()
        .accepted_by(&app(i))
        .unwrap();
        let signed = sign_next(&op, &root, Some(last));
        ops.push(signed);
    }
    ops
}

/// The delegation chain, last operation first: every operation waits, then the genesis releases
/// them all.
pub fn delegation_chain_reversed(n: usize) -> Vec<SignedMessage> {
    let mut ops = delegation_chain(n);
    ops.reverse();
    ops
}

/// A genesis and `n` operations that all follow it (encryption keys, versions 1 to `n`), signed by
/// the two roots in turn: every one valid, the chain contested or decided by the first root.
pub fn siblings(n: usize) -> Vec<SignedMessage> {
    let g = genesis();
    let account = Accounts::account_id(&g);
    let keys = [root(), second_root()];
    let mut last: [Option<SignedMessage>; 2] = [Some(g.clone()), None];
    let mut ops = vec![g.clone()];
    for i in 0..n {
        let k = (i + 1) % 2;
        let op =
            Operation::enckey(account, g.id(), [7; 32], i as u64 + 1, 2_000 + i as u64).unwrap();
        let signed = sign_next(&op, &keys[k], last[k].as_ref());
        last[k] = Some(signed.clone());
        ops.push(signed);
    }
    ops
}

/// Two branches from the genesis, one per root, grown in turn to `n / 2` operations each: the
/// first root's branch wins (ACCT-5), and every operation of the second lands off the chain.
pub fn two_root_forks(n: usize) -> Vec<SignedMessage> {
    let g = genesis();
    let account = Accounts::account_id(&g);
    let keys = [root(), second_root()];
    let mut signer_last: [Option<SignedMessage>; 2] = [Some(g.clone()), None];
    let mut tip = [g.clone(), g.clone()];
    let mut ops = vec![g];
    for i in 0..n {
        let k = i % 2;
        let version = i as u64 + 1;
        let op =
            Operation::enckey(account, tip[k].id(), [7; 32], version, 2_000 + i as u64).unwrap();
        let signed = sign_next(&op, &keys[k], signer_last[k].as_ref());
        signer_last[k] = Some(signed.clone());
        tip[k] = signed.clone();
        ops.push(signed);
    }
    ops
}

/// `n` operations that all wait for one operation nobody has (anyone can send these, with any key).
pub fn waiting_flood(n: usize) -> Vec<SignedMessage> {
    let key = SecretKey::from_seed([5; 32]);
    let account = AccountId::from_bytes([6; 32]);
    let missing = MessageId::from_bytes([7; 32]);
    let mut ops: Vec<SignedMessage> = Vec::with_capacity(n);
    for i in 0..n {
        let op = Operation::enckey(account, missing, [7; 32], i as u64 + 1, 2_000).unwrap();
        let signed = sign_next(&op, &key, ops.last());
        ops.push(signed);
    }
    ops
}

/// A genesis, then `n` operations that follow it and are invalid (signed by keys that are no root,
/// `acct.not_a_root`): anyone can send these, and the state records each one's status.
pub fn invalid_flood(n: usize) -> Vec<SignedMessage> {
    let g = genesis();
    let account = Accounts::account_id(&g);
    let mut ops = vec![g.clone()];
    for i in 0..n {
        let op = Operation::enckey(account, g.id(), [7; 32], i as u64 + 1, 2_000).unwrap();
        ops.push(sign_next(&op, &app(i), None));
    }
    ops
}

/// Applies every operation and asks for the account view once.
pub fn apply_all(ops: &[SignedMessage]) -> Accounts {
    let mut accounts = Accounts::new();
    for op in ops {
        let _ = accounts.apply(op);
    }
    if let Some(g) = ops.iter().find(|m| m.header().kind().as_str() == "genesis") {
        let view = accounts.account(&Accounts::account_id(g)).unwrap();
        std::hint::black_box(view.head());
    }
    accounts
}

/// A revoked key's history: an account whose app key signed `n` chained posts, revoked with the
/// last post as its cutoff. Returns the state, the posts, and their headers by id.
pub fn revoked_history(n: usize) -> (Accounts, Vec<SignedMessage>, BTreeMap<MessageId, Header>) {
    let (root, g) = (root(), genesis());
    let account = Accounts::account_id(&g);
    let app = app(0);
    let delegate =
        Operation::delegate(account, g.id(), app.public_key(), &[], 1 << 40, None, 1_500)
            .unwrap()
            .accepted_by(&app)
            .unwrap();
    let d = sign_next(&delegate, &root, Some(&g));
    let mut posts: Vec<SignedMessage> = Vec::with_capacity(n);
    for i in 0..n {
        let post = note(account, 2_000 + i as u64, &app, posts.last());
        posts.push(post);
    }
    let last = posts.last().unwrap();
    let cutoff = Revocation::After {
        seq: last.header().seq(),
        id: last.id(),
    };
    let revoke =
        Operation::revoke(account, d.id(), app.public_key(), Some(cutoff), 1 << 30).unwrap();
    let r = sign_next(&revoke, &root, Some(&d));
    let mut accounts = Accounts::new();
    for op in [&g, &d, &r] {
        accounts.apply(op).unwrap();
    }
    let headers = posts.iter().map(|m| (m.id(), m.header().clone())).collect();
    (accounts, posts, headers)
}

/// Authorizes every post of a revoked history, oldest first (the longest walks first); returns how
/// many headers were looked up.
pub fn reauthorize(
    accounts: &Accounts,
    posts: &[SignedMessage],
    headers: &BTreeMap<MessageId, Header>,
) -> usize {
    let lookups = std::cell::Cell::new(0usize);
    for post in posts {
        let outcome = accounts.authorize(post.header(), |id| {
            lookups.set(lookups.get() + 1);
            headers.get(id).cloned()
        });
        assert_eq!(outcome, skylark::message::Authorization::Authorized);
    }
    lookups.get()
}

/// A note message (an extension kind with an empty body) by `key`.
fn note(
    account: AccountId,
    time: u64,
    key: &SecretKey,
    after: Option<&SignedMessage>,
) -> SignedMessage {
    let draft = Draft::new(
        account,
        Kind::new("com.example.note").unwrap(),
        time,
        &skylark::cbor::Map::new(),
    )
    .unwrap();
    match after {
        Some(p) => draft.after(p),
        None => draft,
    }
    .sign(key)
    .unwrap()
}

/// `n` valid posts by one key, each following the one before.
pub fn posts(n: usize) -> Vec<ValidMessage> {
    let key = SecretKey::from_seed([3; 32]);
    let account = AccountId::from_bytes([4; 32]);
    let mut signed: Vec<SignedMessage> = Vec::with_capacity(n);
    for i in 0..n {
        let draft = Post::builder()
            .text("hi")
            .build()
            .unwrap()
            .draft(account, 1_000 + i as u64)
            .unwrap();
        let m = match signed.last() {
            Some(p) => draft.after(p),
            None => draft,
        }
        .sign(&key)
        .unwrap();
        signed.push(m);
    }
    let mut valid = Vec::with_capacity(n);
    let mut previous: Option<SignedMessage> = None;
    for m in signed {
        let mut context = MemoryContext::new(1 << 40, skylark::message::Authorization::Authorized);
        if let Some(p) = &previous {
            context = context.with(p);
        }
        previous = Some(m.clone());
        match validate(m, &context) {
            Verdict::Valid(v) => valid.push(v),
            other => panic!("{other:?}"),
        }
    }
    valid
}

/// An account `[R0, R1]` whose top root retired itself (`[R0', R1]`, signed by `R0`), and an
/// everyday branch below it; then the leaked retired `R0` signs `n` children of the genesis. By
/// 06 §8.1 they count for nothing at the genesis (the honest branch holds `R0`'s self-retirement
/// and an `R1` signature), so the view never changes — but each one lands off the chain.
pub fn leaked_retired_root_floods_the_genesis(n: usize) -> Vec<SignedMessage> {
    let (r0, r1, r0new) = (root(), second_root(), SecretKey::from_seed([3; 32]));
    let g = genesis();
    let account = Accounts::account_id(&g);
    let retire = Operation::roots(account, g.id(), &[r0new.public_key(), r1.public_key()], 2)
        .unwrap()
        .accepted_by(&r0new)
        .unwrap()
        .draft()
        .unwrap()
        .after(&g)
        .sign(&r0)
        .unwrap();
    let everyday = Operation::enckey(account, retire.id(), [1; 32], 1, 3)
        .unwrap()
        .sign(&r1)
        .unwrap();
    let mut ops = vec![g.clone(), retire.clone(), everyday];
    let mut last = retire;
    for i in 0..n {
        let op = Operation::enckey(account, g.id(), [2; 32], i as u64 + 1, 10)
            .unwrap()
            .draft()
            .unwrap()
            .after(&last)
            .sign(&r0)
            .unwrap();
        last = op.clone();
        ops.push(op);
    }
    ops
}

/// The shapes asked for a view after every operation (audit findings F6 and W4), by name.
pub fn view_per_op_shapes() -> [OperationShape; 2] {
    [
        (
            "view_per_op_retired_root_flood",
            leaked_retired_root_floods_the_genesis,
        ),
        (
            "view_per_op_receipts_off_head",
            receipts_over_old_operations,
        ),
    ]
}

/// Applies each operation and asks for the view before and after it, like `Replica::ingest`.
pub fn ingest_like_a_replica(ops: &[SignedMessage]) -> Accounts {
    ingest_from(Accounts::new(), Accounts::account_id(&ops[0]), ops)
}

/// Applies each message to `accounts`, asking for the view of `account` before and after it, like
/// [`ingest_like_a_replica`].
pub fn ingest_from(mut accounts: Accounts, account: AccountId, ops: &[SignedMessage]) -> Accounts {
    for op in ops {
        let before = accounts.account(&account).map(|v| v.head());
        let _ = accounts.apply(op);
        let after = accounts.account(&account).map(|v| v.head());
        std::hint::black_box((before, after));
    }
    accounts
}

/// An account `[R0, R1]` with one app key that wrote `n` notes, then `n` operations of `R1`, each
/// at the head (encryption keys, versions 1..=n): every one changes the head but no key's role or
/// grant, so by 06 §9.4 no note is re-validated (before audit finding F7, all `n` were, each
/// time).
pub fn notes_then_head_operations(n: usize) -> Vec<SignedMessage> {
    let (r1, app) = (second_root(), SecretKey::from_seed([3; 32]));
    let g = genesis();
    let account = Accounts::account_id(&g);
    let d = Operation::delegate(account, g.id(), app.public_key(), &[], 1 << 40, None, 1_500)
        .unwrap()
        .accepted_by(&app)
        .unwrap()
        .sign(&r1)
        .unwrap();
    let mut out = vec![g, d.clone()];
    let mut last: Option<SignedMessage> = None;
    for i in 0..n {
        let draft = Draft::new(
            account,
            Kind::new("com.example.note").unwrap(),
            2_000 + i as u64,
            &skylark::cbor::Map::new(),
        )
        .unwrap();
        let note = match &last {
            Some(p) => draft.after(p),
            None => draft,
        }
        .sign(&app)
        .unwrap();
        last = Some(note.clone());
        out.push(note);
    }
    let mut head = d;
    for i in 0..n {
        let op = Operation::enckey(account, head.id(), [7; 32], i as u64 + 1, 3_000 + i as u64)
            .unwrap()
            .draft()
            .unwrap()
            .after(&head)
            .sign(&r1)
            .unwrap();
        head = op.clone();
        out.push(op);
    }
    out
}

/// Finding W4: a witnessed account (witnesses 0, 1, 2, threshold 2) whose root signs a chain of
/// `n` operations, and whose lower root signs a branch of `n / 4` below the genesis (off the
/// chain); then witness 0 receipts every chain operation oldest first, witness 1 newest first,
/// witness 2 the branch's operations from both ends inwards, and last the chain's first operation
/// (which makes it duplicitous). No receipt is over the head but one, and the view is asked for
/// before and after each message.
pub fn receipts_over_old_operations(n: usize) -> Vec<SignedMessage> {
    let g = witnessed_genesis();
    let account = Accounts::account_id(&g);
    let branch = |key: &SecretKey, first: Option<&SignedMessage>, count: usize, fill: u8| {
        let mut out: Vec<SignedMessage> = Vec::new();
        for i in 0..count {
            let parent = out.last().map_or(g.id(), SignedMessage::id);
            let op = Operation::enckey(account, parent, [fill; 32], i as u64 + 1, 2_000 + i as u64)
                .unwrap();
            let signed = sign_next(&op, key, out.last().or(first));
            out.push(signed);
        }
        out
    };
    let chain = branch(&root(), Some(&g), n, 3);
    let off = branch(&second_root(), None, n / 4, 4);
    let mut ops = vec![g.clone()];
    ops.extend(chain.iter().cloned());
    ops.extend(off.iter().cloned());
    let inwards = (0..off.len()).map(|i| match i % 2 {
        0 => &off[off.len() - 1 - i / 2],
        _ => &off[i / 2],
    });
    let orders: [(u8, Vec<&SignedMessage>); 3] = [
        (0, chain.iter().collect()),
        (1, chain.iter().rev().collect()),
        (2, inwards.chain([&chain[0]]).collect()),
    ];
    for (w, over) in orders {
        let mut last = None;
        for (i, op) in over.into_iter().enumerate() {
            let receipt = Operation::receipt(account, op.id(), 5_000 + i as u64);
            let signed = sign_next(&receipt, &witness(w), last.as_ref());
            last = Some(signed.clone());
            ops.push(signed);
        }
    }
    ops
}

/// Audit-wm WM4/WM5, the bound of the fix: a witnessed account (witnesses 0, 1, 2, threshold 2)
/// whose everyday root `R1` signs a chain of `m = n / 4` operations from the genesis and a leaf
/// beside each (a tie of `R1`'s leaves, continued, at every chain operation: `m` tied forks); then
/// the flood, `2m` operations of `R1` extending the head, each followed by a receipt of witness 0
/// over the next of the first `2m` chain operations, oldest first (one witness of two: nothing
/// turns final). Returns the operations and the length of the setup before the flood. Neither an
/// operation of the tie's key nor a receipt that finalizes nothing can change a tie, so the cached
/// chain must keep every message of the flood.
pub fn tie_key_floods_below_continued_ties(n: usize) -> (Vec<SignedMessage>, usize) {
    let (r1, g) = (second_root(), witnessed_genesis());
    let account = Accounts::account_id(&g);
    let m = (n / 4).max(1);
    let mut ops = vec![g.clone()];
    let mut last: Option<SignedMessage> = None;
    let mut chain = vec![g.clone()];
    for i in 0..m {
        let op = Operation::enckey(account, chain[i].id(), [5; 32], i as u64 + 1, 2_000).unwrap();
        let signed = sign_next(&op, &r1, last.as_ref());
        last = Some(signed.clone());
        chain.push(signed.clone());
        ops.push(signed);
    }
    for (i, parent) in chain[..m].iter().enumerate() {
        let op = Operation::enckey(account, parent.id(), [6; 32], i as u64 + 1, 2_001).unwrap();
        let signed = sign_next(&op, &r1, last.as_ref());
        last = Some(signed.clone());
        ops.push(signed);
    }
    let setup = ops.len();
    let mut receipt_last: Option<SignedMessage> = None;
    for i in 0..2 * m {
        let head = chain.last().unwrap().id();
        let op = Operation::enckey(account, head, [7; 32], (m + i) as u64 + 1, 3_000).unwrap();
        let signed = sign_next(&op, &r1, last.as_ref());
        last = Some(signed.clone());
        chain.push(signed.clone());
        ops.push(signed);
        let receipt = Operation::receipt(account, chain[i + 1].id(), 5_000 + i as u64);
        let signed = sign_next(&receipt, &witness(0), receipt_last.as_ref());
        receipt_last = Some(signed.clone());
        ops.push(signed);
    }
    (ops, setup)
}
