//! The two roles of a session (09 §5): what each does with each range it receives.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::frame::{self, Bound, Frame, Payload, Writer};
use super::{
    fingerprint, item_hash, session_key, u256_add, u256_from_le, u256_sub, Set, SyncError, LEAF,
    MAX_FANOUT, SALT_LEN, TAG_LEN, U256,
};
use crate::id::MessageId;

/// One side's set under one session key: prefix sums of the items' keyed hashes, and their tags.
/// Built in one pass over the set; afterwards every range's fingerprint costs O(1).
struct Keyed {
    salt: [u8; SALT_LEN],
    key: [u8; 32],
    sums: Vec<U256>,
    tags: Vec<[u8; TAG_LEN]>,
}

impl Keyed {
    fn new(set: &Set, salt: [u8; SALT_LEN]) -> Self {
        let key = session_key(&salt);
        let mut sums = Vec::with_capacity(set.len() + 1);
        let mut tags = Vec::with_capacity(set.len());
        let mut acc = [0u64; 4];
        sums.push(acc);
        for item in set.items() {
            let h = item_hash(&key, item);
            acc = u256_add(&acc, &u256_from_le(&h[..32]));
            sums.push(acc);
            let mut t = [0u8; TAG_LEN];
            t.copy_from_slice(&h[32..]);
            tags.push(t);
        }
        Keyed {
            salt,
            key,
            sums,
            tags,
        }
    }

    fn fingerprint(&self, i: usize, j: usize) -> [u8; super::FINGERPRINT_LEN] {
        fingerprint(&self.key, j - i, &u256_sub(&self.sums[j], &self.sums[i]))
    }
}

/// The fan-out of a split of `count > LEAF` items (SYNC-7): the fewest levels `L` with
/// `LEAF · 32^L ≥ count`, then the smallest `b ≥ 2` with `LEAF · b^L ≥ count`.
fn fanout(count: usize) -> usize {
    let reach = |b: u128, levels: u32| (LEAF as u128).saturating_mul(b.saturating_pow(levels));
    let target = count as u128;
    let mut levels = 1;
    while reach(MAX_FANOUT as u128, levels) < target {
        levels += 1;
    }
    let mut b = 2u128;
    while reach(b, levels) < target {
        b += 1;
    }
    b as usize
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Initiator,
    Responder,
}

/// What processing one frame learned.
#[derive(Default)]
struct Learned {
    have: Vec<MessageId>,
    need: Vec<MessageId>,
}

/// Room a frame keeps for deferrals (SYNC-9): once the answers written exceed
/// `FRAME_LIMIT - 200 - DEFER_ROOM` bytes, later ranges are deferred, each as a fingerprint over its
/// own bounds, so that the peer resumes from the same ranges instead of splitting again from the top.
const DEFER_ROOM: usize = 8192;

