//! `dm device|send|fetch`: direct messages (spec 08) through a node's mailbox (spec 10 §5). The
//! device's secrets, the ids it opened (DM-9, for the replay window only) and how far it read each
//! relay's mailbox live in the node's SQLite file: keep that file owner-only.

use std::collections::BTreeMap;

use rand_core::{OsRng, RngCore};
use serde_json::json;
use skylark::dm::{
    open, seal, token_commitment, Accept, Declaration, DeviceKeys, DmBody, DmError,
    EncryptionSecret, Gate, PqSecret, Prekey, Sealed, ServiceKey, Stamp, PREKEY_KIND,
    REPLAY_WINDOW, SERVICE_KIND,
};
use skylark::id::AccountId;
use skylark::replica::Replica;

use super::client::{agent, body, http};
use super::{DmDevice, DmItem, Store, DM_ITEMS, DM_ITEM_TYPE, DM_MAILBOX, DM_PAGE};
use crate::args::Args;
use crate::{files, help, print_json, Error, Status};

const DM_HELP: &str = "\
skylark dm device --db FILE --key APP --account ACCT [--onetime N] [--time MS] [--days N]
                  [--accept all|follows|none] [--pow BITS] [--token HEX]...
  A new device for the account: its key set (signed X25519 prekey, ML-KEM-768 key, N one-time
  prekeys, default 8) is kept in the store FILE, and its prekey bundle (spec 08 §3.2), signed by
  APP — the account's DM key, delegated with `dm` and `prekey` in its scope by name — is added to
  the store as a public message (sync it to the nodes senders use). Valid for N days (default 14).
  --accept, --pow and --token set the device's gate (08 §5.7): whom it accepts, the work it asks
  of unsolicited senders, the access tokens (32 bytes in hex) it admits.
skylark dm send URL --db FILE --key APP --account ACCT --to ACCT... --text TEXT [--time MS]
                [--token HEX] [--give-token HEX]
  Signs the message with APP and seals one copy to every current device of each recipient and to
  the account's own devices not kept in FILE (08 §5.5), from the bundles the store holds; each copy
  goes to the relay at URL with the stamp its device's gate asks: none, the --token, or proof of
  work. A recipient with no current bundle cannot be reached: nothing is sent. --give-token hands
  the recipients an access token inside the message (08 §5.7): list it in your devices' gates
  (`dm device --token`) and they can stamp their copies to you with it.
skylark dm fetch URL --db FILE [--now MS] [--from-start]
  Fetches from the relay at URL the mailboxes of this store's devices by 8-bit tag prefix (08 §5.8),
  opens what it can (the sender authenticated against the store's accounts, DM-16; replays refused,
  DM-9, DM-17), checks each device's gate (DM-23) and prints each message, with the access token it
  hands you if any (pass it to `dm send --token`). Nothing is sent back
  (DM-12). --from-start reads each mailbox from its first item.
";

/// `dm device|send|fetch`.
pub fn dm(rest: &[String]) -> Result<Status, Error> {
    let spec: crate::args::Spec = &[
        ("db", true),
        ("key", true),
        ("account", true),
        ("onetime", true),
        ("time", true),
        ("now", true),
        ("days", true),
        ("accept", true),
        ("pow", true),
        ("token", true),
        ("give-token", true),
        ("to", true),
        ("text", true),
        ("from-start", false),
    ];
    let Some((sub, rest)) = rest
        .split_first()
        .filter(|(s, _)| ["device", "send", "fetch"].contains(&s.as_str()))
    else {
        let args = Args::parse("dm", rest, spec)?;
        if let Some(s) = help(&args, DM_HELP) {
            return Ok(s);
        }
        return Err(args.usage("name a subcommand: device, send or fetch"));
    };
    let args = Args::parse(&format!("dm {sub}"), rest, spec)?;
    if let Some(s) = help(&args, DM_HELP) {
        return Ok(s);
    }
    let store = Store::open(args.req("db")?)?;
    match sub.as_str() {
        "device" => device(&store, &args),
        "send" => send(&store, &relay(&args)?, &args),
        _ => fetch(&store, &relay(&args)?, &args),
    }
}

fn relay(args: &Args) -> Result<String, Error> {
    match args.positional() {
        [url] if url.starts_with("http://") => Ok(url.trim_end_matches('/').to_string()),
        [url] => Err(Error::new(
            url,
            "is not an http:// URL",
            "give the URL `skylark serve` printed, e.g. http://127.0.0.1:8080",
        )),
        _ => Err(args.usage("name one relay URL")),
    }
}

