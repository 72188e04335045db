//! `sync`: the initiator side of a session over HTTP, then the transfers.

use std::time::Duration;

use rand_core::{OsRng, RngCore};
use skylark::cbor::MAX_SIZE;
use skylark::envelope::SignedMessage;
use skylark::sync::{Initiator, FRAME_LIMIT};

use super::{message_path, Store, FRAME_TYPE, MESSAGE_TYPE, RECONCILE};
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

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into()
}

fn http(url: &str, e: &ureq::Error) -> Error {
    Error::new(
        url,
        format!("request failed: {e}"),
        "check that `skylark serve` runs at that address",
    )
}

/// Reads a response body of at most `limit` bytes; `None` for a non-200 status.
fn body(
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

/// Runs one session with the node at `base`, then fetches and pushes.
pub fn sync(store: &Store, base: &str, max_rounds: u64) -> Result<Report, Error> {
    let agent = agent();
    let set = store.set()?;
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let mut initiator = Initiator::new(&set, salt);
    let mut report = Report {
        rounds: 0,
        sent: 0,
        received: 0,
        fetched: 0,
        pushed: 0,
        rejected: 0,
    };
    let url = format!("{base}{RECONCILE}");
    let mut frame = initiator.open();
    loop {
        if report.rounds >= max_rounds {
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
    for id in initiator.need() {
        let url = format!("{base}{}", message_path(&id));
        let response = agent.get(&url).call().map_err(|e| http(&url, &e))?;
        let (status, bytes) = body(&url, response, MAX_SIZE)?;
        // The bytes are the truth: verified, and they must be the message asked for.
        match SignedMessage::from_bytes(&bytes) {
            Ok(m) if status == 200 && m.id() == id => {
                store.add(&m)?;
                report.fetched += 1;
            }
            _ => report.rejected += 1,
        }
    }
    let url = format!("{base}{}", super::MESSAGES);
    for id in initiator.have() {
        let Some(m) = store.get(&id)? else { continue };
        let response = agent
            .post(&url)
            .content_type(MESSAGE_TYPE)
            .send(m.as_bytes())
            .map_err(|e| http(&url, &e))?;
        let (status, text) = body(&url, response, 1024)?;
        if status != 204 {
            return Err(Error::new(
                &url,
                format!(
                    "the node refused message {id}: {status} {}",
                    String::from_utf8_lossy(&text)
                ),
                "inspect that message with `skylark inspect`",
            ));
        }
        report.pushed += 1;
    }
    Ok(report)
}
