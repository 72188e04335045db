//! Frames: their parsing (SYNC-1..SYNC-5) and their encoding (09 §3).

use alloc::vec::Vec;

use super::{SyncError, FINGERPRINT_LEN, FRAME_LIMIT, LEAF, SALT_LEN, TAG_LEN, VERSION};
use crate::cbor::{self, Value};
use crate::id::MessageId;

use super::Item;

/// A point of the item space: every item is below or at or above it. `time == u64::MAX` is infinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Bound {
    pub(super) time: u64,
    /// The prefix, zero-padded to 32 bytes (canonical prefixes end in a non-zero byte, so the padded
    /// form and the length determine each other).
    pub(super) padded: [u8; 32],
    pub(super) len: u8,
}

impl Bound {
    pub(super) const LOWEST: Bound = Bound {
        time: 0,
        padded: [0; 32],
        len: 0,
    };
    pub(super) const INFINITY: Bound = Bound {
        time: u64::MAX,
        padded: [0; 32],
        len: 0,
    };

    /// Whether `item` lies below this bound.
    pub(super) fn above(&self, item: &Item) -> bool {
        if item.time != self.time {
            item.time < self.time
        } else {
            item.id.as_bytes() < &self.padded
        }
    }

    /// The shortest bound above `a` and at or below `b`, for `a < b` (SYNC-7).
    pub(super) fn between(a: &Item, b: &Item) -> Bound {
        let mut bound = Bound {
            time: b.time,
            padded: [0; 32],
            len: 0,
        };
        if a.time == b.time {
            let (x, y) = (a.id.as_bytes(), b.id.as_bytes());
            let common = x.iter().zip(y.iter()).take_while(|(p, q)| p == q).count();
            let len = (common + 1).min(32);
            bound.padded[..len].copy_from_slice(&y[..len]);
            bound.len = len as u8;
        }
        bound
    }
}

/// What a range carries (SYNC-4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Payload {
    Skip,
    Fingerprint([u8; FINGERPRINT_LEN]),
    Tags(Vec<[u8; TAG_LEN]>),
    Resolve {
        bitmap: Vec<u8>,
        ids: Vec<MessageId>,
    },
    Ids(Vec<MessageId>),
}

impl Payload {
    #[cfg(test)]
    pub(super) fn mode_for_tests(&self) -> u64 {
        self.mode()
    }

    fn mode(&self) -> u64 {
        match self {
            Payload::Skip => 0,
            Payload::Fingerprint(_) => 1,
            Payload::Tags(_) => 2,
            Payload::Resolve { .. } => 3,
            Payload::Ids(_) => 4,
        }
    }
}

/// One range of a frame: from the previous range's upper bound (or the lowest bound) to `upper`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Range {
    pub(super) upper: Bound,
    pub(super) payload: Payload,
}

/// A parsed frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Frame {
    pub(super) salt: [u8; SALT_LEN],
    pub(super) ranges: Vec<Range>,
}

fn ids_of(bytes: &[u8]) -> Vec<MessageId> {
    bytes
        .chunks_exact(32)
        .map(|c| {
            let mut id = [0u8; 32];
            id.copy_from_slice(c);
            MessageId::from_bytes(id)
        })
        .collect()
}