fn token(hex_token: &str) -> Result<[u8; 32], Error> {
    hex::decode(hex_token)
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .ok_or_else(|| {
            Error::new(
                hex_token,
                "is not a token",
                "give 32 bytes in 64 hex digits",
            )
        })
}

fn dm_error(input: &str, e: &DmError) -> Error {
    Error::new(
        input,
        format!("{} ({} {})", e, e.code(), e.rule()),
        "see spec/08-direct-messages.md for the rule",
    )
}

/// The bundles a sender may seal to at `now` (08 §3.3): every `prekey` message the store holds
/// that is a bundle (DM-10), signed by a key that may publish prekeys in the store's account state
/// (DM-15), current, the latest per device; with the replica whose account state decided it.
pub fn bundles(store: &Store, now: u64) -> Result<(Replica, Vec<Prekey>), Error> {
    let all = store.all()?;
    let replica = crate::inspect::node(now, false, &all);
    let authorized: Vec<Prekey> = all
        .iter()
        .filter(|m| m.header().kind().as_str() == PREKEY_KIND)
        .filter_map(|m| Prekey::from_message(m).ok())
        .filter(|p| p.authorize(replica.accounts()).is_ok())
        .collect();
    let current = Prekey::current(&authorized, now)
        .into_iter()
        .cloned()
        .collect();
    Ok((replica, current))
}

/// The mailboxes a relay files items for at `now` (08 DM-22): the current bundles (as
/// [`bundles`]) and the current report keys of each service's latest authorized declaration.
pub fn mailboxes(store: &Store, now: u64) -> Result<(Vec<Prekey>, Vec<ServiceKey>), Error> {
    let (replica, bundles) = bundles(store, now)?;
    let declarations: Vec<Declaration> = store
        .all()?
        .iter()
        .filter(|m| m.header().kind().as_str() == SERVICE_KIND)
        .filter_map(|m| Declaration::from_message(m).ok())
        .filter(|d| d.authorize(replica.accounts()).is_ok())
        .collect();
    let keys = Declaration::relay_keys(&declarations, now)
        .into_iter()
        .cloned()
        .collect();
    Ok((bundles, keys))
}

/// A device's secrets as the store keeps them: signed prekey (32), ML-KEM seed (64), then per
/// one-time slot a byte (1 held, 0 used) and 32 bytes.
fn encode(keys: &DeviceKeys, slots: usize) -> Vec<u8> {
    let mut out = keys.signed().to_bytes().to_vec();
    out.extend_from_slice(&keys.pq().to_seed());
    for slot in 0..slots {
        match u16::try_from(slot).ok().and_then(|s| keys.onetime(s)) {
            Some(s) => {
                out.push(1);
                out.extend_from_slice(&s.to_bytes());
            }
            None => out.extend_from_slice(&[0; 33]),
        }
    }
    out
}

fn decode(db: &str, d: &DmDevice) -> Result<(DeviceKeys, Prekey), Error> {
    let corrupt = || {
        Error::new(
            db,
            "holds a device whose secrets or bundle cannot be read",
            "the file was edited by something else; make a new device",
        )
    };
    let bundle = Prekey::from_message(&d.bundle).map_err(|_| corrupt())?;
    let s = &d.secrets;
    if s.len() != 96 + 33 * bundle.onetime().len() {
        return Err(corrupt());
    }
    let signed: [u8; 32] = s[..32].try_into().map_err(|_| corrupt())?;
    let seed: [u8; 64] = s[32..96].try_into().map_err(|_| corrupt())?;
    let slots: Vec<&[u8]> = s[96..].chunks(33).collect();
    let onetime = slots
        .iter()
        .map(|c| <[u8; 32]>::try_from(&c[1..]).map(EncryptionSecret::from_bytes))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| corrupt())?;
    let mut keys = DeviceKeys::new(
        *bundle.device(),
        EncryptionSecret::from_bytes(signed),
        PqSecret::from_seed(seed),
        onetime,
    );
    for (i, c) in slots.iter().enumerate() {
        if c[0] == 0 {
            keys.forget_onetime(u16::try_from(i).map_err(|_| corrupt())?);
        }
    }
    Ok((keys, bundle))
}

