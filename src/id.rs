//! Identifiers: content-addressed message ids, account ids, and the one text form of every identifier.
//!
//! Hashes are BLAKE3 in `derive_key` mode with a context string per purpose (`spec/02-identifiers.md`),
//! so that the hash of one kind of object can never be taken for the hash of another. Every identifier,
//! public key and signature has exactly one text form, `<prefix>_<base32>`: RFC 4648 base32 with the
//! lower-case alphabet and no padding. Parsing accepts that form and nothing else.
//!
//! ```
//! use skylark::id::MessageId;
//!
//! let id = MessageId::from_bytes([7; 32]);
//! let text = id.to_string();
//! assert_eq!(text, "msg_a4dqobyha4dqobyha4dqobyha4dqobyha4dqobyha4dqobyha4dq");
//! assert_eq!(text.parse::<MessageId>()?, id);
//! assert!("MSG_A4DQOBYHA4DQOBYHA4DQOBYHA4DQOBYHA4DQOBYHA4DQOBYHA4DQ".parse::<MessageId>().is_err());
//! assert!(text.to_uppercase().replacen("MSG", "msg", 1).parse::<MessageId>().is_err());
//! # Ok::<(), skylark::id::ParseIdError>(())
//! ```

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use crate::keys::KeyError;

/// The BLAKE3 `derive_key` context for message ids (rule ID-1), over the header bytes.
pub const MESSAGE_ID_CONTEXT: &str = "skylark v1 message id";
/// The BLAKE3 `derive_key` context for body hashes (rule ID-2), over the body bytes.
pub const BODY_HASH_CONTEXT: &str = "skylark v1 message body";
/// The BLAKE3 `derive_key` context for account ids (rule ID-3), over the genesis bytes.
pub const ACCOUNT_ID_CONTEXT: &str = "skylark v1 account id";

/// BLAKE3 in `derive_key` mode.
pub(crate) fn derive(context: &str, input: &[u8]) -> [u8; 32] {
    blake3::derive_key(context, input)
}

/// Why a text form was not accepted.
///
/// ```
/// use skylark::id::{AccountId, ParseIdError};
///
/// let err = "msg_aaaa".parse::<AccountId>().unwrap_err();
/// assert_eq!(err, ParseIdError::WrongPrefix);
/// assert_eq!(err.code(), "id.wrong_prefix");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseIdError {
    /// The text does not start with the expected prefix and `_`.
    #[error("wrong prefix: expected a different kind of identifier")]
    WrongPrefix,
    /// The part after the prefix has the wrong length, counted in bytes of UTF-8.
    #[error("expected {expected} base32 characters, found {found} bytes")]
    InvalidLength {
        /// How many characters the identifier has.
        expected: usize,
        /// How many bytes the text after the prefix has.
        found: usize,
    },
    /// A character outside the lower-case base32 alphabet `a-z2-7`.
    #[error("character at position {position} is not lower-case base32")]
    InvalidCharacter {
        /// Zero-based position after the prefix and `_`.
        position: usize,
    },
    /// The last character has non-zero bits that carry no data.
    #[error("non-zero padding bits in the last character")]
    NonCanonical,
    /// The text is a well-formed public key text form, but the key is not a valid public key.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl ParseIdError {
    /// The stable error code.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert_eq!("msg_".parse::<MessageId>().unwrap_err().code(), "id.invalid_length");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongPrefix => "id.wrong_prefix",
            Self::InvalidLength { .. } => "id.invalid_length",
            Self::InvalidCharacter { .. } => "id.invalid_character",
            Self::NonCanonical => "id.non_canonical",
            Self::Key(e) => e.code(),
        }
    }

    /// The ID of the spec rule this error enforces.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert_eq!("msg_".parse::<MessageId>().unwrap_err().rule(), "ID-4");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Key(e) => e.rule(),
            _ => "ID-4",
        }
    }
}

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// The number of base32 characters for `n` bytes, without padding.
const fn b32_len(n: usize) -> usize {
    (n * 8).div_ceil(5)
}

pub(crate) fn write_text(f: &mut fmt::Formatter<'_>, prefix: &str, bytes: &[u8]) -> fmt::Result {
    f.write_str(prefix)?;
    f.write_str("_")?;
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut buf = [0u8; 1];
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            buf[0] = ALPHABET[((acc >> bits) & 31) as usize];
            f.write_str(core::str::from_utf8(&buf).map_err(|_| fmt::Error)?)?;
        }
    }
    if bits > 0 {
        buf[0] = ALPHABET[((acc << (5 - bits)) & 31) as usize];
        f.write_str(core::str::from_utf8(&buf).map_err(|_| fmt::Error)?)?;
    }
    Ok(())
}

