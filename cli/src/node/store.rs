//! The node's message store: one SQLite file (embedded, compiled in), one table of verified
//! messages keyed by id. Only bytes that pass layer-1 verification (04) are stored; layer-2 validity
//! depends on what else the node holds and is decided when the state is computed.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use skylark::envelope::SignedMessage;
use skylark::id::MessageId;
use skylark::sync::{Item, Set};

use crate::Error;

/// A store opened on a file.
pub struct Store {
    conn: Connection,
    path: String,
}

impl Store {
    /// Opens (creating if needed) the store in `path`. Several processes may open one file: writes
    /// wait up to five seconds for each other.
    pub fn open(path: &str) -> Result<Store, Error> {
        let conn = Connection::open(path).map_err(|e| db(path, &e))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| db(path, &e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS messages (
                 id    BLOB PRIMARY KEY,
                 time  INTEGER NOT NULL,
                 bytes BLOB NOT NULL
             ) WITHOUT ROWID;",
        )
        .map_err(|e| db(path, &e))?;
        Ok(Store {
            conn,
            path: path.to_string(),
        })
    }

    /// Stores a verified message; `false` if it was already held.
    pub fn add(&self, message: &SignedMessage) -> Result<bool, Error> {
        let time = i64::try_from(message.header().time()).map_err(|_| {
            Error::new(
                &self.path,
                "a message time beyond 2^63",
                "this cannot happen for a verified message; report it",
            )
        })?;
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO messages (id, time, bytes) VALUES (?1, ?2, ?3)",
                params![&message.id().as_bytes()[..], time, message.as_bytes()],
            )
            .map_err(|e| db(&self.path, &e))?;
        Ok(n == 1)
    }

    /// The message with this id, verified again as it is read (the file could have been edited).
    pub fn get(&self, id: &MessageId) -> Result<Option<SignedMessage>, Error> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT bytes FROM messages WHERE id = ?1",
                params![&id.as_bytes()[..]],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| db(&self.path, &e))?;
        bytes
            .map(|b| {
                SignedMessage::from_bytes(&b)
                    .ok()
                    .filter(|m| m.id() == *id)
                    .ok_or_else(|| corrupt(&self.path))
            })
            .transpose()
    }

    /// Every message held.
    pub fn all(&self) -> Result<Vec<SignedMessage>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT bytes FROM messages ORDER BY time, id")
            .map_err(|e| db(&self.path, &e))?;
        let rows = stmt
            .query_map([], |row| row.get::<_, Vec<u8>>(0))
            .map_err(|e| db(&self.path, &e))?;
        let mut out = Vec::new();
        for bytes in rows {
            let bytes = bytes.map_err(|e| db(&self.path, &e))?;
            out.push(SignedMessage::from_bytes(&bytes).map_err(|_| corrupt(&self.path))?);
        }
        Ok(out)
    }

    /// The reconciliation items (time, id) of every message held.
    pub fn set(&self) -> Result<Set, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT time, id FROM messages")
            .map_err(|e| db(&self.path, &e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| db(&self.path, &e))?;
        let mut items = Vec::new();
        for row in rows {
            let (time, id) = row.map_err(|e| db(&self.path, &e))?;
            let time = u64::try_from(time).map_err(|_| corrupt(&self.path))?;
            let id: [u8; 32] = id.try_into().map_err(|_| corrupt(&self.path))?;
            items.push(Item::new(time, MessageId::from_bytes(id)));
        }
        Set::new(items).map_err(|_| corrupt(&self.path))
    }
}

fn db(path: &str, e: &rusqlite::Error) -> Error {
    Error::new(
        path,
        format!("database error: {e}"),
        "check that the file is a Skylark store (created by `skylark store add` or `serve`)",
    )
}

fn corrupt(path: &str) -> Error {
    Error::new(
        path,
        "holds a row that is not a verified message under its id",
        "the file was edited by something else; rebuild the store from your message files",
    )
}
