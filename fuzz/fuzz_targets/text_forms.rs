//! Round trip of every text form (02 §6) and of kind names (04 §8): whenever parsing succeeds,
//! printing gives the same text back (one text form per value); and any value's text form parses
//! to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skylark::envelope::Kind;
use skylark::id::{AccountId, MessageId};
use skylark::keys::{PublicKey, Signature};

fn round_trip<T>(text: &str)
where
    T: std::str::FromStr + std::fmt::Display + PartialEq + std::fmt::Debug,
{
    if let Ok(value) = text.parse::<T>() {
        assert_eq!(
            value.to_string(),
            text,
            "accepted text is not the one text form"
        );
        assert_eq!(value.to_string().parse::<T>().ok(), Some(value));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        round_trip::<MessageId>(text);
        round_trip::<AccountId>(text);
        round_trip::<PublicKey>(text);
        round_trip::<Signature>(text);
        if let Ok(kind) = Kind::new(text) {
            assert_eq!(kind.as_str(), text);
        }
    }
    // Bytes to text and back.
    if let Ok(bytes) = <[u8; 32]>::try_from(&data[..data.len().min(32)]) {
        let id = MessageId::from_bytes(bytes);
        assert_eq!(id.to_string().parse::<MessageId>().ok(), Some(id));
        let account = AccountId::from_bytes(bytes);
        assert_eq!(account.to_string().parse::<AccountId>().ok(), Some(account));
    }
    if let Ok(bytes) = <[u8; 64]>::try_from(&data[..data.len().min(64)]) {
        let signature = Signature::from_bytes(bytes);
        assert_eq!(
            signature.to_string().parse::<Signature>().ok(),
            Some(signature)
        );
    }
});
