//! The interactions with a post that the queries count: its reactions (MERGE-6), its reposts
//! (MERGE-7), and those that name an earlier version of it (MERGE-4's `earlier`).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::views::{Fact, ID_MIN};
use super::Replica;
use crate::id::{AccountId, MessageId};
use crate::merge::Origin;

impl Replica {
    /// The reactions that count on a live post (MERGE-6): each value (`""` for a plain like) with
    /// the accounts that reacted with it, in order. Empty for a post that is not live.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Post, React};
    /// use skylark::replica::Replica;
    /// # let (ka, kb) = (skylark::keys::SecretKey::from_seed([1; 32]), skylark::keys::SecretKey::from_seed([2; 32]));
    /// let (alice, bob) = (skylark::id::AccountId::from_bytes([1; 32]), skylark::id::AccountId::from_bytes([2; 32]));
    /// let post = Post::builder().text("hi").build()?.draft(alice, 0)?.sign(&ka)?;
    /// let like = React::like(post.id()).draft(bob, 1)?.sign(&kb)?;
    /// let mut replica = Replica::with_authorization(1, Authorization::Authorized);
    /// replica.ingest(like.as_bytes())?;
    /// replica.ingest(post.as_bytes())?;
    /// assert_eq!(replica.reactions(&post.id()), vec![(String::new(), vec![bob])]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reactions(&self, post: &MessageId) -> Vec<(String, Vec<AccountId>)> {
        if !self.is_live_post(post) {
            return Vec::new();
        }
        let mut out: Vec<(String, Vec<AccountId>)> = Vec::new();
        for (value, origin, id) in self.reacts_on(post) {
            if self.views.deleted(id) || self.views.undone(id) {
                continue;
            }
            let account = &origin.account;
            match out.last_mut() {
                Some((v, accounts)) if v.as_str() == value => {
                    if accounts.last() != Some(account) {
                        accounts.push(*account);
                    }
                }
                _ => out.push((String::from(value), alloc::vec![*account])),
            }
        }
        out
    }

    /// The accounts whose reposts of a live post count (MERGE-7), in order. Empty for a post that
    /// is not live.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert!(skylark::replica::Replica::new(0).reposts(&MessageId::from_bytes([1; 32])).is_empty());
    /// ```
    pub fn reposts(&self, post: &MessageId) -> Vec<AccountId> {
        if !self.is_live_post(post) {
            return Vec::new();
        }
        let mut out: Vec<AccountId> = Vec::new();
        for (_, origin, id) in self
            .views
            .reposts
            .range((*post, Arc::clone(&self.views.least), ID_MIN)..)
            .take_while(|(target, ..)| target == post)
        {
            let account = &origin.account;
            if !self.views.deleted(id) && !self.views.undone(id) && out.last() != Some(account) {
                out.push(*account);
            }
        }
        out
    }

    /// The interactions with a live post that name a version other than its current one (MERGE-4,
    /// `earlier` in the posts view): counting reactions and reposts whose `version`, and quoting
    /// posts whose `quote_version`, is not the post's current version — they were made before an
    /// edit (or name a version that was never current). Sorted by id; empty for a post that is not
    /// live. Interactions that name no version are not listed: nothing says what they saw.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Edit, Post, React};
    /// use skylark::replica::Replica;
    /// # let (ka, kb) = (skylark::keys::SecretKey::from_seed([1; 32]), skylark::keys::SecretKey::from_seed([2; 32]));
    /// let (alice, bob) = (skylark::id::AccountId::from_bytes([1; 32]), skylark::id::AccountId::from_bytes([2; 32]));
    /// let post = Post::builder().text("a fine post").build()?.draft(alice, 0)?.sign(&ka)?;
    /// let like = React::like(post.id()).at_version(post.id()).draft(bob, 1)?.sign(&kb)?;
    /// let mut replica = Replica::with_authorization(3, Authorization::Authorized);
    /// replica.ingest(post.as_bytes())?;
    /// replica.ingest(like.as_bytes())?;
    /// assert!(replica.earlier(&post.id()).is_empty());
    /// // Bait and switch: the like now shows as given to an earlier version.
    /// let edit = Edit::builder(post.id(), post.id()).text("a scam").build()?.draft(alice, 2)?.after(&post).sign(&ka)?;
    /// replica.ingest(edit.as_bytes())?;
    /// assert_eq!(replica.earlier(&post.id()), vec![like.id()]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn earlier(&self, post: &MessageId) -> Vec<MessageId> {
        if !self.is_live_post(post) {
            return Vec::new();
        }
        let current = *self.versions(post).last().unwrap_or(post);
        let seen = |id: &MessageId| self.views.entry(id).and_then(|e| e.effect.seen());
        let mut out: Vec<MessageId> = Vec::new();
        let reacts = self.reacts_on(post).map(|(.., id)| id);
        let reposts = self
            .views
            .reposts
            .range((*post, Arc::clone(&self.views.least), ID_MIN)..)
            .take_while(|(target, ..)| target == post)
            .map(|(.., id)| id);
        for id in reacts.chain(reposts) {
            if !self.views.deleted(id) && !self.views.undone(id) {
                out.extend(seen(id).filter(|v| *v != current).map(|_| *id));
            }
        }
        for id in self.quotes(post) {
            out.extend(seen(&id).filter(|v| *v != current).map(|_| id));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn is_live_post(&self, id: &MessageId) -> bool {
        self.views
            .entry(id)
            .is_some_and(|e| matches!(e.effect, Fact::Post { .. }))
            && !self.views.deleted(id)
    }

    /// The reacts on `post` held in the views, live or not: the likes (the empty value, the
    /// least), then the other values in order; each with its value, origin and id.
    fn reacts_on<'a>(
        &'a self,
        post: &'a MessageId,
    ) -> impl Iterator<Item = (&'a str, &'a Arc<Origin>, &'a MessageId)> + 'a {
        let likes = self
            .views
            .likes
            .range((*post, Arc::clone(&self.views.least), ID_MIN)..)
            .take_while(move |(target, ..)| target == post)
            .map(|(_, origin, id)| ("", origin, id));
        let lo = (
            *post,
            Box::<str>::default(),
            Arc::clone(&self.views.least),
            ID_MIN,
        );
        let others = self
            .views
            .reacts
            .range(lo..)
            .take_while(move |(target, ..)| target == post)
            .map(|(_, value, origin, id)| (&**value, origin, id));
        likes.chain(others)
    }
}
