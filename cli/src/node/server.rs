//! `serve`: the responder side of the HTTP binding (spec/10-http-binding.md), one request at a time.

use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use skylark::dm::{Sealed, Stamp};
use skylark::envelope::SignedMessage;
use skylark::id::{AccountId, MessageId};
use skylark::sync::{Responder, FRAME_LIMIT};
use tiny_http::{Header, Method, Request, Response, Server};

use super::{
    Store, ACCOUNTS, AFTER_LIMIT, DM_ITEMS, DM_ITEM_LIMIT, DM_MAILBOX, DM_PAGE, DM_PAGE_TYPE,
    FRAME_TYPE, HEADS_TYPE, MESSAGES, MESSAGE_TYPE, RECONCILE, STATE,
};
use crate::{files, Error};

/// A reply: status, content type, body.
type Reply = (u16, &'static str, Vec<u8>);

fn text(status: u16, s: impl Into<String>) -> Reply {
    (status, "text/plain; charset=utf-8", s.into().into_bytes())
}

/// Reads a request body of at most `limit` bytes; `None` if longer.
fn read_body(request: &mut Request, limit: usize) -> Option<Vec<u8>> {
    if request.body_length().is_some_and(|n| n > limit) {
        return None;
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body);
    (read.is_ok() && body.len() <= limit).then_some(body)
}

/// The value of `name` in a query string (`a=1&b=2`).
fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|kv| {
        kv.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
    })
}

/// 32 bytes from 64 lower-case hex digits.
fn hex32(s: &str) -> Option<[u8; 32]> {
    let v = hex::decode(s).ok()?;
    (s.len() == 64 && s.bytes().all(|b| !b.is_ascii_uppercase()))
        .then_some(())
        .and(v.try_into().ok())
}

/// `GET /skylark/v1/accounts/{acct_…}/heads[?after=HEX]` and
/// `GET /skylark/v1/accounts/{acct_…}/keys/{HEX}[?after=N]` (10 §2).
fn account_get(store: &Store, rest: &str, query: &str) -> Result<Reply, Error> {
    let mut parts = rest.split('/');
    let Some(account) = parts.next().and_then(|a| a.parse::<AccountId>().ok()) else {
        return Ok(text(400, "name an account by its acct_ id"));
    };
    Ok(match (parts.next(), parts.next(), parts.next()) {
        (Some("heads"), None, None) => {
            let after = match param(query, "after") {
                None => None,
                Some(h) => match hex32(h) {
                    Some(k) => Some(k),
                    None => {
                        return Ok(text(400, "after must be a key in 64 lower-case hex digits"))
                    }
                },
            };
            (200, HEADS_TYPE, store.heads(&account)?.page(after.as_ref()))
        }
        (Some("keys"), Some(key), None) => {
            let Some(key) = hex32(key) else {
                return Ok(text(400, "name a key in 64 lower-case hex digits"));
            };
            let after = match param(query, "after").map(str::parse::<u64>) {
                None => 0,
                Some(Ok(n)) => n,
                Some(Err(_)) => return Ok(text(400, "after must be a seq")),
            };
            let ids = store.after(&account, &key, after, AFTER_LIMIT)?;
            let body: String = ids.iter().map(|id| format!("{id}\n")).collect();
            text(200, body)
        }
        _ => text(404, "no such endpoint"),
    })
}

/// The mailboxes a relay admits items for (08 §3.3, §14.1, DM-22), kept between requests: the
/// current bundles and the current report keys of each service's latest declaration, recomputed
/// from the whole store only when it holds another number of messages or a minute has passed, so a
/// flood of deposits costs a row count each, not one account-state computation each.
#[derive(Default)]
struct Bundles {
    key: Option<(u64, u64)>,
    bundles: Vec<skylark::dm::Prekey>,
    reports: Vec<skylark::dm::ServiceKey>,
}

impl Bundles {
    fn current(&mut self, store: &Store) -> Result<&Self, Error> {
        let now = files::now()?;
        let key = (store.count()?, now / 60_000);
        if self.key != Some(key) {
            (self.bundles, self.reports) = super::dm::mailboxes(store, now)?;
            self.key = Some(key);
        }
        Ok(self)
    }
}

/// `POST /skylark/v1/dm/items` (10 §5): files a sealed item if a current bundle or report key with
/// its tag admits its stamp (08 DM-22). The relay learns the tag, the stamp and whether it passes,
/// not the sender.
fn dm_deposit(store: &Store, cache: &mut Bundles, body: &[u8]) -> Result<Reply, Error> {
    let Some((&n, rest)) = body.split_first() else {
        return Ok(text(
            400,
            "an item is a stamp length byte, the stamp, the sealed bytes",
        ));
    };
    let Some((stamp, sealed)) = rest.split_at_checked(usize::from(n)) else {
        return Ok(text(400, "the stamp is longer than the item"));
    };
    let stamp = match Stamp::from_bytes(stamp) {
        Ok(s) => s,
        Err(e) => return Ok(text(422, format!("{} {}", e.code(), e.rule()))),
    };
    let sealed = match Sealed::from_bytes(sealed) {
        Ok(s) => s,
        Err(e) => return Ok(text(422, format!("{} {}", e.code(), e.rule()))),
    };
    let held = cache.current(store)?;
    let bundles: Vec<_> = held.bundles.iter().collect();
    let keys: Vec<_> = held.reports.iter().collect();
    match skylark::dm::admit_item(&sealed, &stamp, &bundles, &keys) {
        None => {
            return Ok(text(
                404,
                "no current bundle or report key has this mailbox tag",
            ))
        }
        Some(Err(e)) => return Ok(text(422, format!("{} {}", e.code(), e.rule()))),
        Some(Ok(())) => {}
    }
    let tag = sealed.mailbox_tag();
    store.dm_file(tag[0], &stamp.to_bytes(), sealed.as_bytes())?;
    Ok((204, "text/plain; charset=utf-8", Vec::new()))
}

