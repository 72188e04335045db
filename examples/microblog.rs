//! The microblog task of issue 18 on the replica: two accounts with app keys, posts, a reply, a
//! follow, a like, an edit and a delete; a second node receives the bytes shuffled with duplicates,
//! then shows Bob's home timeline, a thread, like counts and who follows whom, and both nodes agree.

use skylark::account::{Accounts, Operation};
use skylark::envelope::SignedMessage;
use skylark::id::AccountId;
use skylark::keys::SecretKey;
use skylark::message::{Delete, Edit, Follow, Post, React, Reply};
use skylark::replica::{Replica, Signer};

const T0: u64 = 1_764_115_200_000;

/// An account (genesis, one app key) and the app key's signer.
fn account(
    seed: u8,
    out: &mut Vec<SignedMessage>,
) -> Result<(AccountId, Signer), Box<dyn std::error::Error>> {
    let root_key = SecretKey::from_seed([seed; 32]);
    let mut root = Signer::new(root_key, AccountId::from_bytes([0; 32]));
    let genesis = root.sign_operation(&Operation::genesis(&[root.public_key()], T0)?)?;
    let id = Accounts::account_id(&genesis);
    let app = SecretKey::from_seed([seed + 100; 32]);
    let grant = Operation::delegation(id, app.public_key()).parent(genesis.id());
    let delegation = grant
        .expires(T0 + 86_400_000)
        .build(T0)?
        .accepted_by(&app)?;
    out.push(root.sign_operation(&delegation)?);
    out.push(genesis);
    Ok((id, Signer::new(app, id)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sent = Vec::new();
    let (alice, mut a) = account(1, &mut sent)?;
    let (bob, mut b) = account(2, &mut sent)?;
    let hello = a.sign(&Post::builder().text("hello, Skylark").build()?, T0 + 1)?;
    let typo = a.sign(&Post::builder().text("secnod post").build()?, T0 + 2)?;
    let edit = Edit::builder(typo.id(), typo.id()).text("second post");
    let fixed = a.sign(&edit.build()?, T0 + 3)?;
    let answer = Post::builder()
        .text("welcome!")
        .reply(Reply::new(hello.id(), hello.id()));
    let reply = b.sign(&answer.build()?, T0 + 4)?;
    let oops = b.sign(&Post::builder().text("oops").build()?, T0 + 5)?;
    let gone = b.sign(&Delete::new(oops.id()), T0 + 6)?;
    let follow = b.sign(&Follow::new(alice), T0 + 7)?;
    let like = b.sign(&React::like(hello.id()), T0 + 8)?;
    let (hello_id, typo_id) = (hello.id(), typo.id());
    sent.extend([hello, typo, fixed, reply, oops, gone, follow, like]);

    // Node 1 in signing order; node 2 shuffled (a fixed permutation), every message twice.
    let (mut one, mut two) = (Replica::new(T0 + 10), Replica::new(T0 + 10));
    for (i, m) in sent.iter().enumerate() {
        one.ingest(m.as_bytes())?;
        two.ingest(sent[(i * 7) % sent.len()].as_bytes())?; // 7 is prime to 12: a permutation
        two.ingest(sent[(i * 5) % sent.len()].as_bytes())?; // and again, in another order
    }
    assert!(two.missing().is_empty());

    println!("Bob's home timeline:");
    for post in two.timeline(&[bob, alice], None, 20).posts {
        println!("  {} {:?}", post.time - T0, post.text.unwrap_or_default());
    }
    let thread = two.thread(&hello_id).ok_or("no thread")?;
    for entry in &thread.entries {
        println!("{}{:?}", "  ".repeat(entry.depth + 1), entry.post.text);
    }
    let likes: usize = two.reactions(&hello_id).iter().map(|r| r.1.len()).sum();
    let follows = two.following(&bob).contains(&alice);
    println!("likes on hello: {likes}; Bob follows Alice: {follows}");
    let current = two.post(&typo_id).and_then(|p| p.text);
    assert_eq!(current.as_deref(), Some("second post"));
    assert_eq!(one.digest(), two.digest());
    println!("digests agree");
    Ok(())
}
