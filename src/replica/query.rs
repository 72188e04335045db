//! Typed queries over the merged state, each answering in O(log n + k) index steps for k results
//! (plus the entries a query skips because they are deleted or undone, which only their authors
//! can make).

use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::string::String;
use alloc::vec::Vec;

use super::views::{Fact, Stamp, BLOCK, FOLLOW, ID_MAX, ID_MIN};
use super::Replica;
use crate::account::AccountView;
use crate::id::{AccountId, MessageId};
use crate::merge::{Equivocation, LeftOut};
use crate::message::{parse_body, Author, Body, Profile, Reference, Reply};

/// What a post is in the merged state (MERGE-4).
///
/// ```
/// use skylark::replica::PostState;
/// assert_ne!(PostState::Live, PostState::Deleted);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostState {
    /// Valid, whole and not deleted: its text and counts show.
    Live,
    /// Deleted by its author (MERGE-2): a placeholder in its thread, nothing else.
    Deleted,
    /// Held as a stripped remainder only: its body is not known here.
    Withheld,
}

/// A post as an app shows it: its current version (MERGE-4) and its place in a thread.
///
/// ```
/// use skylark::message::{Authorization, BodyKind, Post};
/// use skylark::replica::{PostState, Replica};
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
/// let mut replica = Replica::with_authorization(0, Authorization::Authorized);
/// replica.ingest(post.as_bytes())?;
/// let view = replica.post(&post.id()).expect("held");
/// assert_eq!((view.state, view.current, view.text.as_deref()), (PostState::Live, post.id(), Some("hi")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostView {
    /// The post's id.
    pub id: MessageId,
    /// Its author.
    pub author: AccountId,
    /// Its time.
    pub time: u64,
    /// Live, deleted or withheld.
    pub state: PostState,
    /// The current version: the id of the latest edit of the version chain, or the post itself.
    /// For a post that is not live, the post itself.
    pub current: MessageId,
    /// The text of the current version; `None` when it has none or the post is not live.
    pub text: Option<String>,
    /// The thread it replies in, if any (`None` when withheld).
    pub reply: Option<Reply>,
    /// The post it quotes, if any (`None` when withheld).
    pub quote: Option<MessageId>,
    /// What gates and blocks leave out of the views for this live post, and why (VIEW-2..VIEW-4,
    /// 07 §5.10); `None` when nothing is, or the post is not live.
    pub left_out: Option<LeftOut>,
}

/// An account's current profile (MERGE-3).
///
/// ```
/// use skylark::message::{Authorization, BodyKind, Profile};
/// use skylark::replica::Replica;
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([1; 32]);
/// let msg = Profile::builder().name("Alice").build()?.draft(alice, 0)?.sign(&key)?;
/// let mut replica = Replica::with_authorization(0, Authorization::Authorized);
/// replica.ingest(msg.as_bytes())?;
/// assert_eq!(replica.profile(&alice).expect("set").profile.name(), Some("Alice"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileView {
    /// The profile message's id.
    pub id: MessageId,
    /// Its time.
    pub time: u64,
    /// The profile.
    pub profile: Profile,
}

/// One post of a thread, with its parent's index in [`Thread::entries`].
///
/// ```
/// # use skylark::replica::Thread;
/// # fn f(t: &Thread) { for e in &t.entries { let _ = (e.depth, e.parent, &e.post); } }
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadEntry {
    /// The post (a deleted reply is kept as a placeholder: [`PostState::Deleted`], no text).
    pub post: PostView,
    /// The index of its parent in [`Thread::entries`]; `None` for the root.
    pub parent: Option<usize>,
    /// 0 for the root, 1 for its replies, and so on.
    pub depth: usize,
}

/// A thread as a tree from its root (MERGE-5), flattened in depth-first order: each post is
/// followed by its replies, oldest first by MERGE-1. Deleted replies stay as placeholders so that
/// their replies keep their place; withheld replies cannot be placed (their parent is unknown).
///
/// ```
/// use skylark::message::{Authorization, BodyKind, Post, Reply};
/// use skylark::replica::Replica;
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([1; 32]);
/// let root = Post::builder().text("root").build()?.draft(alice, 0)?.sign(&key)?;
/// let reply = Post::builder().text("re").reply(Reply::new(root.id(), root.id())).build()?
///     .draft(alice, 1)?.after(&root).sign(&key)?;
/// let mut replica = Replica::with_authorization(1, Authorization::Authorized);
/// replica.ingest(reply.as_bytes())?;
/// replica.ingest(root.as_bytes())?;
/// let thread = replica.thread(&root.id()).expect("held");
/// assert_eq!(thread.entries.len(), 2);
/// assert_eq!((thread.entries[1].parent, thread.entries[1].depth), (Some(0), 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The root first, then every reply reachable from it, depth first.
    pub entries: Vec<ThreadEntry>,
}

