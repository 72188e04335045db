//! A valid message's typed body, encoded again through the public builders' `to_map`. Shared
//! through `#[path]` by `tests/hostile.rs` and the fuzz targets' `fuzz/src/lib.rs`, so that both
//! check the same round trip.

use skylark::cbor::Value;
use skylark::message::{
    Block, Body, BodyKind, Delete, Follow, Repost, Unblock, Unfollow, Unreact, Unrepost,
};

/// The body of a valid message, re-encoded through its typed form (`None` for a body kind this
/// function does not know).
pub fn typed_body_bytes(body: &Body) -> Option<Vec<u8>> {
    let map = match body {
        Body::Profile(b) => b.to_map(),
        Body::Post(b) => b.to_map(),
        Body::Edit(b) => b.to_map(),
        Body::Delete(t) => Delete::new(t.target()).to_map(),
        Body::React(b) => b.to_map(),
        Body::Unreact(t) => Unreact::new(t.target()).to_map(),
        Body::Repost(t) => Repost::new(t.target()).to_map(),
        Body::Unrepost(t) => Unrepost::new(t.target()).to_map(),
        Body::Follow(s) => Follow::new(s.subject()).to_map(),
        Body::Unfollow(s) => Unfollow::new(s.subject()).to_map(),
        Body::Block(s) => Block::new(s.subject()).to_map(),
        Body::Unblock(s) => Unblock::new(s.subject()).to_map(),
        Body::Label(b) => b.to_map(),
        Body::Operation(map) | Body::Unknown(map) => map.clone(),
        _ => return None,
    };
    Some(Value::Map(map).to_bytes())
}
