//! `sync`: the initiator side of a session over HTTP, then the transfers.

use std::time::Duration;

use rand_core::{OsRng, RngCore};
use skylark::cbor::MAX_SIZE;
use skylark::envelope::SignedMessage;
use skylark::id::{AccountId, MessageId};
use skylark::sync::{wants, HeadsPage, Initiator, KeyHead, Set, FRAME_LIMIT, HEADS_PAGE};

use super::{message_path, Store, ACCOUNTS, AFTER_LIMIT, FRAME_TYPE, MESSAGE_TYPE, RECONCILE};
use crate::Error;

/// What one `sync` did.
pub struct Report {
    pub rounds: u64,
    pub sent: u64,
    pub received: u64,
    pub fetched: u64,
    pub pushed: u64,
    /// Messages the node sent that were not a verified message under the id asked for.
    pub rejected: u64,
}

pub(super) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into()
}

pub(super) fn http(url: &str, e: &ureq::Error) -> Error {
    Error::new(
        url,
        format!("request failed: {e}"),
        "check that `skylark serve` runs at that address",
    )
}

/// Reads a response body of at most `limit` bytes; `None` for a non-200 status.
pub(super) fn body(
    url: &str,
    mut response: ureq::http::Response<ureq::Body>,
    limit: usize,
) -> Result<(u16, Vec<u8>), Error> {
    let status = response.status().as_u16();
    let bytes = response
        .body_mut()
        .with_config()
        .limit(limit as u64)
        .read_to_vec()
        .map_err(|e| http(url, &e))?;
    Ok((status, bytes))
}

/// Runs one session with the node at `base` over `set` (`query` selects the node's side: empty for
/// everything, `?account=acct_…` for one account), counting into `report`; the ids this side needs
/// and has.
fn reconcile(
    agent: &ureq::Agent,
    base: &str,
    set: &Set,
    query: &str,
    max_rounds: u64,
    report: &mut Report,
) -> Result<(Vec<MessageId>, Vec<MessageId>), Error> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let mut initiator = Initiator::new(set, salt);
    let url = format!("{base}{RECONCILE}{query}");
    let mut frame = initiator.open();
    let mut rounds = 0;
    loop {
        if rounds >= max_rounds {
            return Err(Error::new(
                base,
                format!("the session did not end within {max_rounds} rounds"),
                "retry with a larger --max-rounds, or with another node (this one may be lying)",
            ));
        }
        report.sent += frame.len() as u64;
        let response = agent
            .post(&url)
            .content_type(FRAME_TYPE)
            .send(&frame[..])
            .map_err(|e| http(&url, &e))?;
        let (status, reply) = body(&url, response, FRAME_LIMIT)?;
        if status != 200 {
            return Err(Error::new(
                &url,
                format!(
                    "the node refused a frame: {status} {}",
                    String::from_utf8_lossy(&reply)
                ),
                "report this: the two implementations disagree on 09",
            ));
        }
        report.received += reply.len() as u64;
        rounds += 1;
        report.rounds += 1;
        match initiator.receive(&reply) {
            Ok(Some(next)) => frame = next,
            Ok(None) => break,
            Err(e) => {
                return Err(Error::new(
                    &url,
                    format!("the node sent a bad frame: {e} [{} {}]", e.code(), e.rule()),
                    "sync with another node",
                ))
            }
        }
    }
    Ok((initiator.need(), initiator.have()))
}

/// Fetches one message by id and stores it if it verifies, is the message asked for and passes
/// `wanted`; `Some(message)` if stored.
fn fetch(
    agent: &ureq::Agent,
    store: &Store,
    base: &str,
    id: MessageId,
    wanted: impl Fn(&SignedMessage) -> bool,
    report: &mut Report,
) -> Result<Option<SignedMessage>, Error> {
    let url = format!("{base}{}", message_path(&id));
    let response = agent.get(&url).call().map_err(|e| http(&url, &e))?;
    let (status, bytes) = body(&url, response, MAX_SIZE)?;
    report.received += bytes.len() as u64;
    // The bytes are the truth: verified, and they must be the message asked for.
    match SignedMessage::from_bytes(&bytes) {
        Ok(m) if status == 200 && m.id() == id && wanted(&m) => {
            if store.add(&m)? {
                report.fetched += 1;
            }
            Ok(Some(m))
        }
        _ => {
            report.rejected += 1;
            Ok(None)
        }
    }
}