/// `GET /skylark/v1/dm/mailbox/{HH}[?after=N]` (10 §5): the items whose tag begins with byte `HH`
/// that arrived after item `N`, at most [`DM_PAGE`].
fn dm_mailbox(store: &Store, prefix: &str, query: &str) -> Result<Reply, Error> {
    let prefix = match hex::decode(prefix) {
        Ok(p) if p.len() == 1 && !prefix.bytes().any(|b| b.is_ascii_uppercase()) => p[0],
        _ => {
            return Ok(text(
                400,
                "name a mailbox prefix in 2 lower-case hex digits",
            ))
        }
    };
    let after = match param(query, "after").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Ok(text(400, "after must be an item number")),
    };
    let mut body = Vec::new();
    for item in store.dm_mailbox(prefix, after, DM_PAGE)? {
        body.extend_from_slice(&item.n.to_be_bytes());
        body.push(u8::try_from(item.stamp.len()).unwrap_or(0));
        body.extend_from_slice(&item.stamp);
        body.extend_from_slice(&u32::try_from(item.sealed.len()).unwrap_or(0).to_be_bytes());
        body.extend_from_slice(&item.sealed);
    }
    Ok((200, DM_PAGE_TYPE, body))
}

fn handle(store: &Store, cache: &mut Bundles, request: &mut Request) -> Result<Reply, Error> {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    Ok(match (request.method(), path) {
        (Method::Post, RECONCILE) => {
            let Some(frame) = read_body(request, FRAME_LIMIT) else {
                return Ok(text(413, "frame over 65536 bytes"));
            };
            let account = match param(query, "account").map(str::parse::<AccountId>) {
                None => None,
                Some(Ok(a)) => Some(a),
                Some(Err(_)) => return Ok(text(400, "account must be an acct_ id")),
            };
            let set = store.set(account.as_ref())?;
            match Responder::new(&set).respond(&frame) {
                Ok(reply) => (200, FRAME_TYPE, reply),
                Err(e) => text(400, format!("{} {}", e.code(), e.rule())),
            }
        }
        (Method::Post, MESSAGES) => {
            let Some(bytes) = read_body(request, skylark::cbor::MAX_SIZE) else {
                return Ok(text(413, "message over 65536 bytes"));
            };
            match SignedMessage::from_bytes(&bytes) {
                Ok(m) => {
                    store.add(&m)?;
                    (204, "text/plain; charset=utf-8", Vec::new())
                }
                Err(e) => text(422, format!("{} {}", e.code(), e.rule())),
            }
        }
        (Method::Get, STATE) => {
            let now = match query.strip_prefix("now=").map(str::parse::<u64>) {
                Some(Ok(n)) => n,
                None => files::now()?,
                Some(Err(_)) => return Ok(text(400, "now must be milliseconds")),
            };
            let (state, _) = crate::inspect::merged(&store.all()?, now);
            text(200, format!("{}\n", hex::encode(state.digest(now))))
        }
        (Method::Post, DM_ITEMS) => {
            let Some(body) = read_body(request, DM_ITEM_LIMIT) else {
                return Ok(text(413, "item over 66759 bytes"));
            };
            return dm_deposit(store, cache, &body);
        }
        (Method::Get, p) if p.starts_with(DM_MAILBOX) => {
            return dm_mailbox(store, &p[DM_MAILBOX.len()..], query);
        }
        (Method::Get, p) if p.starts_with(ACCOUNTS) => {
            return account_get(store, &p[ACCOUNTS.len()..], query);
        }
        (Method::Get, p) if p.starts_with(MESSAGES) => {
            let id = p
                .strip_prefix(MESSAGES)
                .and_then(|s| s.strip_prefix('/'))
                .and_then(|s| s.parse::<MessageId>().ok());
            match id {
                None => text(400, "name a message by its msg_ id"),
                Some(id) => match store.get(&id)? {
                    Some(m) => (200, MESSAGE_TYPE, m.as_bytes().to_vec()),
                    None => text(404, "not held"),
                },
            }
        }
        _ => text(404, "no such endpoint"),
    })
}

/// Serves until `max_seconds` have passed (forever without).
pub fn run(
    store: &Store,
    db: &str,
    addr: SocketAddr,
    max_seconds: Option<u64>,
) -> Result<(), Error> {
    let server = Server::http(addr).map_err(|e| {
        Error::new(
            addr.to_string(),
            format!("cannot listen: {e}"),
            "pick another port, or stop what uses this one",
        )
    })?;
    let bound = server
        .server_addr()
        .to_ip()
        .map_or_else(|| addr.to_string(), |a| a.to_string());
    println!("listening on http://{bound} (store {db})");
    let deadline = max_seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let mut cache = Bundles::default();
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(());
        }
        let request = server
            .recv_timeout(Duration::from_millis(200))
            .map_err(|e| Error::io(&bound, &e))?;
        let Some(mut request) = request else { continue };
        let (status, content_type, body) = match handle(store, &mut cache, &mut request) {
            Ok(reply) => reply,
            Err(e) => text(500, e.to_string()),
        };
        let mut response = Response::from_data(body).with_status_code(status);
        if let Ok(h) = Header::from_bytes(&b"Content-Type"[..], content_type.as_bytes()) {
            response = response.with_header(h);
        }
        // A client that went away is not the node's failure.
        let _ = request.respond(response);
    }
}
