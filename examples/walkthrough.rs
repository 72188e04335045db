//! A walk-through of Skylark end to end: two people, two apps each holding a delegated key for
//! both of them, posts, replies, quotes, reactions, follows, edits and deletes validated the same
//! way by every node, a label from a moderation account, a stolen app key whose later messages stop
//! counting, an account recovered from a stolen root, and the two apps reaching the same state.
//!
//! Run it with `cargo run --example walkthrough`. Keys come from fixed seeds and times are fixed, so
//! the output is the same on every machine. (An app uses `SecretKey::generate` with a real RNG.)

use std::collections::BTreeMap;

use skylark::account::{Accounts, Operation, Revocation, WitnessSet};
use skylark::cbor::Value;
use skylark::envelope::{Draft, Header, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::merge::State;
use skylark::message::{
    validate, Authorization, BodyKind, Context, Delete, Edit, Follow, Label, Post, React,
    Reference, Reply, Verdict,
};

const T0: u64 = 1_764_115_200_000; // 2025-11-26T00:00:00Z
const MINUTE: u64 = 60_000;

type Error = Box<dyn std::error::Error>;

/// What one app's node holds: the key state of every account, and the header of every message seen. Any
/// node holding the same messages reaches the same verdicts, whatever order they came in.
struct Node {
    accounts: Accounts,
    headers: BTreeMap<MessageId, Header>,
    /// Every message held, by id (a whole message supersedes its stripped remainder).
    held: BTreeMap<MessageId, SignedMessage>,
    now: u64,
}

impl Context for Node {
    fn now(&self) -> u64 {
        self.now
    }
    fn authorize(&self, header: &Header) -> Authorization {
        self.accounts
            .authorize(header, |id| self.headers.get(id).cloned())
    }
    fn header(&self, id: &MessageId) -> Option<Header> {
        self.headers.get(id).cloned()
    }
    fn grants(&self, header: &Header, capability: &str) -> Authorization {
        self.accounts.grants(header, capability)
    }
}

impl Node {
    fn new() -> Self {
        Node {
            accounts: Accounts::new(),
            headers: BTreeMap::new(),
            held: BTreeMap::new(),
            // The node's clock: every message below is from the hour before.
            now: T0 + 60 * MINUTE,
        }
    }

    /// Receives message bytes from the network: verify, apply key operations, validate, report.
    /// Takes message bytes in: verify the signature, keep the message and its header, and apply
    /// it to the account state if it is a key operation.
    fn ingest(&mut self, bytes: &[u8]) -> Result<SignedMessage, Error> {
        let message = SignedMessage::from_bytes(bytes)?;
        self.headers.insert(message.id(), message.header().clone());
        if skylark::account::is_operation_kind(message.header().kind().as_str()) {
            // A failing operation is reported by validation, through its authorization.
            let _ = self.accounts.apply(&message);
        }
        let whole_held = self
            .held
            .get(&message.id())
            .is_some_and(|m| !m.is_stripped());
        if !whole_held {
            self.held.insert(message.id(), message.clone());
        }
        Ok(message)
    }

    /// The merged state of every message this node holds that is valid now.
    fn state(&self) -> State {
        let mut state = State::new();
        for message in self.held.values() {
            if let Verdict::Valid(valid) = validate(message.clone(), self) {
                state.apply(&valid);
            }
        }
        state
    }

    /// Receives message bytes and prints the verdict.
    fn receive(&mut self, who: &str, bytes: &[u8]) -> Result<SignedMessage, Error> {
        let message = self.ingest(bytes)?;
        let kind = message.header().kind().as_str().to_string();
        let verdict = match validate(message.clone(), self) {
            Verdict::Valid(_) => "valid".to_string(),
            Verdict::Invalid(e) => format!("INVALID {} ({})", e.code(), e.rule()),
            Verdict::Undecided(missing) => format!("undecided, missing {missing:?}"),
        };
        println!(
            "  {who:<30} {kind:<8} {} #{:<2} {:<48} -> {verdict}",
            short(&message.id()),
            message.header().seq(),
            compact(&message),
        );
        Ok(message)
    }
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

/// One person: an account with a recovery root (kept offline) and an everyday root.
struct Person {
    recovery: SecretKey,
    everyday: SecretKey,
    account: AccountId,
    genesis: SignedMessage,
    /// The last operation of the account, and the everyday root's last message.
    head: MessageId,
    everyday_last: Option<SignedMessage>,
}

impl Person {
    fn new(seed: u8, time: u64) -> Result<Self, Error> {
        let recovery = SecretKey::from_seed([seed; 32]);
        let everyday = SecretKey::from_seed([seed + 1; 32]);
        let genesis = Operation::genesis(&[recovery.public_key(), everyday.public_key()], time)?
            .sign(&recovery)?;
        Ok(Person {
            account: Accounts::account_id(&genesis),
            head: genesis.id(),
            recovery,
            everyday,
            genesis,
            everyday_last: None,
        })
    }

    /// Delegates `app` (every kind, for a year) from `time`, signed with the everyday root.
    fn delegate(
        &mut self,
        app: &SecretKey,
        label: Option<&str>,
        time: u64,
    ) -> Result<SignedMessage, Error> {
        self.operate(Operation::delegate(
            self.account,
            self.head,
            app.public_key(),
            &[],
            time + 365 * 24 * 60 * MINUTE,
            label,
            time,
        )?)
    }

    /// Signs an operation with the everyday root, after the account's current head.
    fn operate(&mut self, op: Operation) -> Result<SignedMessage, Error> {
        let draft = op.draft()?;
        let signed = match &self.everyday_last {
            Some(previous) => draft.after(previous).sign(&self.everyday)?,
            None => draft.sign(&self.everyday)?,
        };
        self.head = signed.id();
        self.everyday_last = Some(signed.clone());
        Ok(signed)
    }
}

/// An app's key for one account, with the key's last message (each key's history is a chain).
struct AppKey {
    key: SecretKey,
    account: AccountId,
    last: Option<SignedMessage>,
}

impl AppKey {
    fn sign(&mut self, body: &impl BodyKind, time: u64) -> Result<SignedMessage, Error> {
        self.sign_draft(body.draft(self.account, time)?)
    }
    fn sign_draft(&mut self, draft: Draft) -> Result<SignedMessage, Error> {
        let signed = match &self.last {
            Some(previous) => draft.after(previous).sign(&self.key)?,
            None => draft.sign(&self.key)?,
        };
        self.last = Some(signed.clone());
        Ok(signed)
    }
}

fn main() -> Result<(), Error> {
    let mut node = Node::new();

    println!("1. Two people create accounts. An account id is the hash of its genesis: nobody can claim it.");
    let mut alice = Person::new(1, T0)?;
    let mut bob = Person::new(11, T0)?;
    println!("  alice = {}", alice.account);
    println!("  bob   = {}", bob.account);
    node.receive("alice genesis", alice.genesis.as_bytes())?;
    node.receive("bob genesis", bob.genesis.as_bytes())?;

    println!("\n2. Two apps, Skylark Web and Skylark Mobile, each get a key for each person; apps never hold root keys.");
    let mut delegate =
        |person: &mut Person, who: &str, app: &str, seed: u8| -> Result<AppKey, Error> {
            let key = SecretKey::from_seed([seed; 32]);
            let op = person.delegate(&key, Some(app), T0 + MINUTE)?;
            let short_name = app.trim_start_matches("Skylark ");
            node.receive(&format!("{who} delegates to {short_name}"), op.as_bytes())?;
            Ok(AppKey {
                key,
                account: person.account,
                last: None,
            })
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
    node.receive("alice posts (web)", post.as_bytes())?;
    let reply = bob_mobile.sign(
        &Post::builder()
            .text("Hi Alice, from my phone.")
            .reply(Reply::new(post.id(), post.id()))
            .build()?,
        T0 + 3 * MINUTE,
    )?;
    node.receive("bob replies (mobile)", reply.as_bytes())?;
    let quote = bob_mobile.sign(
        &Post::builder()
            .text("Worth reading:")
            .quote(post.id())
            .build()?,
        T0 + 4 * MINUTE,
    )?;
    node.receive("bob quotes (mobile)", quote.as_bytes())?;
    node.receive(
        "alice likes the reply (mobile)",
        alice_mobile
            .sign(&React::like(reply.id()), T0 + 5 * MINUTE)?
            .as_bytes(),
    )?;
    node.receive(
        "bob follows alice (web)",
        bob_web
            .sign(&Follow::new(alice.account), T0 + 6 * MINUTE)?
            .as_bytes(),
    )?;
    let edit = Edit::builder(post.id(), post.id())
        .text("Hello from the web app! (edited)")
        .build()?;
    node.receive(
        "alice edits her post (web)",
        alice_web.sign(&edit, T0 + 7 * MINUTE)?.as_bytes(),
    )?;
    let delete = bob_mobile.sign(&Delete::new(quote.id()), T0 + 8 * MINUTE)?;
    node.receive("bob deletes his quote", delete.as_bytes())?;
    let not_hers = alice_web.sign(&Delete::new(reply.id()), T0 + 8 * MINUTE)?;
    node.receive("alice deletes bob's reply", not_hers.as_bytes())?;
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
    node.receive("bob's quote, stripped", remainder.as_bytes())?;

    println!("\n5. Alice's web key is stolen. The thief posts; Alice revokes the key after her last honest message.");
    let last_honest = alice_web.last.clone().ok_or("no message")?;
    let stolen = alice_web.sign(
        &Post::builder().text("Send me your coins!").build()?,
        T0 + 9 * MINUTE,
    )?;
    node.receive("thief posts with web key", stolen.as_bytes())?;
    let revoke = alice.operate(Operation::revoke(
        alice.account,
        alice.head,
        alice_web.key.public_key(),
        Some(Revocation::After {
            seq: last_honest.header().seq(),
            id: last_honest.id(),
        }),
        T0 + 10 * MINUTE,
    )?)?;
    node.receive("alice revokes web key", revoke.as_bytes())?;
    node.receive("thief's post, again", stolen.as_bytes())?;
    node.receive("alice's post, again", post.as_bytes())?;

    println!("\n6. Bob's everyday root is stolen. The thief delegates his own app; Bob's recovery root rotates the stolen root out.");
    let before_theft = bob.head;
    let thief_app = SecretKey::from_seed([99; 32]);
    let theft = bob.delegate(&thief_app, None, T0 + 11 * MINUTE)?;
    node.receive("thief delegates his app", theft.as_bytes())?;
    let mut thief = AppKey {
        key: thief_app,
        account: bob.account,
        last: None,
    };
    let spam = thief.sign(
        &Post::builder().text("Bob endorses this scam").build()?,
        T0 + 12 * MINUTE,
    )?;
    node.receive("thief posts as bob", spam.as_bytes())?;
    let new_everyday = SecretKey::from_seed([12 + 100; 32]);
    let recover = Operation::roots(
        bob.account,
        before_theft,
        &[bob.recovery.public_key(), new_everyday.public_key()],
        T0 + 13 * MINUTE,
    )?
    .draft()?
    .after(&bob.genesis)
    .sign(&bob.recovery)?;
    node.receive("bob's recovery root", recover.as_bytes())?;
    node.receive("thief's post, again", spam.as_bytes())?;
    node.receive("bob's reply, again", reply.as_bytes())?;

    println!("\n6b. Later Bob retires his old recovery root, signing its retirement with that key itself. Years on, an old backup of it leaks.");
    let new_recovery = SecretKey::from_seed([13 + 100; 32]);
    let retire = Operation::roots(
        bob.account,
        recover.id(),
        &[new_recovery.public_key(), new_everyday.public_key()],
        T0 + 14 * MINUTE,
    )?
    .draft()?
    .after(&recover)
    .sign(&bob.recovery)?;
    node.receive("bob retires the old recovery root", retire.as_bytes())?;
    let head_before = node
        .accounts
        .account(&bob.account)
        .ok_or("bob unknown")?
        .head();
    // The thief forks at the genesis, where the old key was the top root, continuing the key's own
    // history so that every check of the message passes.
    let thief_root = SecretKey::from_seed([98; 32]);
    let rollback = Operation::roots(
        bob.account,
        bob.genesis.id(),
        &[thief_root.public_key()],
        T0 + 15 * MINUTE,
    )?
    .draft()?
    .after(&retire)
    .sign(&bob.recovery)?;
    node.receive(
        "thief of the retired root forks at the genesis",
        rollback.as_bytes(),
    )?;
    let head_after = node
        .accounts
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
    .with_witnesses(&set)?
    .sign(&carol_recovery)?;
    let carol = Accounts::account_id(&carol_genesis);
    node.receive("carol genesis, witnessed", carol_genesis.as_bytes())?;
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
    .sign(&carol_everyday)?;
    node.receive("carol delegates web", carol_delegation.as_bytes())?;
    for (i, w) in witnesses.iter().take(2).enumerate() {
        let receipt = Operation::receipt(carol, carol_delegation.id(), T0 + 15 * MINUTE).sign(w)?;
        node.receive(
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
    .draft()?
    .after(&carol_genesis)
    .sign(&carol_recovery)?;
    node.receive("thief of carol's top root forks", takeover.as_bytes())?;
    let view = node.accounts.account(&carol).ok_or("carol unknown")?;
    println!(
        "  head is still the delegation: {} — it is final, and a final child wins whatever signs beside it (spec 06 §8.6)",
        view.head() == carol_delegation.id() && view.last_final() == Some(carol_delegation.id())
    );
    if view.head() != carol_delegation.id() {
        return Err("a stolen top root replaced final history".into());
    }

    println!("\n7. A moderation service, an account like any other, labels the scam; readers choose which labelers to trust.");
    let mut moderation = Person::new(21, T0 + 13 * MINUTE)?;
    node.receive("moderation genesis", moderation.genesis.as_bytes())?;
    let desk_key = SecretKey::from_seed([70; 32]);
    let op = moderation.delegate(&desk_key, Some("Moderation desk"), T0 + 13 * MINUTE)?;
    node.receive("moderation delegates desk", op.as_bytes())?;
    let mut desk = AppKey {
        key: desk_key,
        account: moderation.account,
        last: None,
    };
    let label = Label::builder(Reference::Message(spam.id()), "spam").build()?;
    node.receive(
        "moderation labels the scam",
        desk.sign(&label, T0 + 14 * MINUTE)?.as_bytes(),
    )?;

    let view = node.accounts.account(&bob.account).ok_or("bob unknown")?;
    println!("\n8. Bob's account now: head {}, roots {}, apps {}; the thief's delegation is on a losing branch.",
        short(&view.head()), view.roots().len(), view.apps().count());

    println!(
        "\n9. Skylark Mobile's node gets the same messages in another order, some twice: the same state."
    );
    let mut other = Node::new();
    let everything: Vec<SignedMessage> = node.held.values().cloned().collect();
    for message in everything.iter().rev().chain(everything.iter().take(5)) {
        other.ingest(message.as_bytes())?;
    }
    let (a, b) = (
        node.state().digest(node.now),
        other.state().digest(other.now),
    );
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