/// Parses `<prefix>_<base32>` into exactly `N` bytes, in the order of checks the spec gives.
pub(crate) fn parse_text<const N: usize>(
    prefix: &str,
    text: &str,
) -> Result<[u8; N], ParseIdError> {
    let rest = match text.split_once('_') {
        Some((p, rest)) if p == prefix => rest,
        _ => return Err(ParseIdError::WrongPrefix),
    };
    let expected = b32_len(N);
    let found = rest.len();
    if found != expected {
        return Err(ParseIdError::InvalidLength { expected, found });
    }
    let mut out = [0u8; N];
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut filled = 0;
    for (position, &c) in rest.as_bytes().iter().enumerate() {
        let v = match c {
            b'a'..=b'z' => c - b'a',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return Err(ParseIdError::InvalidCharacter { position }),
        };
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out[filled] = (acc >> bits) as u8;
            filled += 1;
        }
    }
    if acc & ((1 << bits) - 1) != 0 {
        return Err(ParseIdError::NonCanonical);
    }
    Ok(out)
}

/// 32 bytes as two big-endian 128-bit numbers: ordered as a pair, they are ordered as the bytes.
#[inline]
fn halves(bytes: &[u8; 32]) -> (u128, u128) {
    let (mut high, mut low) = ([0; 16], [0; 16]);
    high.copy_from_slice(&bytes[..16]);
    low.copy_from_slice(&bytes[16..]);
    (u128::from_be_bytes(high), u128::from_be_bytes(low))
}

macro_rules! digest_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $example:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name([u8; 32]);

        /// The bytewise order of the 32 bytes (as a derived order would give), compared as two
        /// big-endian 128-bit halves: the maps keyed by ids compare keys on every step of a
        /// search, and this spares each comparison a call to `memcmp`.
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> core::cmp::Ordering {
                halves(&self.0).cmp(&halves(&other.0))
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl $name {
            /// Wraps 32 bytes. Any 32 bytes name a possible object; nothing is checked.
            ///
            /// ```
            #[doc = concat!("let id = skylark::id::", stringify!($name), "::from_bytes([0; 32]);")]
            /// assert_eq!(id.as_bytes(), &[0; 32]);
            /// ```
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// The 32 bytes.
            ///
            /// ```
            #[doc = concat!("let id = skylark::id::", stringify!($name), "::from_bytes([1; 32]);")]
            /// assert_eq!(id.as_bytes()[0], 1);
            /// ```
            pub const fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl fmt::Display for $name {
            /// The one text form, `
            #[doc = $prefix]
            /// _` followed by 52 lower-case base32 characters.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_text(f, $prefix, &self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            /// Parses the one text form; every other spelling is rejected.
            ///
            /// ```
            #[doc = concat!("use skylark::id::", stringify!($name), ";")]
            #[doc = concat!("let id: ", stringify!($name), " = \"", $example, "\".parse()?;")]
            #[doc = concat!("assert_eq!(id.to_string().parse::<", stringify!($name), ">()?, id);")]
            /// # Ok::<(), skylark::id::ParseIdError>(())
            /// ```
            fn from_str(s: &str) -> Result<Self, ParseIdError> {
                parse_text::<32>($prefix, s).map(Self)
            }
        }
    };
}

digest_id!(
    /// The id of a message: BLAKE3 `derive_key` with [`MESSAGE_ID_CONTEXT`] over the message's header
    /// bytes as received (rule ID-1). The signature is not part of the id: the id names the signed
    /// content. Text form `msg_…`.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let id: MessageId = "msg_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".parse()?;
    /// assert_eq!(id, MessageId::from_bytes([0; 32]));
    /// # Ok::<(), skylark::id::ParseIdError>(())
    /// ```
    MessageId,
    "msg",
    "msg_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
);

digest_id!(
    /// The id of an account: BLAKE3 `derive_key` with [`ACCOUNT_ID_CONTEXT`] over the account's
    /// genesis bytes (rule ID-3), so an account id cannot be claimed by anyone but its creator.
    /// Text form `acct_…`.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// let id = AccountId::from_bytes([0xff; 32]);
    /// assert!(id.to_string().starts_with("acct_77777"));
    /// ```
    AccountId,
    "acct",
    "acct_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
);