/// A place in a list ordered by MERGE-1, newest first: the next page starts after it.
///
/// ```
/// # use skylark::replica::Cursor;
/// # fn f(c: Cursor) -> (u64, skylark::id::MessageId) { (c.time(), c.id()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor(Stamp);

impl Cursor {
    /// The time of the last item of the page.
    ///
    /// ```
    /// # fn f(c: skylark::replica::Cursor) -> u64 { c.time() }
    /// ```
    pub fn time(&self) -> u64 {
        self.0 .0
    }

    /// The id of the last item of the page.
    ///
    /// ```
    /// # fn f(c: skylark::replica::Cursor) -> skylark::id::MessageId { c.id() }
    /// ```
    pub fn id(&self) -> MessageId {
        self.0 .1
    }
}

/// One page of a list of posts, newest first, and where the next page starts.
///
/// ```
/// let page = skylark::replica::Replica::new(0).timeline(&[], None, 10);
/// assert!(page.posts.is_empty() && page.next.is_none());
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The posts of the page.
    pub posts: Vec<PostView>,
    /// The cursor for the next page; `None` when this page is the last.
    pub next: Option<Cursor>,
}

impl Replica {
    /// A post: its state, current version and text (MERGE-4). `None` unless `id` is a valid post
    /// (whole or remainder).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert!(skylark::replica::Replica::new(0).post(&MessageId::from_bytes([1; 32])).is_none());
    /// ```
    pub fn post(&self, id: &MessageId) -> Option<PostView> {
        let entry = self.views.entry(id)?;
        let (reply, quote, whole) = match &entry.effect {
            Fact::Post { .. } => (entry.effect.reply(), entry.effect.quote(), true),
            Fact::Withheld { post: true, .. } => (None, None, false),
            _ => return None,
        };
        let state = if self.views.deleted(id) {
            PostState::Deleted
        } else if whole {
            PostState::Live
        } else {
            PostState::Withheld
        };
        let (current, text) = if state == PostState::Live {
            let current = *self.versions(id).last().unwrap_or(id);
            (current, self.text_of(&current))
        } else {
            (*id, None)
        };
        Some(PostView {
            id: *id,
            author: *entry.account(),
            time: entry.time,
            state,
            current,
            text,
            reply: reply.map(|(root, parent)| Reply::new(root, parent)),
            quote,
            left_out: Some(self.views.left_out(id)).filter(|l| !l.is_empty()),
        })
    }