fn device(store: &Store, args: &Args) -> Result<Status, Error> {
    let key = files::read_secret(args.req("key")?)?;
    let account = files::account_id(args.req("account")?)?;
    let time = match args.number("time")? {
        Some(t) => t,
        None => files::now()?,
    };
    let days = args.number("days")?.unwrap_or(14);
    let expires = time.saturating_add(days.saturating_mul(86_400_000));
    let onetime = args.number("onetime")?.unwrap_or(8);
    let mut id = [0u8; 16];
    OsRng.fill_bytes(&mut id);
    let keys = DeviceKeys::generate(
        id,
        usize::try_from(onetime).unwrap_or(usize::MAX),
        &mut OsRng,
    );
    let accept = match args.opt("accept").unwrap_or("all") {
        "all" => Accept::Everyone,
        "follows" => Accept::Follows,
        "none" => Accept::Nobody,
        other => {
            return Err(Error::new(
                other,
                "is not a gate",
                "give --accept all, follows or none",
            ))
        }
    };
    let pow = u8::try_from(args.number("pow")?.unwrap_or(0)).unwrap_or(u8::MAX);
    let tokens = args
        .all("token")
        .iter()
        .map(|t| token(t).map(|t| token_commitment(&t)))
        .collect::<Result<Vec<_>, _>>()?;
    let gate = Gate::new(accept, pow, &tokens).map_err(|e| dm_error("--pow/--token", &e))?;
    let draft = keys
        .gated_bundle(account, time, expires, &gate)
        .map_err(|e| Error::new("bundle", e.to_string(), "check --time and --days"))?;
    let message = draft
        .sign(&key)
        .map_err(|e| Error::new("bundle", e.to_string(), "check the key"))?;
    let bundle = Prekey::from_message(&message).map_err(|e| dm_error("bundle", &e))?;
    store.add(&message)?;
    store.dm_put_device(
        &id,
        &DmDevice {
            account,
            secrets: encode(&keys, bundle.onetime().len()),
            bundle: message.clone(),
        },
    )?;
    if args.flag("json") {
        print_json(&json!({
            "device": hex::encode(id), "bundle": message.id().to_string(),
            "tag": hex::encode(bundle.key().mailbox_tag()), "expires": expires,
        }));
    } else {
        println!(
            "device {} of {account}: bundle {} (mailbox tag {}), valid until {}",
            hex::encode(id),
            message.id(),
            hex::encode(bundle.key().mailbox_tag()),
            files::utc(expires)
        );
    }
    Ok(Status::Ok)
}

/// The stamp a copy for `bundle` carries (08 §5.7): none for the open gate, the sender's token if
/// the gate lists it, else proof of work if the gate accepts everyone; `None` if none passes.
fn stamp_for(bundle: &Prekey, sealed: &Sealed, token: Option<&[u8; 32]>) -> Option<Stamp> {
    let gate = bundle.gate();
    if gate.relay_admits(sealed.as_bytes(), &Stamp::None).is_ok() {
        return Some(Stamp::None);
    }
    if let Some(t) = token.filter(|t| gate.tokens().contains(&token_commitment(t))) {
        return Some(Stamp::Token(*t));
    }
    if gate.accept() == Accept::Everyone {
        return Stamp::work(sealed.as_bytes(), gate.pow(), 0);
    }
    None
}