/// Processes a parsed frame: checks SYNC-8 for every range first (so the verdict never depends on
/// where the output is cut), then answers range by range within the frame limit, deferring the
/// ranges that do not fit (SYNC-9).
fn process(
    set: &Set,
    keyed: &Keyed,
    frame: &Frame,
    role: Role,
) -> Result<(Writer, Learned), SyncError> {
    let items = set.items();
    let locate = |b: &Bound| items.partition_point(|item| b.above(item));
    // SYNC-8, before any answer.
    let mut lower_index = 0;
    for (index, range) in frame.ranges.iter().enumerate() {
        let upper_index = locate(&range.upper);
        let count = upper_index - lower_index;
        match &range.payload {
            Payload::Ids(_) if role == Role::Responder => return Err(SyncError::Mode { index }),
            Payload::Resolve { bitmap, .. } => {
                if count > LEAF {
                    return Err(SyncError::Mode { index });
                }
                let padding_clear =
                    count % 8 == 0 || bitmap.last().is_none_or(|last| last >> (count % 8) == 0);
                if bitmap.len() != count.div_ceil(8) || !padding_clear {
                    return Err(SyncError::Bitmap { index });
                }
            }
            _ => {}
        }
        lower_index = upper_index;
    }

    let mut out = Writer::new();
    let mut learned = Learned::default();
    let mut lower = Bound::LOWEST;
    let mut i = 0;
    let mut deferring = false;
    for range in &frame.ranges {
        let j = locate(&range.upper);
        let mark = out.mark();
        let mut unit = Learned::default();
        answer(&mut out, set, keyed, range, i, j, &lower, role, &mut unit);
        let skipped = out.skipped_since(&mark);
        if !deferring && !skipped && !out.fits_with(DEFER_ROOM) {
            // SYNC-9: the answers fill the frame but for the deferral room; from this range on,
            // every range whose answer is not a skip is deferred.
            deferring = true;
        }
        if deferring && !skipped {
            // SYNC-9: the deferral keeps the range's bounds: our fingerprint over it, which the
            // peer answers (splits) in its next frame. Nothing is learned from the range now.
            out.reset(mark.clone());
            unit = Learned::default();
            let own = Payload::Fingerprint(keyed.fingerprint(i, j));
            out.range(&lower, &range.upper, &own);
        }
        if !out.fits() {
            // SYNC-9: close the frame with one fingerprint over everything from here on.
            out.reset(mark);
            let rest = Payload::Fingerprint(keyed.fingerprint(i, items.len()));
            out.range(&lower, &Bound::INFINITY, &rest);
            return Ok((out, learned));
        }
        learned.have.append(&mut unit.have);
        learned.need.append(&mut unit.need);
        lower = range.upper;
        i = j;
    }
    Ok((out, learned))
}

/// The full answer to one received range (SYNC-7), written to `out`; what it teaches goes to `unit`.
#[allow(clippy::too_many_arguments)]
fn answer(
    out: &mut Writer,
    set: &Set,
    keyed: &Keyed,
    range: &frame::Range,
    i: usize,
    j: usize,
    lower: &Bound,
    role: Role,
    unit: &mut Learned,
) {
    let items = set.items();
    match &range.payload {
        Payload::Skip => out.skip(),
        Payload::Fingerprint(theirs) => {
            if keyed.fingerprint(i, j) == *theirs {
                out.skip();
            } else {
                split(out, set, keyed, i, j, lower, &range.upper);
            }
        }
        Payload::Tags(theirs) => {
            if j - i > LEAF {
                split(out, set, keyed, i, j, lower, &range.upper);
            } else {
                let mut mine: Vec<[u8; TAG_LEN]> = keyed.tags[i..j].to_vec();
                mine.sort_unstable();
                let mut sorted_theirs = theirs.clone();
                sorted_theirs.sort_unstable();
                let mut bitmap = alloc::vec![0u8; theirs.len().div_ceil(8)];
                for (k, t) in theirs.iter().enumerate() {
                    if mine.binary_search(t).is_err() {
                        bitmap[k / 8] |= 1 << (k % 8);
                    }
                }
                let ids: Vec<MessageId> = (i..j)
                    .filter(|&k| sorted_theirs.binary_search(&keyed.tags[k]).is_err())
                    .map(|k| items[k].id)
                    .collect();
                if bitmap.iter().all(|b| *b == 0) && ids.is_empty() {
                    out.skip();
                } else {
                    unit.have.extend_from_slice(&ids);
                    out.range(lower, &range.upper, &Payload::Resolve { bitmap, ids });
                }
            }
        }
        Payload::Resolve { bitmap, ids } => {
            let lacking: Vec<MessageId> = (i..j)
                .filter(|&k| bitmap[(k - i) / 8] >> ((k - i) % 8) & 1 == 1)
                .map(|k| items[k].id)
                .collect();
            unit.need.extend_from_slice(ids);
            if role == Role::Responder && !lacking.is_empty() {
                out.range(lower, &range.upper, &Payload::Ids(lacking.clone()));
            } else {
                out.skip();
            }
            unit.have = lacking;
        }
        Payload::Ids(ids) => {
            unit.need.extend_from_slice(ids);
            out.skip();
        }
    }
}