/// Pushes one message to the node.
fn push(
    agent: &ureq::Agent,
    base: &str,
    m: &SignedMessage,
    report: &mut Report,
) -> Result<(), Error> {
    let url = format!("{base}{}", super::MESSAGES);
    let response = agent
        .post(&url)
        .content_type(MESSAGE_TYPE)
        .send(m.as_bytes())
        .map_err(|e| http(&url, &e))?;
    report.sent += m.as_bytes().len() as u64;
    let (status, text) = body(&url, response, 1024)?;
    if status != 204 {
        return Err(Error::new(
            &url,
            format!(
                "the node refused message {}: {status} {}",
                m.id(),
                String::from_utf8_lossy(&text)
            ),
            "inspect that message with `skylark inspect`",
        ));
    }
    report.pushed += 1;
    Ok(())
}

fn new_report() -> Report {
    Report {
        rounds: 0,
        sent: 0,
        received: 0,
        fetched: 0,
        pushed: 0,
        rejected: 0,
    }
}

/// Runs one session with the node at `base`, then fetches and pushes.
pub fn sync(store: &Store, base: &str, max_rounds: u64) -> Result<Report, Error> {
    let agent = agent();
    let mut report = new_report();
    let (need, have) = reconcile(&agent, base, &store.set(None)?, "", max_rounds, &mut report)?;
    for id in need {
        fetch(&agent, store, base, id, |_| true, &mut report)?;
    }
    for id in have {
        if let Some(m) = store.get(&id)? {
            push(&agent, base, &m, &mut report)?;
        }
    }
    Ok(report)
}

/// What one `sync --account` did.
pub struct AccountReport {
    pub transfer: Report,
    /// The "account, key, after seq" requests made.
    pub asked: u64,
    /// Whether the account had to be reconciled item by item (09 §9.2) after asking by key.
    pub reconciled: bool,
    /// The account digest both sides hold at the end, if they agree.
    pub digest: Option<[u8; 32]>,
}

/// The most heads pages read from one node (a page holds 512 key heads).
const MAX_PAGES: usize = 4096;

/// Every key head of `account` at the node, and its account digest (09 SYNC-11).
fn node_heads(
    agent: &ureq::Agent,
    base: &str,
    account: &AccountId,
    report: &mut Report,
) -> Result<([u8; 32], Vec<KeyHead>), Error> {
    let mut keys: Vec<KeyHead> = Vec::new();
    let mut after: Option<[u8; 32]> = None;
    for _ in 0..MAX_PAGES {
        let mut url = format!("{base}{ACCOUNTS}{account}/heads");
        if let Some(a) = after {
            url.push_str(&format!("?after={}", hex::encode(a)));
        }
        let response = agent.get(&url).call().map_err(|e| http(&url, &e))?;
        let (status, bytes) = body(&url, response, FRAME_LIMIT)?;
        report.received += bytes.len() as u64;
        if status != 200 {
            return Err(Error::new(
                &url,
                format!(
                    "the node answered {status} {}",
                    String::from_utf8_lossy(&bytes)
                ),
                "check the account id, and that the node runs this version of `skylark serve`",
            ));
        }
        let page = HeadsPage::decode(&bytes, account, after.as_ref()).map_err(|e| {
            Error::new(
                &url,
                format!(
                    "the node sent a bad heads page: {e} [{} {}]",
                    e.code(),
                    e.rule()
                ),
                "sync with another node",
            )
        })?;
        keys.extend_from_slice(page.keys());
        match page.keys().last() {
            Some(last) if page.keys().len() == HEADS_PAGE => after = Some(*last.key()),
            _ => return Ok((*page.digest(), keys)),
        }
    }
    Err(Error::new(
        base,
        format!("the node's heads ran over {MAX_PAGES} pages"),
        "sync with another node",
    ))
}