    /// The versions of a live post, oldest first: the post, then each counting edit chosen by
    /// MERGE-4. Empty unless the post is live.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Edit, Post};
    /// use skylark::replica::Replica;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let alice = skylark::id::AccountId::from_bytes([1; 32]);
    /// let post = Post::builder().text("tpyo").build()?.draft(alice, 0)?.sign(&key)?;
    /// let edit = Edit::builder(post.id(), post.id()).text("typo").build()?.draft(alice, 1)?.after(&post).sign(&key)?;
    /// let mut replica = Replica::with_authorization(1, Authorization::Authorized);
    /// replica.ingest(edit.as_bytes())?;
    /// replica.ingest(post.as_bytes())?;
    /// assert_eq!(replica.history(&post.id()), vec![post.id(), edit.id()]);
    /// assert_eq!(replica.post(&post.id()).expect("held").text.as_deref(), Some("typo"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn history(&self, id: &MessageId) -> Vec<MessageId> {
        match self.views.entry(id) {
            Some(e) if matches!(e.effect, Fact::Post { .. }) && !self.views.deleted(id) => {
                self.versions(id)
            }
            _ => Vec::new(),
        }
    }

    /// MERGE-4's walk: from the post, the latest counting edit replacing the current version.
    pub(super) fn versions(&self, post: &MessageId) -> Vec<MessageId> {
        let mut history = alloc::vec![*post];
        let mut current = *post;
        // An edit names the version it replaces by a hash of an earlier header: no cycle, and
        // each version has one successor, so the walk ends after the edits of this post.
        while let Some(next) = self
            .views
            .edits
            .range((*post, current, (0, ID_MIN))..=(*post, current, (u64::MAX, ID_MAX)))
            .rev()
            .map(|(_, _, (_, id))| *id)
            .find(|id| !self.views.deleted(id))
        {
            current = next;
            history.push(current);
            if history.len() > self.views.len() {
                break;
            }
        }
        history
    }

    /// The text of a held whole post or edit.
    fn text_of(&self, id: &MessageId) -> Option<String> {
        let body = self.body(id)?;
        match body {
            Body::Post(p) => p.text().map(String::from),
            Body::Edit(e) => e.text().map(String::from),
            _ => None,
        }
    }

    /// The typed body of a held whole message, parsed from its bytes as received.
    fn body(&self, id: &MessageId) -> Option<Body> {
        let message = self.message(id)?;
        let header = message.header();
        parse_body(
            header.kind().as_str(),
            message.body_map()?,
            Some(Author {
                account: header.account(),
                time: header.time(),
            }),
        )
        .ok()
    }

    /// The thread rooted at `root` as a tree (MERGE-5), or `None` unless `root` is a valid post.
    /// See [`Thread`].
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert!(skylark::replica::Replica::new(0).thread(&MessageId::from_bytes([1; 32])).is_none());
    /// ```
    pub fn thread(&self, root: &MessageId) -> Option<Thread> {
        let mut entries = alloc::vec![ThreadEntry {
            post: self.post(root)?,
            parent: None,
            depth: 0,
        }];
        // Depth first without recursion: a stack of (entry index) whose replies are still to list.
        let mut stack = alloc::vec![0usize];
        while let Some(at) = stack.pop() {
            let (id, depth) = (entries[at].post.id, entries[at].depth);
            let children: Vec<MessageId> = self
                .views
                .replies
                .range((id, (0, ID_MIN))..=(id, (u64::MAX, ID_MAX)))
                .map(|(_, (_, child))| *child)
                .filter(|child| {
                    self.views
                        .entry(child)
                        .is_some_and(|e| matches!(e.effect.reply(), Some((r, _)) if r == *root))
                        && self.views.left_out(child).reply.is_none()
                })
                .collect();
            // Pushed in reverse so that the oldest reply is listed first.
            let mut placed = Vec::with_capacity(children.len());
            for child in children {
                if let Some(post) = self.post(&child) {
                    placed.push(entries.len());
                    entries.push(ThreadEntry {
                        post,
                        parent: Some(at),
                        depth: depth + 1,
                    });
                }
            }
            stack.extend(placed.into_iter().rev());
        }
        // Depth-first order: reorder by walking parents (the entries above are breadth-mixed).
        Some(Thread {
            entries: depth_first(entries),
        })
    }

    /// The live direct replies of a post, oldest first (MERGE-5's `replies` view), less those the
    /// root author's gate or blocks leave out (VIEW-2).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert!(skylark::replica::Replica::new(0).replies(&MessageId::from_bytes([1; 32])).is_empty());
    /// ```
    pub fn replies(&self, parent: &MessageId) -> Vec<MessageId> {
        self.live_in(&self.views.replies, parent, |l| l.reply.is_none())
    }

    /// The live posts that quote a post, oldest first (MERGE-5), less those the quoted author's gate
    /// or blocks leave out (VIEW-3).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert!(skylark::replica::Replica::new(0).quotes(&MessageId::from_bytes([1; 32])).is_empty());
    /// ```
    pub fn quotes(&self, post: &MessageId) -> Vec<MessageId> {
        self.live_in(&self.views.quotes, post, |l| l.quote.is_none())
    }

    /// The live posts of `index` under `key` whose [`LeftOut`] `shown` accepts.
    fn live_in(
        &self,
        index: &alloc::collections::BTreeSet<(MessageId, Stamp)>,
        key: &MessageId,
        shown: impl Fn(&LeftOut) -> bool,
    ) -> Vec<MessageId> {
        index
            .range((*key, (0, ID_MIN))..=(*key, (u64::MAX, ID_MAX)))
            .map(|(_, (_, id))| *id)
            .filter(|id| !self.views.deleted(id) && shown(&self.views.left_out(id)))
            .collect()
    }

    /// The accounts `account` follows (MERGE-8), in order.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// assert!(skylark::replica::Replica::new(0).following(&AccountId::from_bytes([1; 32])).is_empty());
    /// ```
    pub fn following(&self, account: &AccountId) -> Vec<AccountId> {
        self.views.edges_of(FOLLOW, false, account)
    }

    /// The accounts that follow `account` (MERGE-8), in order.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// assert!(skylark::replica::Replica::new(0).followers(&AccountId::from_bytes([1; 32])).is_empty());
    /// ```
    pub fn followers(&self, account: &AccountId) -> Vec<AccountId> {
        self.views.edges_of(FOLLOW, true, account)
    }

    /// The accounts `account` blocks (MERGE-8), in order.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// assert!(skylark::replica::Replica::new(0).blocks(&AccountId::from_bytes([1; 32])).is_empty());
    /// ```
    pub fn blocks(&self, account: &AccountId) -> Vec<AccountId> {
        self.views.edges_of(BLOCK, false, account)
    }

    /// The accounts that block `account` (MERGE-8), in order.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// assert!(skylark::replica::Replica::new(0).blocked_by(&AccountId::from_bytes([1; 32])).is_empty());
    /// ```
    pub fn blocked_by(&self, account: &AccountId) -> Vec<AccountId> {
        self.views.edges_of(BLOCK, true, account)
    }

    /// An account's current profile (MERGE-3), if it has one that counts.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// assert!(skylark::replica::Replica::new(0).profile(&AccountId::from_bytes([1; 32])).is_none());
    /// ```
    pub fn profile(&self, account: &AccountId) -> Option<ProfileView> {
        let (time, id) = self
            .views
            .profiles_of(account)
            .rev()
            .find(|(_, id)| !self.views.deleted(id))?;
        match self.body(&id)? {
            Body::Profile(profile) => Some(ProfileView { id, time, profile }),
            _ => None,
        }
    }

    /// An account's key state: roots, app keys and their grants, encryption key (06).
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// assert!(skylark::replica::Replica::new(0).keys(&AccountId::from_bytes([1; 32])).is_none());
    /// ```
    pub fn keys(&self, account: &AccountId) -> Option<AccountView<'_>> {
        self.accounts.account(account)
    }

    /// The labels that apply to `subject` at the replica's `now` (MERGE-9), from the chosen
    /// labelers only: (labeler, value) pairs, by labeler in the order given, then by value.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::Reference;
    /// let none = skylark::replica::Replica::new(0).labels(Reference::Account(AccountId::from_bytes([1; 32])), &[]);
    /// assert!(none.is_empty());
    /// ```
    pub fn labels(&self, subject: Reference, labelers: &[AccountId]) -> Vec<(AccountId, String)> {
        let mut out = Vec::new();
        for labeler in labelers {
            let lo = (*labeler, subject, String::new(), (0, ID_MIN));
            let mut latest: BTreeMap<&str, &MessageId> = BTreeMap::new();
            for (l, s, value, (_, id)) in self.views.labels.range(lo..) {
                if l != labeler || *s != subject {
                    break;
                }
                if !self.views.deleted(id) {
                    // Ascending by stamp within one value: the last one kept is the latest.
                    latest.insert(value.as_str(), id);
                }
            }
            for (value, id) in latest {
                if let Some(Fact::Label(label)) = self.views.entry(id).map(|e| &e.effect) {
                    if !label.negate && label.expires.is_none_or(|e| e > self.now) {
                        out.push((*labeler, String::from(value)));
                    }
                }
            }
        }
        out
    }

    /// The labels a reader applies to a live post at the replica's `now` (07 MERGE-9 item 4), from
    /// the chosen labelers only: those on the post's id, on its current version's id, and on its
    /// author's account — a label on an account reaches every post of that account. (labeler,
    /// value) pairs without duplicates, by labeler in the order given, then by value. Empty unless
    /// `post` is a live post.
    ///
    /// ```
    /// use skylark::id::{AccountId, MessageId};
    /// let replica = skylark::replica::Replica::new(0);
    /// assert!(replica.applied_labels(&MessageId::from_bytes([1; 32]), &[AccountId::from_bytes([2; 32])]).is_empty());
    /// ```
    pub fn applied_labels(
        &self,
        post: &MessageId,
        labelers: &[AccountId],
    ) -> Vec<(AccountId, String)> {
        let Some(view) = self.post(post).filter(|p| p.state == PostState::Live) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for labeler in labelers {
            let chosen = core::slice::from_ref(labeler);
            let mut values: Vec<String> = [
                Reference::Message(*post),
                Reference::Message(view.current),
                Reference::Account(view.author),
            ]
            .into_iter()
            .flat_map(|subject| self.labels(subject, chosen))
            .map(|(_, value)| value)
            .collect();
            values.sort();
            values.dedup();
            out.extend(values.into_iter().map(|v| (*labeler, v)));
        }
        out
    }

    /// Every place of a key's history held by two or more valid messages (MERGE-10), as
    /// [`crate::merge::State::equivocations`] lists them.
    ///
    /// ```
    /// assert!(skylark::replica::Replica::new(0).equivocations().is_empty());
    /// ```
    pub fn equivocations(&self) -> Vec<Equivocation> {
        self.views
            .equivocal
            .iter()
            .map(|place| Equivocation {
                key: place.0,
                seq: place.1,
                ids: self.views.place(place),
            })
            .collect()
    }

    /// The live posts of a set of accounts, newest first by MERGE-1, `limit` at most, starting after
    /// `after` (a cursor from the previous page).
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Post};
    /// use skylark::replica::Replica;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let alice = skylark::id::AccountId::from_bytes([1; 32]);
    /// let mut replica = Replica::with_authorization(10, Authorization::Authorized);
    /// let mut previous = None;
    /// for t in 0..5 {
    ///     let draft = Post::builder().text(format!("{t}")).build()?.draft(alice, t)?;
    ///     let post = match &previous { Some(p) => draft.after(p), None => draft }.sign(&key)?;
    ///     replica.ingest(post.as_bytes())?;
    ///     previous = Some(post);
    /// }
    /// let first = replica.timeline(&[alice], None, 3);
    /// assert_eq!(first.posts.iter().map(|p| p.time).collect::<Vec<_>>(), [4, 3, 2]);
    /// let second = replica.timeline(&[alice], first.next, 3);
    /// assert_eq!(second.posts.iter().map(|p| p.time).collect::<Vec<_>>(), [1, 0]);
    /// assert!(second.next.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn timeline(&self, accounts: &[AccountId], after: Option<Cursor>, limit: usize) -> Page {
        let mut accounts = accounts.to_vec();
        accounts.sort();
        accounts.dedup();
        let bound = after.map_or((u64::MAX, ID_MAX), |c| c.0);
        let sources = accounts.into_iter().map(|a| {
            self.views
                .posts_of(&a, bound)
                .rev()
                .filter(move |s| after.is_none_or(|c| *s != c.0))
        });
        self.page(sources, limit)
    }

    /// The live posts that mention `account` (in the facets of the post as first written), newest
    /// first, paged as [`Replica::timeline`], less those whose author `account` blocks (VIEW-4).
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// let page = skylark::replica::Replica::new(0).mentions(&AccountId::from_bytes([1; 32]), None, 10);
    /// assert!(page.posts.is_empty());
    /// ```
    pub fn mentions(&self, account: &AccountId, after: Option<Cursor>, limit: usize) -> Page {
        let bound = after.map_or((u64::MAX, ID_MAX), |c| c.0);
        let source = self
            .views
            .mentions_of(account, bound)
            .rev()
            .filter(move |s| after.is_none_or(|c| *s != c.0))
            .filter(|(_, id)| !self.views.left_out(id).mentions.contains(account));
        self.page(core::iter::once(source), limit)
    }

    /// Merges sources that are each newest first, keeping live posts, up to `limit`.
    fn page<I: Iterator<Item = Stamp>>(
        &self,
        sources: impl Iterator<Item = I>,
        limit: usize,
    ) -> Page {
        let mut sources: Vec<I> = sources.collect();
        let mut heap: BinaryHeap<(Stamp, usize)> = BinaryHeap::new();
        for (i, source) in sources.iter_mut().enumerate() {
            if let Some(stamp) = source.next() {
                heap.push((stamp, i));
            }
        }
        let mut posts = Vec::new();
        let mut last = None;
        while let Some((stamp, i)) = heap.pop() {
            if let Some(next) = sources[i].next() {
                heap.push((next, i));
            }
            if posts.len() == limit {
                return Page {
                    posts,
                    next: last.map(Cursor),
                };
            }
            if let Some(view) = self.post(&stamp.1).filter(|p| p.state == PostState::Live) {
                posts.push(view);
                last = Some(stamp);
            }
        }
        Page { posts, next: None }
    }
}

/// Orders thread entries depth first (each post followed by its replies, oldest first),
/// renumbering the parent indexes.
fn depth_first(entries: Vec<ThreadEntry>) -> Vec<ThreadEntry> {
    let mut children: Vec<Vec<usize>> = alloc::vec![Vec::new(); entries.len()];
    for (i, e) in entries.iter().enumerate() {
        if let Some(p) = e.parent {
            children[p].push(i);
        }
    }
    let mut order = Vec::with_capacity(entries.len());
    let mut stack = alloc::vec![0usize];
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(children[i].iter().rev());
    }
    let mut position = alloc::vec![0usize; entries.len()];
    for (new, &old) in order.iter().enumerate() {
        position[old] = new;
    }
    let mut slots: Vec<Option<ThreadEntry>> = entries.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&old| {
            let mut e = slots[old].take()?;
            e.parent = e.parent.map(|p| position[p]);
            Some(e)
        })
        .collect()
}