/// Answers a mismatched range `[lower, upper)` holding our items `i..j` (SYNC-7): tags if at most
/// [`LEAF`] items, else fingerprints of `fanout` sub-ranges of near-equal counts.
fn split(
    out: &mut Writer,
    set: &Set,
    keyed: &Keyed,
    i: usize,
    j: usize,
    lower: &Bound,
    upper: &Bound,
) {
    let count = j - i;
    if count <= LEAF {
        out.range(lower, upper, &Payload::Tags(keyed.tags[i..j].to_vec()));
        return;
    }
    let items = set.items();
    let b = fanout(count);
    let (size, extra) = (count / b, count % b);
    let mut start = i;
    let mut from = *lower;
    for k in 0..b {
        let end = start + size + usize::from(k < extra);
        let to = if k + 1 == b {
            *upper
        } else {
            Bound::between(&items[end - 1], &items[end])
        };
        out.range(
            &from,
            &to,
            &Payload::Fingerprint(keyed.fingerprint(start, end)),
        );
        from = to;
        start = end;
    }
}

/// The side that opens a session: it picks the salt, sends the first frame, and ends the session
/// when its answer would be empty. It learns every difference: [`have`](Initiator::have) (ids it
/// holds that the responder lacks) and [`need`](Initiator::need) (ids the responder holds that it
/// lacks).
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::sync::{Initiator, Item, Responder, Set};
///
/// let set = Set::new([Item::new(1, MessageId::from_bytes([1; 32]))])?;
/// let mut initiator = Initiator::new(&set, [0; 16]);
/// let reply = Responder::new(&set).respond(&initiator.open())?;
/// assert_eq!(initiator.receive(&reply)?, None); // the same set: nothing to do
/// assert!(initiator.have().is_empty() && initiator.need().is_empty());
/// # Ok::<(), skylark::sync::SyncError>(())
/// ```
pub struct Initiator<'a> {
    set: &'a Set,
    keyed: Keyed,
    have: BTreeSet<MessageId>,
    need: BTreeSet<MessageId>,
    ended: bool,
    rounds: usize,
}

impl<'a> Initiator<'a> {
    /// A session over `set` with `salt`, which MUST be fresh and unpredictable (SYNC-6): draw it from
    /// a cryptographic random number generator for every session. One pass of keyed hashes over the
    /// set.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// let initiator = skylark::sync::Initiator::new(&set, [9; 16]);
    /// assert_eq!(initiator.rounds(), 0);
    /// ```
    pub fn new(set: &'a Set, salt: [u8; SALT_LEN]) -> Self {
        Initiator {
            set,
            keyed: Keyed::new(set, salt),
            have: BTreeSet::new(),
            need: BTreeSet::new(),
            ended: false,
            rounds: 0,
        }
    }

    /// The first frame: the whole item space, split as if its fingerprint had not matched.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// let frame = skylark::sync::Initiator::new(&set, [0; 16]).open();
    /// // [1, h'00…00', [[0, h'', 2, h'']]]: one range to infinity, with no tags.
    /// assert_eq!(frame.len(), 1 + 1 + 17 + 1 + 1 + 1 + 1 + 1 + 1);
    /// ```
    pub fn open(&mut self) -> Vec<u8> {
        let mut out = Writer::new();
        split(
            &mut out,
            self.set,
            &self.keyed,
            0,
            self.set.len(),
            &Bound::LOWEST,
            &Bound::INFINITY,
        );
        out.finish(&self.keyed.salt)
    }

    /// Takes the responder's reply; gives the next frame to send, or `None` when the session is
    /// complete (the answer would hold nothing but skips).
    ///
    /// # Errors
    ///
    /// A [`SyncError`] if the reply breaks SYNC-1 to SYNC-8. What was learned before an error stays
    /// in `have` and `need`. After the session has ended, every reply is ignored and gives `None`.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// let mut initiator = skylark::sync::Initiator::new(&set, [0; 16]);
    /// assert_eq!(initiator.receive(&[0x00]).unwrap_err().code(), "sync.frame_shape");
    /// ```
    pub fn receive(&mut self, reply: &[u8]) -> Result<Option<Vec<u8>>, SyncError> {
        if self.ended {
            return Ok(None);
        }
        let frame = frame::parse(reply)?;
        if frame.salt != self.keyed.salt {
            return Err(SyncError::Salt);
        }
        let (out, learned) = process(self.set, &self.keyed, &frame, Role::Initiator)?;
        self.have.extend(learned.have);
        self.need.extend(learned.need);
        self.rounds += 1;
        if out.is_empty() {
            self.ended = true;
            return Ok(None);
        }
        Ok(Some(out.finish(&self.keyed.salt)))
    }