fn send(store: &Store, url: &str, args: &Args) -> Result<Status, Error> {
    let key = files::read_secret(args.req("key")?)?;
    let account = files::account_id(args.req("account")?)?;
    let time = match args.number("time")? {
        Some(t) => t,
        None => files::now()?,
    };
    let mut to = args
        .all("to")
        .iter()
        .map(|a| files::account_id(a))
        .collect::<Result<Vec<AccountId>, _>>()?;
    to.sort();
    to.dedup();
    let text = args.req("text")?;
    let token = args.opt("token").map(token).transpose()?;
    let give = args.opt("give-token").map(self::token).transpose()?;
    let inner = DmBody::new(&to, text)
        .map(|b| match give {
            Some(t) => b.with_token(t),
            None => b,
        })
        .and_then(|b| b.sign(account, time, &key))
        .map_err(|e| dm_error("--to/--text", &e))?;
    let (_, bundles) = bundles(store, time)?;
    let own: Vec<[u8; 16]> = store
        .dm_devices()?
        .iter()
        .filter_map(|d| Prekey::from_message(&d.bundle).ok())
        .map(|p| *p.device())
        .collect();
    for r in &to {
        if !bundles.iter().any(|b| b.account() == r) {
            return Err(Error::new(
                r.to_string(),
                "has no current prekey bundle that the store's account state authorizes (08 DM-15)",
                "sync the recipient's account and bundles from a node, or ask it to publish a device",
            ));
        }
    }
    let targets: Vec<&Prekey> = bundles
        .iter()
        .filter(|b| {
            to.contains(b.account()) || (b.account() == &account && !own.contains(b.device()))
        })
        .collect();
    let agent = agent();
    let items_url = format!("{url}{DM_ITEMS}");
    let mut sent = 0;
    for bundle in &targets {
        let sealed = seal(&inner, bundle, None, &mut OsRng).map_err(|e| dm_error("--text", &e))?;
        let Some(stamp) = stamp_for(bundle, &sealed, token.as_ref()) else {
            return Err(Error::new(
                bundle.account().to_string(),
                format!(
                    "device {} admits only its access tokens (08 §5.7)",
                    hex::encode(bundle.device())
                ),
                "pass a token it handed you with --token",
            ));
        };
        let stamp = stamp.to_bytes();
        let mut item = vec![u8::try_from(stamp.len()).unwrap_or(0)];
        item.extend_from_slice(&stamp);
        item.extend_from_slice(sealed.as_bytes());
        let response = agent
            .post(&items_url)
            .content_type(DM_ITEM_TYPE)
            .send(&item[..])
            .map_err(|e| http(&items_url, &e))?;
        let (status, reply) = body(&items_url, response, 1024)?;
        if status != 204 {
            return Err(Error::new(
                &items_url,
                format!(
                    "the relay refused the copy for device {}: {status} {}",
                    hex::encode(bundle.device()),
                    String::from_utf8_lossy(&reply).trim_end()
                ),
                "sync the device's bundle to that relay first",
            ));
        }
        sent += 1;
    }
    if args.flag("json") {
        print_json(&json!({"id": inner.id().to_string(), "copies": sent}));
    } else {
        println!("sent {} to {sent} devices", inner.id());
    }
    Ok(Status::Ok)
}

/// Reads one mailbox page (10 §5); `None` if malformed.
fn page(mut bytes: &[u8]) -> Option<Vec<DmItem>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (n, rest) = bytes.split_at_checked(8)?;
        let (&len, rest) = rest.split_first()?;
        let (stamp, rest) = rest.split_at_checked(usize::from(len))?;
        let (slen, rest) = rest.split_at_checked(4)?;
        let slen = usize::try_from(u32::from_be_bytes(slen.try_into().ok()?)).ok()?;
        let (sealed, rest) = rest.split_at_checked(slen)?;
        out.push(DmItem {
            n: u64::from_be_bytes(n.try_into().ok()?),
            stamp: stamp.to_vec(),
            sealed: sealed.to_vec(),
        });
        bytes = rest;
    }
    Some(out)
}

/// What one device of the store holds: its account, keys and bundle.
struct Held {
    account: AccountId,
    keys: DeviceKeys,
    bundle: Prekey,
    message: skylark::envelope::SignedMessage,
}