/// Parses a frame, checking SYNC-1 to SYNC-5 in the order of 09 §4.
pub(super) fn parse(bytes: &[u8]) -> Result<Frame, SyncError> {
    let value = cbor::decode(bytes).map_err(SyncError::Cbor)?;
    let Value::Array(top) = value else {
        return Err(SyncError::FrameShape);
    };
    let [Value::Unsigned(version), Value::Bytes(salt), Value::Array(raw)] = top.as_slice() else {
        return Err(SyncError::FrameShape);
    };
    let Ok(salt) = <[u8; SALT_LEN]>::try_from(salt.as_slice()) else {
        return Err(SyncError::FrameShape);
    };
    if *version != VERSION {
        return Err(SyncError::Version);
    }
    let mut ranges = Vec::with_capacity(raw.len());
    let mut previous = Bound::LOWEST;
    let mut prev_time = 0u64;
    let mut prev_skip = false;
    for (index, r) in raw.iter().enumerate() {
        let Value::Array(fields) = r else {
            return Err(SyncError::RangeShape { index });
        };
        let (t, prefix, mode, rest) = match fields.as_slice() {
            [Value::Unsigned(t), Value::Bytes(p), Value::Unsigned(m), rest @ ..] => {
                (*t, p, *m, rest)
            }
            _ => return Err(SyncError::RangeShape { index }),
        };
        let shape_ok = matches!(
            (mode, rest),
            (0, []) | (1 | 2 | 4, [Value::Bytes(_)]) | (3, [Value::Bytes(_), Value::Bytes(_)])
        );
        if !shape_ok {
            return Err(SyncError::RangeShape { index });
        }
        // SYNC-3: the bound.
        if prefix.len() > 32 || prefix.last() == Some(&0) || (t == 0 && !prefix.is_empty()) {
            return Err(SyncError::BoundPrefix { index });
        }
        let time = if t == 0 {
            u64::MAX
        } else {
            match prev_time.checked_add(t - 1) {
                Some(time) if time != u64::MAX => time,
                _ => return Err(SyncError::BoundOrder { index }),
            }
        };
        let mut padded = [0u8; 32];
        padded[..prefix.len()].copy_from_slice(prefix);
        let upper = Bound {
            time,
            padded,
            len: prefix.len() as u8,
        };
        if upper <= previous {
            return Err(SyncError::BoundOrder { index });
        }
        previous = upper;
        if t != 0 {
            prev_time = time;
        }
        // SYNC-4: skips are coalesced.
        if mode == 0 && prev_skip {
            return Err(SyncError::Skip { index });
        }
        prev_skip = mode == 0;
        // SYNC-5: payload lengths.
        let bad = SyncError::Payload { index };
        let payload = match rest {
            [] => Payload::Skip,
            [Value::Bytes(b)] if mode == 1 => Payload::Fingerprint(
                <[u8; FINGERPRINT_LEN]>::try_from(b.as_slice()).map_err(|_| bad)?,
            ),
            [Value::Bytes(b)] if mode == 2 => {
                if b.len() % TAG_LEN != 0 || b.len() / TAG_LEN > LEAF {
                    return Err(bad);
                }
                Payload::Tags(
                    b.chunks_exact(TAG_LEN)
                        .map(|c| {
                            let mut t = [0u8; TAG_LEN];
                            t.copy_from_slice(c);
                            t
                        })
                        .collect(),
                )
            }
            [Value::Bytes(bitmap), Value::Bytes(ids)] => {
                if bitmap.len() > LEAF.div_ceil(8) || ids.len() % 32 != 0 || ids.len() / 32 > LEAF {
                    return Err(bad);
                }
                Payload::Resolve {
                    bitmap: bitmap.clone(),
                    ids: ids_of(ids),
                }
            }
            [Value::Bytes(b)] => {
                if b.len() % 32 != 0 || b.len() / 32 > LEAF {
                    return Err(bad);
                }
                Payload::Ids(ids_of(b))
            }
            _ => return Err(SyncError::RangeShape { index }),
        };
        ranges.push(Range { upper, payload });
    }
    if prev_skip {
        return Err(SyncError::Skip {
            index: raw.len().saturating_sub(1),
        });
    }
    Ok(Frame { salt, ranges })
}

pub(super) fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if n <= 0xff {
        out.extend_from_slice(&[m | 24, n as u8]);
    } else if n <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

pub(super) fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    head(out, 2, b.len() as u64);
    out.extend_from_slice(b);
}

/// Builds the ranges of one frame: coalesces skips, drops a trailing skip, encodes bound times
/// relative to the previous bound, and keeps the frame within [`FRAME_LIMIT`].
pub(super) struct Writer {
    body: Vec<u8>,
    count: usize,
    prev_time: u64,
    pending_skip: bool,
}

