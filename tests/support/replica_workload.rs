//! A social workload for the replica: accounts, each a genesis and one delegated app key, and `n`
//! messages by those apps — posts (40 %), replies to earlier posts (20 %), likes of earlier posts
//! (25 %), reposts (5 %) and follows (10 %) — every message valid, signed in time order by the
//! app's [`Signer`]. Deterministic: the same arguments give the same bytes.
//!
//! Shared through `#[path]` by `benches/replica.rs`, `benches/hostile.rs` and `tests/growth.rs`.

#![allow(dead_code, clippy::unwrap_used)]

use skylark::account::{Accounts, Operation};
use skylark::envelope::SignedMessage;
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::{Follow, Post, React, Reply, Repost};
use skylark::replica::Signer;

/// The first message's time; message `j` is at `T0 + 1 + j`.
pub const T0: u64 = 1_764_115_200_000;

/// A workload: the key operations (two per account) and the messages, each list in signing order.
pub struct Workload {
    pub operations: Vec<SignedMessage>,
    pub messages: Vec<SignedMessage>,
    pub accounts: Vec<AccountId>,
    /// The posts (not replies) among the messages, in order.
    pub posts: Vec<MessageId>,
}

impl Workload {
    /// Every message of the workload, operations first.
    pub fn all(&self) -> impl Iterator<Item = &SignedMessage> {
        self.operations.iter().chain(&self.messages)
    }

    /// The replica's time after the workload: every message is in the past.
    pub fn now(&self) -> u64 {
        T0 + 1 + self.messages.len() as u64
    }
}

/// A 32-byte seed from a label and a number.
fn seed(label: u8, i: usize) -> [u8; 32] {
    let mut seed = [label; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    seed
}

/// `n` messages by `accounts` accounts (at least 1).
pub fn workload(n: usize, accounts: usize) -> Workload {
    let accounts = accounts.max(1);
    let mut operations = Vec::with_capacity(2 * accounts);
    let mut apps = Vec::with_capacity(accounts);
    let mut ids = Vec::with_capacity(accounts);
    for i in 0..accounts {
        let root = SecretKey::from_seed(seed(1, i));
        let mut root = Signer::new(root, AccountId::from_bytes([0; 32]));
        let genesis = Operation::genesis(&[root.public_key()], T0).unwrap();
        let genesis = root.sign_operation(&genesis).unwrap();
        let account = Accounts::account_id(&genesis);
        let app = SecretKey::from_seed(seed(2, i));
        let grant = Operation::delegation(account, app.public_key())
            .parent(genesis.id())
            .expires(T0 + 365 * 86_400_000)
            .build(T0)
            .unwrap()
            .accepted_by(&app)
            .unwrap();
        operations.push(genesis);
        operations.push(root.sign_operation(&grant).unwrap());
        apps.push(Signer::new(app, account));
        ids.push(account);
    }
    let mut messages = Vec::with_capacity(n);
    // (post, its thread's root)
    let mut posts: Vec<(MessageId, MessageId)> = Vec::new();
    for j in 0..n {
        let author = (j * 7_919) % accounts;
        let time = T0 + 1 + j as u64;
        let signer = &mut apps[author];
        // An earlier post, spread over all of them.
        let earlier = (!posts.is_empty()).then(|| posts[(j * 31) % posts.len()]);
        let message = match (j % 20, earlier) {
            (8..=11, Some((parent, root))) => {
                let body = Post::builder()
                    .text(format!("reply {j}"))
                    .reply(Reply::new(root, parent))
                    .build()
                    .unwrap();
                signer.sign(&body, time).unwrap()
            }
            (12..=16, Some((target, _))) => signer.sign(&React::like(target), time).unwrap(),
            (17, Some((target, _))) => signer.sign(&Repost::new(target), time).unwrap(),
            (18 | 19, _) => {
                // Another account (unless there is only one).
                let mut other = (j * 13 + 1) % accounts;
                if other == author {
                    other = (other + 1) % accounts;
                }
                let subject = ids[other];
                signer.sign(&Follow::new(subject), time).unwrap()
            }
            _ => {
                let body = Post::builder()
                    .text(format!(
                        "post number {j} of the workload, about as long as a typical one"
                    ))
                    .build()
                    .unwrap();
                let post = signer.sign(&body, time).unwrap();
                posts.push((post.id(), post.id()));
                post
            }
        };
        if j % 20 >= 8 && j % 20 <= 11 {
            if let Some((_, root)) = earlier {
                posts.push((message.id(), root));
            }
        }
        messages.push(message);
    }
    let roots = posts
        .iter()
        .filter(|(p, r)| p == r)
        .map(|(p, _)| *p)
        .collect();
    Workload {
        operations,
        messages,
        accounts: ids,
        posts: roots,
    }
}