fn fetch(store: &Store, url: &str, args: &Args) -> Result<Status, Error> {
    let now = match args.number("now")? {
        Some(n) => n,
        None => files::now()?,
    };
    let db = args.req("db")?;
    let mut held = store
        .dm_devices()?
        .iter()
        .map(|d| {
            decode(db, d).map(|(keys, bundle)| Held {
                account: d.account,
                keys,
                bundle,
                message: d.bundle.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if held.is_empty() {
        return Err(Error::new(
            db,
            "keeps no device",
            "make one with `skylark dm device`",
        ));
    }
    let replica = crate::inspect::node(now, false, &store.all()?);
    let prefixes: BTreeMap<u8, ()> = held
        .iter()
        .map(|h| (h.bundle.key().mailbox_tag()[0], ()))
        .collect();
    let agent = agent();
    let (mut items, mut refused, mut undecided, mut gated) = (0u64, 0u64, 0u64, 0u64);
    let mut opened = Vec::new();
    for &prefix in prefixes.keys() {
        let mut after = if args.flag("from-start") {
            0
        } else {
            store.dm_cursor(url, prefix)?
        };
        loop {
            let page_url = format!("{url}{DM_MAILBOX}{prefix:02x}?after={after}");
            let response = agent
                .get(&page_url)
                .call()
                .map_err(|e| http(&page_url, &e))?;
            let (status, bytes) = body(&page_url, response, DM_PAGE * (13 + 33 + 66_725))?;
            let entries = page(&bytes).filter(|_| status == 200).ok_or_else(|| {
                Error::new(
                    &page_url,
                    format!("the relay answered {status} with no mailbox page"),
                    "check that `skylark serve` runs at that address",
                )
            })?;
            let full = entries.len() >= DM_PAGE;
            for DmItem { n, stamp, sealed } in entries {
                after = after.max(n);
                items += 1;
                match open_item(store, &replica, &mut held, &sealed, &stamp, now)? {
                    Outcome::Opened(o) => opened.push(o),
                    Outcome::NotMine => {}
                    Outcome::Undecided => undecided += 1,
                    Outcome::Gated => gated += 1,
                    Outcome::Refused => refused += 1,
                }
            }
            store.dm_set_cursor(url, prefix, after)?;
            if !full {
                break;
            }
        }
    }
    if args.flag("json") {
        print_json(&json!({
            "items": items, "opened": opened, "undecided": undecided, "gated": gated,
            "refused": refused,
        }));
    } else {
        for o in &opened {
            let field = |k: &str| o[k].as_str().unwrap_or_default().to_string();
            println!(
                "from {} at {}: {}",
                field("from"),
                field("time"),
                field("text")
            );
            if let Some(t) = o["token"].as_str() {
                println!("  it hands you access token {t} (send with --token {t})");
            }
        }
        println!(
            "{items} items fetched: {} opened, {undecided} undecided (sync the sender's account and fetch --from-start), {gated} gated, {refused} refused",
            opened.len()
        );
    }
    Ok(Status::Ok)
}

enum Outcome {
    Opened(serde_json::Value),
    NotMine,
    Undecided,
    Gated,
    Refused,
}

/// Opens one item with the store's devices, account by account (08 §6), then checks the gate of
/// the device that opened it (DM-23). On success the id is kept (DM-9) and a used one-time secret
/// is deleted from the store.
fn open_item(
    store: &Store,
    replica: &Replica,
    held: &mut [Held],
    sealed: &[u8],
    stamp: &[u8],
    now: u64,
) -> Result<Outcome, Error> {
    let accounts: Vec<AccountId> = held.iter().map(|h| h.account).collect();
    let mut outcome = Outcome::NotMine;
    for me in accounts {
        let idx: Vec<usize> = (0..held.len()).filter(|&i| held[i].account == me).collect();
        let mut keys: Vec<DeviceKeys> = idx.iter().map(|&i| held[i].keys.clone()).collect();
        let result = open(sealed, &me, &mut keys, replica.accounts(), now, |id| {
            store.dm_seen(id).unwrap_or(true)
        });
        let o = match result {
            Ok(o) => o,
            Err(DmError::UnknownKey) => continue,
            Err(DmError::SenderUnknown) => return Ok(Outcome::Undecided),
            Err(_) => {
                outcome = Outcome::Refused;
                continue;
            }
        };
        let Some(&i) = idx.iter().find(|&&i| held[i].keys.device() == o.device()) else {
            continue;
        };
        let sender = *o.inner().account();
        let follows = replica.following(&me).contains(&sender);
        let stamp = Stamp::from_bytes(stamp).unwrap_or(Stamp::None);
        if held[i]
            .bundle
            .gate()
            .admits(&me, &sender, follows, sealed, &stamp)
            .is_err()
        {
            return Ok(Outcome::Gated);
        }
        if let Some(k) = keys.into_iter().find(|k| k.device() == o.device()) {
            held[i].keys = k;
        }
        store.dm_put_device(
            held[i].keys.device(),
            &DmDevice {
                account: me,
                bundle: held[i].message.clone(),
                secrets: encode(&held[i].keys, held[i].bundle.onetime().len()),
            },
        )?;
        let inner = o.inner();
        store.dm_mark_seen(&inner.id(), inner.time(), now.saturating_sub(REPLAY_WINDOW))?;
        return Ok(Outcome::Opened(json!({
            "id": inner.id().to_string(), "from": sender.to_string(),
            "time": files::utc(inner.time()),
            "to": inner.body().to().iter().map(ToString::to_string).collect::<Vec<_>>(),
            "text": inner.body().text(), "device": hex::encode(o.device()),
            "token": inner.body().token().map(hex::encode),
        })));
    }
    Ok(outcome)
}