impl MessageId {
    /// The id of a message whose header bytes are `header` (rule ID-1).
    ///
    /// ```
    /// let id = skylark::id::MessageId::of_header(b"\xa0");
    /// assert_ne!(id, skylark::id::MessageId::of_header(b"\xa1"));
    /// ```
    pub fn of_header(header: &[u8]) -> Self {
        Self(derive(MESSAGE_ID_CONTEXT, header))
    }
}

impl AccountId {
    /// The id of the account created by the genesis operation whose bytes are `genesis` (rule ID-3).
    ///
    /// ```
    /// let id = skylark::id::AccountId::of_genesis(b"\xa0");
    /// assert_ne!(id.as_bytes(), skylark::id::MessageId::of_header(b"\xa0").as_bytes());
    /// ```
    pub fn of_genesis(genesis: &[u8]) -> Self {
        Self(derive(ACCOUNT_ID_CONTEXT, genesis))
    }
}

/// The hash of a message body (rule ID-2): BLAKE3 `derive_key` with [`BODY_HASH_CONTEXT`] over the
/// body bytes, as committed to in the header's `body` field.
///
/// ```
/// let hash = skylark::id::body_hash(&[0xa0]);
/// assert_ne!(&hash, skylark::id::MessageId::of_header(&[0xa0]).as_bytes());
/// ```
pub fn body_hash(body: &[u8]) -> [u8; 32] {
    derive(BODY_HASH_CONTEXT, body)
}

/// Formats bytes as `<prefix>_<base32>` into a new string.
pub(crate) fn to_text_form(prefix: &str, bytes: &[u8]) -> String {
    struct T<'a>(&'a str, &'a [u8]);
    impl fmt::Display for T<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_text(f, self.0, self.1)
        }
    }
    alloc::format!("{}", T(prefix, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn ids_order_as_their_bytes() {
        // Pairs that differ first at each byte, by one bit at either end of the byte, and pairs
        // from a simple generator: the ids' order is the bytes' order.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut pairs = alloc::vec::Vec::new();
        for at in 0..32 {
            for (x, y) in [(0u8, 1u8), (0x7f, 0x80), (0xfe, 0xff), (5, 5)] {
                let mut a = [0u8; 32];
                for b in a.iter_mut() {
                    *b = next() as u8;
                }
                let mut b = a;
                a[at] = x;
                b[at] = y;
                pairs.push((a, b));
            }
        }
        for (a, b) in pairs {
            for (a, b) in [(a, b), (b, a), (a, a)] {
                assert_eq!(
                    MessageId::from_bytes(a).cmp(&MessageId::from_bytes(b)),
                    a.cmp(&b)
                );
                assert_eq!(
                    AccountId::from_bytes(a).cmp(&AccountId::from_bytes(b)),
                    a.cmp(&b)
                );
            }
        }
    }

    #[test]
    fn base32_matches_rfc4648_test_vectors() {
        // RFC 4648 §10, lower-cased and without padding.
        for (input, expected) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(
                to_text_form("x", input.as_bytes()),
                alloc::format!("x_{expected}")
            );
        }
    }

    #[test]
    fn trailing_bits_must_be_zero() {
        let good = MessageId::from_bytes([0; 32]).to_string();
        assert!(good.ends_with('a'));
        // 'b' sets the lowest of the four unused bits of the last character.
        let bad = alloc::format!("{}b", &good[..good.len() - 1]);
        assert_eq!(bad.parse::<MessageId>(), Err(ParseIdError::NonCanonical));
        // 'q' (16) sets the one data bit: a different id, still canonical.
        let other = alloc::format!("{}q", &good[..good.len() - 1]);
        let mut bytes = [0; 32];
        bytes[31] = 1;
        assert_eq!(other.parse::<MessageId>(), Ok(MessageId::from_bytes(bytes)));
    }

    #[test]
    fn multibyte_characters_do_not_panic() {
        // Lengths are counted in bytes: 26 two-byte characters are 52 bytes.
        let text = alloc::format!("msg_{}", "é".repeat(26));
        assert_eq!(
            text.parse::<MessageId>(),
            Err(ParseIdError::InvalidCharacter { position: 0 })
        );
        let text = alloc::format!("msg_{}", "é".repeat(52));
        assert_eq!(
            text.parse::<MessageId>(),
            Err(ParseIdError::InvalidLength {
                expected: 52,
                found: 104
            })
        );
    }
}
