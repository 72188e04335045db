//! A walk-through of Skylark end to end: two people, two apps each holding a delegated key for
//! both of them, posts, replies, quotes, reactions, follows, edits and deletes validated the same
//! way by every node, a label from a moderation account, a stolen app key whose later messages stop
//! counting, an account recovered from a stolen root, a spammer's flood that every node prunes the
//! same way and a reply that carries a proof of work, a private report sealed to the moderation
//! service's declared key, and the two apps reaching the same state.
//! Each app's node is a [`Replica`]: it verifies, applies key operations, validates, merges and
//! keeps every verdict current as messages arrive, in any order; the app reads typed views from it.
//!
//! Run it with `cargo run --example walkthrough`. Keys come from fixed seeds and times are fixed, so
//! the output is the same on every machine. (An app uses `SecretKey::generate` with a real RNG.)

use skylark::account::{next_commitment, Accounts, Operation, WitnessSet};
use skylark::cbor::Value;
use skylark::dm::{
    admit_item, open_report, seal_report_deterministic, Accept, Declaration, DeviceKeys,
    EncryptionSecret, Gate, PqSecret, ReportInner, ServiceKey, Stamp,
};
use skylark::envelope::{Draft, Kind, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::{
    BodyKind, Delete, Edit, Follow, Label, Post, React, Reason, Reference, Reply, Report,
};
use skylark::replica::{Replica, Signer, Status};

const T0: u64 = 1_764_115_200_000; // 2025-11-26T00:00:00Z
const MINUTE: u64 = 60_000;

type Error = Box<dyn std::error::Error>;

/// Receives message bytes from the network into an app's replica, which verifies them, applies key
/// operations, validates and merges, and keeps every verdict current as more arrives; prints the
/// message's status. `log` keeps the bytes, to send them on to the other app.
fn receive(
    node: &mut Replica,
    log: &mut Vec<Vec<u8>>,
    who: &str,
    bytes: &[u8],
) -> Result<SignedMessage, Error> {
    let message = SignedMessage::from_bytes(bytes)?;
    log.push(bytes.to_vec());
    let verdict = match node.insert(message.clone()) {
        Status::Valid => "valid".to_string(),
        Status::Invalid(e) => format!("INVALID {} ({})", e.code(), e.rule()),
        Status::Undecided(missing) => format!("undecided, missing {missing:?}"),
        other => format!("{other:?}"),
    };
    let kind = message.header().kind().as_str();
    println!(
        "  {who:<30} {kind:<8} {} #{:<2} {:<48} -> {verdict}",
        short(&message.id()),
        message.header().seq(),
        compact(&message),
    );
    Ok(message)
}

/// The body in CBOR diagnostic notation, byte strings cut to their first 4 bytes, the whole cut to
/// fit a line.
fn compact(message: &SignedMessage) -> String {
    fn diag(v: &Value, out: &mut String) {
        match v {
            Value::Bytes(b) if b.len() > 4 => {
                out.push_str("h'");
                b[..4]
                    .iter()
                    .for_each(|x| out.push_str(&format!("{x:02x}")));
                out.push_str("…'");
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i > 0 { ", " } else { "" });
                    diag(item, out);
                }
                out.push(']');
            }
            Value::Map(map) => {
                out.push('{');
                for (i, (k, item)) in map.iter().enumerate() {
                    out.push_str(if i > 0 { ", " } else { "" });
                    out.push_str(&format!("{}: ", Value::from(k)));
                    diag(item, out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let Some(body) = message.body_map() else {
        return "(body withheld)".to_string();
    };
    let mut text = String::new();
    diag(&Value::Map(body), &mut text);
    match text.char_indices().nth(47) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn short(id: &MessageId) -> String {
    let text = id.to_string();
    format!("{}…", &text[..14])
}

/// One person: an account with a recovery root (kept offline) and an everyday root, each a
/// [`Signer`] that places its next message after its last.
struct Person {
    recovery: Signer,
    everyday: Signer,
    account: AccountId,
    genesis: SignedMessage,
    /// The last operation of the account.
    head: MessageId,
}

impl Person {
    fn new(seed: u8, time: u64) -> Result<Self, Error> {
        // A root key signs only operations, which name their own account.
        let anyone = AccountId::from_bytes([0; 32]);
        let mut recovery = Signer::new(SecretKey::from_seed([seed; 32]), anyone);
        let everyday_key = SecretKey::from_seed([seed + 1; 32]);
        // The everyday root accepts its role (proof of possession, spec 06 ACCT-10).
        let genesis = recovery.sign_operation(
            &Operation::genesis(&[recovery.public_key(), everyday_key.public_key()], time)?
                .accepted_by(&everyday_key)?,
        )?;
        let everyday = Signer::new(everyday_key, anyone);
        Ok(Person {
            account: Accounts::account_id(&genesis),
            head: genesis.id(),
            recovery,
            everyday,
            genesis,
        })
    }

    /// Delegates `app` (every kind, for a year) from `time`, signed with the everyday root.
    fn delegate(
        &mut self,
        app: &SecretKey,
        label: Option<&str>,
        time: u64,
    ) -> Result<SignedMessage, Error> {
        let mut grant = Operation::delegation(self.account, app.public_key())
            .parent(self.head)
            .expires(time + 365 * 24 * 60 * MINUTE);
        if let Some(label) = label {
            grant = grant.label(label);
        }
        self.operate(grant.build(time)?.accepted_by(app)?)
    }

    /// Signs an operation with the everyday root; it becomes the account's head.
    fn operate(&mut self, op: Operation) -> Result<SignedMessage, Error> {
        let signed = self.everyday.sign_operation(&op)?;
        self.head = signed.id();
        Ok(signed)
    }
}

fn main() -> Result<(), Error> {
    // Skylark Web's node: a replica at the node's clock; every message below is from the hour before.
    let mut node = Replica::new(T0 + 60 * MINUTE);
    let mut log = Vec::new();

    println!("1. Two people create accounts. An account id is the hash of its genesis: nobody can claim it.");
    let mut alice = Person::new(1, T0)?;
    let mut bob = Person::new(11, T0)?;
    println!("  alice = {}", alice.account);
    println!("  bob   = {}", bob.account);
    receive(
        &mut node,
        &mut log,
        "alice genesis",
        alice.genesis.as_bytes(),
    )?;
    receive(&mut node, &mut log, "bob genesis", bob.genesis.as_bytes())?;

    println!("\n2. Two apps, Skylark Web and Skylark Mobile, each get a key for each person; apps never hold root keys.");
    let mut delegate =
        |person: &mut Person, who: &str, app: &str, seed: u8| -> Result<Signer, Error> {
            let key = SecretKey::from_seed([seed; 32]);
            let op = person.delegate(&key, Some(app), T0 + MINUTE)?;
            let short_name = app.trim_start_matches("Skylark ");
            receive(
                &mut node,
                &mut log,
                &format!("{who} delegates to {short_name}"),
                op.as_bytes(),
            )?;
            Ok(Signer::new(key, person.account))
        };
    let mut alice_web = delegate(&mut alice, "alice", "Skylark Web", 50)?;
    let mut alice_mobile = delegate(&mut alice, "alice", "Skylark Mobile", 51)?;
    let mut bob_web = delegate(&mut bob, "bob", "Skylark Web", 60)?;
    let mut bob_mobile = delegate(&mut bob, "bob", "Skylark Mobile", 61)?;

    println!("\n3. Conversation across two apps: every node checks the same bytes the same way.");
    let post = alice_web.sign(
        &Post::builder()
            .text("Hello from the web app!")
            .lang("en")
            .build()?,
        T0 + 2 * MINUTE,
    )?;
    receive(&mut node, &mut log, "alice posts (web)", post.as_bytes())?;
    let reply = bob_mobile.sign(
        &Post::builder()
            .text("Hi Alice, from my phone.")
            .reply(Reply::new(post.id(), post.id()))
            .build()?,
        T0 + 3 * MINUTE,
    )?;
    receive(
        &mut node,
        &mut log,
        "bob replies (mobile)",
        reply.as_bytes(),
    )?;
    let quote = bob_mobile.sign(
        &Post::builder()
            .text("Worth reading:")
            .quote(post.id())
            .build()?,
        T0 + 4 * MINUTE,
    )?;
    receive(&mut node, &mut log, "bob quotes (mobile)", quote.as_bytes())?;
    receive(
        &mut node,
        &mut log,
        "alice likes the reply (mobile)",
        alice_mobile
            .sign(&React::like(reply.id()), T0 + 5 * MINUTE)?
            .as_bytes(),
    )?;
    receive(
        &mut node,
        &mut log,
        "bob follows alice (web)",
        bob_web
            .sign(&Follow::new(alice.account), T0 + 6 * MINUTE)?
            .as_bytes(),
    )?;
    let edit = Edit::builder(post.id(), post.id())
        .text("Hello from the web app! (edited)")
        .build()?;
    receive(
        &mut node,
        &mut log,
        "alice edits her post (web)",
        alice_web.sign(&edit, T0 + 7 * MINUTE)?.as_bytes(),
    )?;
    let delete = bob_mobile.sign(&Delete::new(quote.id()), T0 + 8 * MINUTE)?;
    receive(
        &mut node,
        &mut log,
        "bob deletes his quote",
        delete.as_bytes(),
    )?;
    let not_hers = alice_web.sign(&Delete::new(reply.id()), T0 + 8 * MINUTE)?;
    receive(
        &mut node,
        &mut log,
        "alice deletes bob's reply",
        not_hers.as_bytes(),
    )?;
    println!("  (a delete must name the author's own message: msg.not_own_target)");

    println!(
        "\n4. A deleted message leaves a signed remainder: same id, no content, still verifies."
    );
    let remainder = quote.stripped();
    println!(
        "  full {} bytes, remainder {} bytes, same id: {}",
        quote.as_bytes().len(),
        remainder.as_bytes().len(),
        remainder.id() == quote.id()
    );
    receive(
        &mut node,
        &mut log,
        "bob's quote, stripped",
        remainder.as_bytes(),
    )?;

    println!("\n5. Alice's web key is stolen. The thief posts; Alice revokes the key after her last honest message.");
    let last_honest = not_hers.clone();
    let stolen = alice_web.sign(
        &Post::builder().text("Send me your coins!").build()?,
        T0 + 9 * MINUTE,
    )?;
    receive(
        &mut node,
        &mut log,
        "thief posts with web key",
        stolen.as_bytes(),
    )?;
    let revoke = alice.operate(
        Operation::revocation(alice.account, alice_web.public_key())
            .parent(alice.head)
            .keep_up_to(&last_honest)
            .build(T0 + 10 * MINUTE)?,
    )?;
    receive(
        &mut node,
        &mut log,
        "alice revokes web key",
        revoke.as_bytes(),
    )?;
    receive(
        &mut node,
        &mut log,
        "thief's post, again",
        stolen.as_bytes(),
    )?;
    receive(&mut node, &mut log, "alice's post, again", post.as_bytes())?;

    println!("\n6. Bob's everyday root is stolen. The thief delegates his own app; Bob's recovery root rotates the stolen root out.");
    let before_theft = bob.head;
    let thief_app = SecretKey::from_seed([99; 32]);
    let theft = bob.delegate(&thief_app, None, T0 + 11 * MINUTE)?;
    receive(
        &mut node,
        &mut log,
        "thief delegates his app",
        theft.as_bytes(),
    )?;
    let mut thief = Signer::new(thief_app, bob.account);
    let spam = thief.sign(
        &Post::builder().text("Bob endorses this scam").build()?,
        T0 + 12 * MINUTE,
    )?;
    receive(&mut node, &mut log, "thief posts as bob", spam.as_bytes())?;
    let new_everyday = SecretKey::from_seed([12 + 100; 32]);
    // The recovery root's next message after the genesis it signed; the operation follows the
    // account's head before the theft.
    let recover = bob.recovery.sign_operation(
        &Operation::rotation(
            bob.account,
            &[bob.recovery.public_key(), new_everyday.public_key()],
        )
        .parent(before_theft)
        .build(T0 + 13 * MINUTE)?
        .accepted_by(&new_everyday)?,
    )?;
    receive(
        &mut node,
        &mut log,
        "bob's recovery root",
        recover.as_bytes(),
    )?;
    receive(&mut node, &mut log, "thief's post, again", spam.as_bytes())?;
    receive(&mut node, &mut log, "bob's reply, again", reply.as_bytes())?;

    println!("\n6b. Later Bob retires his old recovery root, signing its retirement with that key itself. Years on, an old backup of it leaks.");
    let new_recovery = SecretKey::from_seed([13 + 100; 32]);
    let retire = bob.recovery.sign_operation(
        &Operation::rotation(
            bob.account,
            &[new_recovery.public_key(), new_everyday.public_key()],
        )
        .parent(recover.id())
        .build(T0 + 14 * MINUTE)?
        .accepted_by(&new_recovery)?,
    )?;
    receive(
        &mut node,
        &mut log,
        "bob retires the old recovery root",
        retire.as_bytes(),
    )?;
    let head_before = node
        .accounts()
        .account(&bob.account)
        .ok_or("bob unknown")?
        .head();
    // The thief forks at the genesis, where the old key was the top root, continuing the key's own
    // history so that every check of the message passes.
    let thief_root = SecretKey::from_seed([98; 32]);
    // The thief holds a copy of the old recovery key (Bob's seed 11) and continues its public
    // history after the retirement.
    let mut leaked = Signer::resume(SecretKey::from_seed([11; 32]), bob.account, &retire)?;
    let rollback = leaked.sign_operation(
        &Operation::rotation(bob.account, &[thief_root.public_key()])
            .parent(bob.genesis.id())
            .build(T0 + 15 * MINUTE)?
            .accepted_by(&thief_root)?,
    )?;
    receive(
        &mut node,
        &mut log,
        "thief of the retired root forks at the genesis",
        rollback.as_bytes(),
    )?;
    let head_after = node
        .accounts()
        .account(&bob.account)
        .ok_or("bob unknown")?
        .head();
    println!(
        "  head unchanged: {} — beside its own retirement the leaked key counts for nothing (spec 06 §8.1)",
        head_before == head_after
    );
    if head_before != head_after {
        return Err("a leaked retired root rolled the account back".into());
    }

    println!("\n6c. Carol names three witnesses (two must agree). Two receipt her history; then her top root is stolen.");
    let witnesses: Vec<SecretKey> = (0..3).map(|i| SecretKey::from_seed([80 + i; 32])).collect();
    let set = WitnessSet::new(
        &witnesses
            .iter()
            .map(SecretKey::public_key)
            .collect::<Vec<_>>(),
        2,
    )?;
    let carol_recovery = SecretKey::from_seed([31; 32]);
    let carol_everyday = SecretKey::from_seed([32; 32]);
    let carol_genesis = Operation::genesis(
        &[carol_recovery.public_key(), carol_everyday.public_key()],
        T0 + 13 * MINUTE,
    )?
    .accepted_by(&carol_everyday)?
    .with_witnesses(&set)?;
    let carol_genesis = witnesses
        .iter()
        .try_fold(carol_genesis, |op, w| op.accepted_by(w))?
        .sign(&carol_recovery)?;
    let carol = Accounts::account_id(&carol_genesis);
    receive(
        &mut node,
        &mut log,
        "carol genesis, witnessed",
        carol_genesis.as_bytes(),
    )?;
    let carol_app = SecretKey::from_seed([33; 32]);
    let carol_delegation = Operation::delegate(
        carol,
        carol_genesis.id(),
        carol_app.public_key(),
        &[],
        T0 + 365 * 24 * 60 * MINUTE,
        Some("Skylark Web"),
        T0 + 14 * MINUTE,
    )?
    .accepted_by(&carol_app)?
    .sign(&carol_everyday)?;
    receive(
        &mut node,
        &mut log,
        "carol delegates web",
        carol_delegation.as_bytes(),
    )?;
    for (i, w) in witnesses.iter().take(2).enumerate() {
        let receipt = Operation::receipt(carol, carol_delegation.id(), T0 + 15 * MINUTE).sign(w)?;
        receive(
            &mut node,
            &mut log,
            &format!("witness {} receipts it", i + 1),
            receipt.as_bytes(),
        )?;
    }
    // Without witnesses, the top root outranks everything below the genesis.
    let takeover = Operation::roots(
        carol,
        carol_genesis.id(),
        &[thief_root.public_key()],
        T0 + 16 * MINUTE,
    )?
    .accepted_by(&thief_root)?
    .draft()?
    .after(&carol_genesis)
    .sign(&carol_recovery)?;
    receive(
        &mut node,
        &mut log,
        "thief of carol's top root forks",
        takeover.as_bytes(),
    )?;
    let view = node.accounts().account(&carol).ok_or("carol unknown")?;
    println!(
        "  head is still the delegation: {} — it is final, and a final child wins whatever signs beside it (spec 06 §8.6)",
        view.head() == carol_delegation.id() && view.last_final() == Some(carol_delegation.id())
    );
    if view.head() != carol_delegation.id() {
        return Err("a stolen top root replaced final history".into());
    }

    println!("\n6d. Carol ends the account: a deactivation at the head, which counts once her witnesses make it final. What she wrote stays; anything dated from then on is refused.");
    let end = Operation::deactivate(carol, carol_delegation.id(), T0 + 17 * MINUTE)
        .draft()?
        .after(&carol_delegation)
        .sign(&carol_everyday)?;
    receive(&mut node, &mut log, "carol deactivates", end.as_bytes())?;
    let view = node.accounts().account(&carol).ok_or("carol unknown")?;
    println!(
        "  the head, not yet final: not deactivated yet: {} (spec 06 §5.6, §8.6)",
        view.head() == end.id() && view.deactivated().is_none()
    );
    for (i, w) in witnesses.iter().take(2).enumerate() {
        let receipt = Operation::receipt(carol, end.id(), T0 + 18 * MINUTE).sign(w)?;
        receive(
            &mut node,
            &mut log,
            &format!("witness {} receipts the deactivation", i + 1),
            receipt.as_bytes(),
        )?;
    }
    let mut carol_web = Signer::new(carol_app, carol);
    for (text, minute) in [("before the end", 16), ("after the end", 18)] {
        let post = carol_web.sign(&Post::builder().text(text).build()?, T0 + minute * MINUTE)?;
        receive(
            &mut node,
            &mut log,
            &format!("carol's web app, +{minute} min"),
            post.as_bytes(),
        )?;
    }
    let view = node.accounts().account(&carol).ok_or("carol unknown")?;
    println!(
        "  deactivated from +17 min: {} (spec 06 §5.6)",
        view.deactivated() == Some(T0 + 17 * MINUTE)
    );
    if view.deactivated() != Some(T0 + 17 * MINUTE) {
        return Err("the deactivation did not take effect".into());
    }

    println!("\n6e. Dave's genesis commits to his next roots, kept offline (spec 06 §5.8). One old backup holds both his roots: he rotates to the next keys, and the backup can neither rotate nor roll him back.");
    let dave_roots = [
        SecretKey::from_seed([41; 32]),
        SecretKey::from_seed([42; 32]),
    ];
    let dave_next = [
        SecretKey::from_seed([43; 32]),
        SecretKey::from_seed([44; 32]),
    ];
    let next_list: Vec<_> = dave_next.iter().map(SecretKey::public_key).collect();
    let dave_genesis = Operation::genesis(
        &[dave_roots[0].public_key(), dave_roots[1].public_key()],
        T0 + 19 * MINUTE,
    )?
    .with_next(next_commitment(&next_list)?)?
    .accepted_by(&dave_roots[1])?
    .sign(&dave_roots[0])?;
    let dave = Accounts::account_id(&dave_genesis);
    receive(
        &mut node,
        &mut log,
        "dave genesis, committed",
        dave_genesis.as_bytes(),
    )?;
    // The committed rotation: exactly the committed list, signed by its first new key.
    let dave_rotation = Operation::rotation(dave, &next_list)
        .parent(dave_genesis.id())
        .build(T0 + 20 * MINUTE)?
        .accepted_by(&dave_next[0])?
        .accepted_by(&dave_next[1])?
        .sign(&dave_next[0])?;
    receive(
        &mut node,
        &mut log,
        "dave rotates to the next keys",
        dave_rotation.as_bytes(),
    )?;
    // The backup: a rotation of its own at the genesis, and an operation beside Dave's rotation.
    let backup_rotation = Operation::rotation(dave, &[thief_root.public_key()])
        .parent(dave_genesis.id())
        .build(T0 + 21 * MINUTE)?
        .accepted_by(&thief_root)?
        .draft()?
        .after(&dave_genesis)
        .sign(&dave_roots[0])?;
    receive(
        &mut node,
        &mut log,
        "old backup rotates",
        backup_rotation.as_bytes(),
    )?;
    let backup_fork = Operation::enckey(dave, dave_genesis.id(), [9; 32], 1, T0 + 21 * MINUTE)?
        .sign(&dave_roots[1])?;
    receive(
        &mut node,
        &mut log,
        "old backup forks at the genesis",
        backup_fork.as_bytes(),
    )?;
    // Nor can the backup end the account: in a committed state a deactivation is an act of the
    // next keys, as a rotation is (spec 06 §5.8, ACCT-14), so the old roots' one is invalid.
    let backup_end = Operation::deactivate(dave, dave_genesis.id(), T0 + 21 * MINUTE)
        .draft()?
        .after(&backup_fork)
        .sign(&dave_roots[1])?;
    receive(
        &mut node,
        &mut log,
        "old backup deactivates",
        backup_end.as_bytes(),
    )?;
    let view = node.accounts().account(&dave).ok_or("dave unknown")?;
    println!(
        "  head is dave's rotation: {}; the backup's fork counts for nothing, the rotation speaks for both old roots (spec 06 §8.1), and its deactivation is refused (acct.next_signer)",
        view.head() == dave_rotation.id() && view.contested().is_empty() && view.deactivated().is_none()
    );
    if view.head() != dave_rotation.id() || view.deactivated().is_some() {
        return Err("an old backup rolled a committed account back or ended it".into());
    }

    println!("\n7. A moderation service, an account like any other, labels the scam; readers choose which labelers to trust.");
    let mut moderation = Person::new(21, T0 + 13 * MINUTE)?;
    receive(
        &mut node,
        &mut log,
        "moderation genesis",
        moderation.genesis.as_bytes(),
    )?;
    let desk_key = SecretKey::from_seed([70; 32]);
    let op = moderation.delegate(&desk_key, Some("Moderation desk"), T0 + 13 * MINUTE)?;
    receive(
        &mut node,
        &mut log,
        "moderation delegates desk",
        op.as_bytes(),
    )?;
    let mut desk = Signer::new(desk_key, moderation.account);
    let label = Label::builder(Reference::Message(spam.id()), "spam").build()?;
    receive(
        &mut node,
        &mut log,
        "moderation labels the scam",
        desk.sign(&label, T0 + 14 * MINUTE)?.as_bytes(),
    )?;

    println!("\n7b. A spammer signs 40 posts at one place of its app key's history (seq 1): every node keeps the earliest two (LIMIT-1, spec 07 §2.5).");
    let mut spammer = Person::new(31, T0 + 15 * MINUTE)?;
    receive(
        &mut node,
        &mut log,
        "spammer genesis",
        spammer.genesis.as_bytes(),
    )?;
    let spam_key = SecretKey::from_seed([80; 32]);
    let op = spammer.delegate(&spam_key, None, T0 + 15 * MINUTE)?;
    receive(
        &mut node,
        &mut log,
        "spammer delegates an app",
        op.as_bytes(),
    )?;
    let mut flood = Vec::new();
    for i in 0..40 {
        let m = Post::builder()
            .text(format!("Buy now! #{i}"))
            .build()?
            .draft(spammer.account, T0 + 16 * MINUTE + i)?
            .sign(&spam_key)?;
        log.push(m.as_bytes().to_vec());
        node.insert(m.clone());
        flood.push(m);
    }
    let pruned = node.state().pruned().len();
    println!("  40 posts held at seq 1; pruned from the state on every node: {pruned}");
    if pruned != 38 {
        return Err("the flood at one seq was not pruned to two".into());
    }

    println!("\n7c. The spammer replies to alice, who does not follow it, with a proof of work (spec 05 §13): apps rank unsolicited replies by it, checked with one hash.");
    let reply_body = Post::builder()
        .text("Great post! Check my profile.")
        .reply(Reply::new(post.id(), post.id()))
        .build()?
        .to_map();
    let first = flood[0].clone();
    let make = |nonce: u64| {
        let body = skylark::pow::with_claim(&reply_body, 12, nonce);
        Ok::<_, skylark::envelope::EnvelopeError>(
            Draft::new(spammer.account, Kind::new("post")?, T0 + 17 * MINUTE, &body)?.after(&first),
        )
    };
    let draft =
        skylark::pow::solve(12, 1 << 22, &spam_key.public_key(), make)?.ok_or("no nonce found")?;
    let worked = receive(
        &mut node,
        &mut log,
        "spammer replies, 12 bits of work",
        draft.sign(&spam_key)?.as_bytes(),
    )?;
    println!(
        "  work {} bits (claimed 12); the message is valid whatever its work: ranking is the app's choice",
        skylark::pow::work(&worked)
    );

    println!("\n7d. Alice reports the scam privately (spec 08 §14): the service declares a report key, alice's app seals a report to it, a relay files it under the key's gate, and only the service opens it.");
    // Keys that may declare for the service and report for alice: each names its kind (a wildcard never does).
    let scoped = |person: &mut Person,
                  key: &SecretKey,
                  label: &str,
                  kind: &str,
                  time: u64|
     -> Result<SignedMessage, Error> {
        let grant = Operation::delegation(person.account, key.public_key())
            .parent(person.head)
            .expires(time + 365 * 24 * 60 * MINUTE)
            .label(label)
            .scope(&[Kind::new(kind)?]);
        person.operate(grant.build(time)?.accepted_by(key)?)
    };
    let declaring = SecretKey::from_seed([72; 32]);
    let op = scoped(
        &mut moderation,
        &declaring,
        "Report desk",
        "service",
        T0 + 20 * MINUTE,
    )?;
    receive(
        &mut node,
        &mut log,
        "moderation delegates its report desk",
        op.as_bytes(),
    )?;
    let reporting = SecretKey::from_seed([52; 32]);
    let op = scoped(
        &mut alice,
        &reporting,
        "Reports",
        "report",
        T0 + 20 * MINUTE,
    )?;
    receive(
        &mut node,
        &mut log,
        "alice delegates a reporting key",
        op.as_bytes(),
    )?;
    let desk_keys = DeviceKeys::new(
        [7; 16],
        EncryptionSecret::from_bytes([73; 32]),
        PqSecret::from_seed([73; 64]),
        vec![],
    );
    let report_key = ServiceKey::new(
        desk_keys.signed().public_key(),
        desk_keys.pq().public_key(),
        T0 + 14 * 24 * 60 * MINUTE,
    )
    .with_relays(&["https://relay.example"])?
    .with_gate(Gate::new(Accept::Everyone, 8, &[])?);
    let declared = Declaration::draft(
        moderation.account,
        T0 + 21 * MINUTE,
        &[report_key],
        &[Reason::Spam, Reason::Harassment, Reason::Illegal],
        &[],
    )?
    .sign(&declaring)?;
    receive(
        &mut node,
        &mut log,
        "moderation declares its report key",
        declared.as_bytes(),
    )?;
    // Alice's app: DM-24 and DM-25, then the latest declaration and its first current key.
    let declaration = Declaration::from_message(&declared)?;
    declaration.authorize(node.accounts())?;
    let (_, key) = Declaration::choose([&declaration], T0 + 22 * MINUTE).ok_or("no current key")?;
    let report = Report::builder(
        Reference::Message(spam.id()),
        moderation.account,
        Reason::Spam,
    )
    .text("Bob's account was stolen; this is a scam.")
    .build()?;
    let inner = ReportInner::sign(&report, alice.account, T0 + 22 * MINUTE, &reporting)?;
    let sealed = seal_report_deterministic(&inner, key, &[74; 32], &[75; 32])?;
    let stamp = Stamp::work(sealed.as_bytes(), 8, 0).ok_or("no work found")?;
    let filed = admit_item(&sealed, &stamp, &[], &[key])
        .ok_or("no mailbox")?
        .is_ok();
    println!(
        "  sealed {} bytes to {}; the relay {} (8 bits of work); it sees a tag, never alice, bob or the reason",
        sealed.as_bytes().len(),
        key.relays()[0],
        if filed { "files it" } else { "refuses it" }
    );
    let opened = open_report(
        sealed.as_bytes(),
        &moderation.account,
        &[desk_keys],
        &declaration,
        node.accounts(),
        T0 + 23 * MINUTE,
        |_| false,
    )?;
    println!(
        "  the service opens it: reporter {}, reason {}, \"{}\"; it answers, if it agrees, with a public label naming only the post",
        if *opened.account() == alice.account { "alice" } else { "someone else" },
        opened.report().reason().as_str(),
        opened.report().text().unwrap_or("")
    );

    let view = node.accounts().account(&bob.account).ok_or("bob unknown")?;
    println!("\n8. Bob's account now: head {}, roots {}, apps {}; the thief's delegation is on a losing branch.",
        short(&view.head()), view.roots().len(), view.apps().count());

    println!("\n8b. What Skylark Web shows, straight from its replica's typed queries.");
    let thread = node.thread(&post.id()).ok_or("no thread")?;
    for entry in &thread.entries {
        println!(
            "  {}{:?} ({:?})",
            "  ".repeat(entry.depth),
            entry.post.text.as_deref().unwrap_or(""),
            entry.post.state,
        );
    }
    let likes: Vec<String> = node
        .reactions(&reply.id())
        .iter()
        .map(|(value, who)| {
            let value = if value.is_empty() { "like" } else { value };
            format!("{value} × {}", who.len())
        })
        .collect();
    println!("  reactions on bob's reply: {}", likes.join(", "));
    println!(
        "  bob follows alice: {}; alice's followers: {}",
        node.following(&bob.account).contains(&alice.account),
        node.followers(&alice.account).len()
    );
    let labels = node.labels(Reference::Message(spam.id()), &[moderation.account]);
    println!(
        "  labels on the scam from the moderation service: {:?}",
        labels.iter().map(|(_, l)| l).collect::<Vec<_>>()
    );
    println!(
        "  the thief's post as bob: {:?}",
        node.status(&spam.id()).map(|s| match s {
            Status::Invalid(e) => e.code(),
            _ => "not invalid",
        })
    );

    println!(
        "\n9. Skylark Mobile's node gets the same messages in another order, some twice: the same state."
    );
    let mut other = Replica::new(T0 + 60 * MINUTE);
    for bytes in log.iter().rev().chain(log.iter().take(5)) {
        other.ingest(bytes)?;
    }
    let (a, b) = (node.digest(), other.digest());
    let hex = |d: &[u8; 32]| d.iter().map(|x| format!("{x:02x}")).collect::<String>();
    println!("  Skylark Web    state digest {}", hex(&a));
    println!("  Skylark Mobile state digest {}", hex(&b));
    println!(
        "  {}",
        if a == b {
            "the same: both apps show the same state"
        } else {
            "DIFFERENT"
        }
    );
    if a != b {
        return Err("the two apps disagree".into());
    }
    Ok(())
}