/// Per-account sync (09 §9) with the node at `base`: compare account digests; ask by key and seq
/// for what the node holds beyond this store, push what it lacks; if the digests still differ,
/// reconcile the account's items.
pub fn sync_account(
    store: &Store,
    base: &str,
    account: &AccountId,
    max_rounds: u64,
) -> Result<AccountReport, Error> {
    let agent = agent();
    let mut report = new_report();
    let mut asked = 0u64;
    let (their_digest, theirs) = node_heads(&agent, base, account, &mut report)?;
    let mine = store.heads(account)?;
    if &their_digest == mine.digest() {
        return Ok(AccountReport {
            transfer: report,
            asked,
            reconciled: false,
            digest: Some(their_digest),
        });
    }
    // Ask by key and seq (09 §9.1).
    for want in wants(mine.keys(), &theirs) {
        let key = *want.key();
        let mut after = want.after();
        loop {
            let url = format!(
                "{base}{ACCOUNTS}{account}/keys/{}?after={after}",
                hex::encode(key)
            );
            asked += 1;
            let response = agent.get(&url).call().map_err(|e| http(&url, &e))?;
            let (status, text) = body(&url, response, AFTER_LIMIT * 64)?;
            report.received += text.len() as u64;
            if status != 200 {
                return Err(Error::new(
                    &url,
                    format!(
                        "the node answered {status} {}",
                        String::from_utf8_lossy(&text)
                    ),
                    "sync with another node",
                ));
            }
            let ids: Vec<MessageId> = String::from_utf8_lossy(&text)
                .lines()
                .take(AFTER_LIMIT)
                .filter_map(|l| l.parse().ok())
                .collect();
            let mut highest = after;
            for id in &ids {
                let held = match store.get(id)? {
                    Some(m) => Some(m),
                    None => fetch(
                        &agent,
                        store,
                        base,
                        *id,
                        |m| {
                            m.header().account() == account
                                && m.header().key().as_bytes() == &key
                                && m.header().seq() > after
                        },
                        &mut report,
                    )?,
                };
                if let Some(m) = held {
                    highest = highest.max(m.header().seq());
                }
            }
            // A full answer may have more after it; an answer that does not advance ends the key.
            if ids.len() < AFTER_LIMIT || highest == after {
                break;
            }
            after = highest;
        }
    }
    // Push what the node lacks by key and seq.
    for want in wants(&theirs, mine.keys()) {
        for id in store.after(account, want.key(), want.after(), usize::MAX)? {
            if let Some(m) = store.get(&id)? {
                push(&agent, base, &m, &mut report)?;
            }
        }
    }
    // Gaps and equivocations (09 §9.2): reconcile the account's items if the digests still differ.
    let (their_digest, _) = node_heads(&agent, base, account, &mut report)?;
    let mut reconciled = false;
    if &their_digest != store.heads(account)?.digest() {
        reconciled = true;
        let query = format!("?account={account}");
        let set = store.set(Some(account))?;
        let (need, have) = reconcile(&agent, base, &set, &query, max_rounds, &mut report)?;
        for id in need {
            fetch(
                &agent,
                store,
                base,
                id,
                |m| m.header().account() == account,
                &mut report,
            )?;
        }
        for id in have {
            if let Some(m) = store.get(&id)? {
                push(&agent, base, &m, &mut report)?;
            }
        }
    }
    let (their_digest, _) = node_heads(&agent, base, account, &mut report)?;
    let digest = (&their_digest == store.heads(account)?.digest()).then_some(their_digest);
    Ok(AccountReport {
        transfer: report,
        asked,
        reconciled,
        digest,
    })
}