/// Room kept free for the frame's header, a pending skip and the closing fingerprint range.
const RESERVE: usize = 200;

/// A saved writer position, to undo a unit that did not fit.
#[derive(Clone)]
pub(super) struct Mark {
    len: usize,
    count: usize,
    prev_time: u64,
    pending_skip: bool,
}

impl Writer {
    pub(super) fn new() -> Self {
        Writer {
            body: Vec::new(),
            count: 0,
            prev_time: 0,
            pending_skip: false,
        }
    }

    pub(super) fn mark(&self) -> Mark {
        Mark {
            len: self.body.len(),
            count: self.count,
            prev_time: self.prev_time,
            pending_skip: self.pending_skip,
        }
    }

    pub(super) fn reset(&mut self, mark: Mark) {
        self.body.truncate(mark.len);
        self.count = mark.count;
        self.prev_time = mark.prev_time;
        self.pending_skip = mark.pending_skip;
    }

    /// Whether the ranges written so far leave the reserve free.
    pub(super) fn fits(&self) -> bool {
        self.body.len() + RESERVE <= FRAME_LIMIT
    }

    /// Whether the ranges written so far leave `room` free besides the reserve.
    pub(super) fn fits_with(&self, room: usize) -> bool {
        self.body.len() + RESERVE + room <= FRAME_LIMIT
    }

    /// Whether nothing but skips was written since `mark`.
    pub(super) fn skipped_since(&self, mark: &Mark) -> bool {
        self.body.len() == mark.len
    }

    /// Whether any range has been written.
    pub(super) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Marks the range ending at the next written range's lower bound as skipped.
    pub(super) fn skip(&mut self) {
        self.pending_skip = true;
    }

    fn bound(&mut self, b: &Bound) {
        if b.time == u64::MAX {
            head(&mut self.body, 0, 0);
        } else {
            head(&mut self.body, 0, b.time - self.prev_time + 1);
            self.prev_time = b.time;
        }
        bytes(&mut self.body, &b.padded[..usize::from(b.len)]);
    }

    /// Writes the range `[lower, upper)` with `payload`, after the pending skip if any.
    pub(super) fn range(&mut self, lower: &Bound, upper: &Bound, payload: &Payload) {
        if self.pending_skip {
            self.pending_skip = false;
            head(&mut self.body, 4, 3);
            self.bound(lower);
            head(&mut self.body, 0, 0);
            self.count += 1;
        }
        let fields = match payload {
            Payload::Skip => 3,
            Payload::Resolve { .. } => 5,
            _ => 4,
        };
        head(&mut self.body, 4, fields);
        self.bound(upper);
        head(&mut self.body, 0, payload.mode());
        match payload {
            Payload::Skip => {}
            Payload::Fingerprint(fp) => bytes(&mut self.body, fp),
            Payload::Tags(tags) => {
                head(&mut self.body, 2, (tags.len() * TAG_LEN) as u64);
                tags.iter().for_each(|t| self.body.extend_from_slice(t));
            }
            Payload::Resolve { bitmap, ids } => {
                bytes(&mut self.body, bitmap);
                write_ids(&mut self.body, ids);
            }
            Payload::Ids(ids) => write_ids(&mut self.body, ids),
        }
        self.count += 1;
    }

    /// The frame `[VERSION, salt, ranges]`.
    pub(super) fn finish(self, salt: &[u8; SALT_LEN]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 24);
        head(&mut out, 4, 3);
        head(&mut out, 0, VERSION);
        bytes(&mut out, salt);
        head(&mut out, 4, self.count as u64);
        out.extend_from_slice(&self.body);
        out
    }
}

fn write_ids(out: &mut Vec<u8>, ids: &[MessageId]) {
    head(out, 2, (ids.len() * 32) as u64);
    ids.iter()
        .for_each(|id| out.extend_from_slice(id.as_bytes()));
}