    /// The ids this side holds that the responder lacks, in byte order.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// assert!(skylark::sync::Initiator::new(&set, [0; 16]).have().is_empty());
    /// ```
    pub fn have(&self) -> Vec<MessageId> {
        self.have.iter().copied().collect()
    }

    /// The ids the responder holds that this side lacks, in byte order.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// assert!(skylark::sync::Initiator::new(&set, [0; 16]).need().is_empty());
    /// ```
    pub fn need(&self) -> Vec<MessageId> {
        self.need.iter().copied().collect()
    }

    /// How many replies this side has processed.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// assert_eq!(skylark::sync::Initiator::new(&set, [0; 16]).rounds(), 0);
    /// ```
    pub fn rounds(&self) -> usize {
        self.rounds
    }

    /// Whether the session is complete.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// assert!(!skylark::sync::Initiator::new(&set, [0; 16]).is_done());
    /// ```
    pub fn is_done(&self) -> bool {
        self.ended
    }
}

/// The side that answers. It keeps no state between frames but a cache of the keyed pass for the
/// last salt seen, so one `Responder` can serve a session frame after frame (or several sessions,
/// rebuilding the cache when the salt changes).
///
/// It learns part of the difference: [`have`](Responder::have) lists ids it holds that the
/// initiator lacks, as far as it learned them (the initiator learns all of them).
///
/// ```
/// use skylark::sync::{Initiator, Responder, Set};
/// let set = Set::default();
/// let mut responder = Responder::new(&set);
/// let reply = responder.respond(&Initiator::new(&set, [0; 16]).open())?;
/// assert_eq!(reply.len(), 20); // [1, salt, []]: nothing to discuss
/// # Ok::<(), skylark::sync::SyncError>(())
/// ```
pub struct Responder<'a> {
    set: &'a Set,
    keyed: Option<Keyed>,
    have: BTreeSet<MessageId>,
}

impl<'a> Responder<'a> {
    /// A responder over `set`.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// assert!(skylark::sync::Responder::new(&set).have().is_empty());
    /// ```
    pub fn new(set: &'a Set) -> Self {
        Responder {
            set,
            keyed: None,
            have: BTreeSet::new(),
        }
    }

    /// Answers one frame of the initiator. Never longer than [`FRAME_LIMIT`](super::FRAME_LIMIT).
    ///
    /// # Errors
    ///
    /// A [`SyncError`] if the frame breaks SYNC-1 to SYNC-8.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// let err = skylark::sync::Responder::new(&set).respond(&[0x83, 0x02, 0x40, 0x80]).unwrap_err();
    /// assert_eq!(err.code(), "sync.frame_shape"); // a 0-byte salt
    /// ```
    pub fn respond(&mut self, frame: &[u8]) -> Result<Vec<u8>, SyncError> {
        let frame = frame::parse(frame)?;
        let keyed = match self.keyed.take() {
            Some(k) if k.salt == frame.salt => k,
            _ => Keyed::new(self.set, frame.salt),
        };
        let result = process(self.set, &keyed, &frame, Role::Responder);
        let salt = keyed.salt;
        self.keyed = Some(keyed);
        let (out, learned) = result?;
        self.have.extend(learned.have);
        Ok(out.finish(&salt))
    }

    /// The ids this side holds that the initiator lacks, as far as this side learned them.
    ///
    /// ```
    /// let set = skylark::sync::Set::default();
    /// assert!(skylark::sync::Responder::new(&set).have().is_empty());
    /// ```
    pub fn have(&self) -> Vec<MessageId> {
        self.have.iter().copied().collect()
    }
}

#[cfg(test)]
pub(super) fn fanout_for_tests(count: usize) -> usize {
    fanout(count)
}
