//! The node's message store: one SQLite file (embedded, compiled in), one table of verified
//! messages keyed by id. Only bytes that pass layer-1 verification (04) are stored; layer-2 validity
//! depends on what else the node holds and is decided when the state is computed. Each row also
//! records the message's account, key and `seq`, for per-account sync (09 §9).

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use skylark::envelope::SignedMessage;
use skylark::id::{AccountId, MessageId};
use skylark::sync::{AccountHeads, Item, Set};

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
                 bytes BLOB NOT NULL,
                 acct  BLOB,
                 key   BLOB,
                 seq   INTEGER
             ) WITHOUT ROWID;",
        )
        .map_err(|e| db(path, &e))?;
        let store = Store {
            conn,
            path: path.to_string(),
        };
        store.upgrade()?;
        store.dm_tables()?;
        store
            .conn
            .execute_batch("CREATE INDEX IF NOT EXISTS by_account ON messages (acct, key, seq);")
            .map_err(|e| db(path, &e))?;
        Ok(store)
    }

    /// A store written before per-account sync has no `acct`, `key` and `seq` columns: adds them
    /// and fills them from each row's bytes.
    fn upgrade(&self) -> Result<(), Error> {
        let has_acct: bool = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('messages') WHERE name = 'acct'",
                [],
                |row| row.get::<_, i64>(0),
            )
            .map_err(|e| db(&self.path, &e))?
            == 1;
        if has_acct {
            return Ok(());
        }
        self.conn
            .execute_batch(
                "ALTER TABLE messages ADD COLUMN acct BLOB;
                 ALTER TABLE messages ADD COLUMN key BLOB;
                 ALTER TABLE messages ADD COLUMN seq INTEGER;",
            )
            .map_err(|e| db(&self.path, &e))?;
        for m in self.all()? {
            self.conn
                .execute(
                    "UPDATE messages SET acct = ?2, key = ?3, seq = ?4 WHERE id = ?1",
                    params![
                        &m.id().as_bytes()[..],
                        &m.header().account().as_bytes()[..],
                        &m.header().key().as_bytes()[..],
                        seq_of(&m),
                    ],
                )
                .map_err(|e| db(&self.path, &e))?;
        }
        Ok(())
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
                "INSERT OR IGNORE INTO messages (id, time, bytes, acct, key, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    &message.id().as_bytes()[..],
                    time,
                    message.as_bytes(),
                    &message.header().account().as_bytes()[..],
                    &message.header().key().as_bytes()[..],
                    seq_of(message),
                ],
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

    /// How many messages the store holds.
    pub fn count(&self) -> Result<u64, Error> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM messages", [], |row| row.get(0))
            .map_err(|e| db(&self.path, &e))?;
        u64::try_from(n).map_err(|_| corrupt(&self.path))
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

    /// The reconciliation items (time, id) of every message held, or of the messages of one account.
    pub fn set(&self, account: Option<&AccountId>) -> Result<Set, Error> {
        let (sql, acct) = match account {
            None => ("SELECT time, id FROM messages", Vec::new()),
            Some(a) => (
                "SELECT time, id FROM messages WHERE acct = ?1",
                vec![a.as_bytes().to_vec()],
            ),
        };
        let mut stmt = self.conn.prepare(sql).map_err(|e| db(&self.path, &e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(acct.iter()), |row| {
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

impl Store {
    /// What the store holds of one account (09 SYNC-10): its key heads and account digest.
    pub fn heads(&self, account: &AccountId) -> Result<AccountHeads, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, seq, id FROM messages WHERE acct = ?1")
            .map_err(|e| db(&self.path, &e))?;
        let rows = stmt
            .query_map(params![&account.as_bytes()[..]], |row| {
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(|e| db(&self.path, &e))?;
        let mut entries = Vec::new();
        for row in rows {
            let (key, seq, id) = row.map_err(|e| db(&self.path, &e))?;
            let key: [u8; 32] = key.try_into().map_err(|_| corrupt(&self.path))?;
            let seq = u64::try_from(seq).map_err(|_| corrupt(&self.path))?;
            let id: [u8; 32] = id.try_into().map_err(|_| corrupt(&self.path))?;
            entries.push((key, seq, MessageId::from_bytes(id)));
        }
        AccountHeads::new(*account, entries).map_err(|_| corrupt(&self.path))
    }

    /// The ids of the messages of `account` signed by `key` with `seq > after`, by (seq, id), at
    /// most `limit` of them (09 §9.1; 10 §2).
    pub fn after(
        &self,
        account: &AccountId,
        key: &[u8; 32],
        after: u64,
        limit: usize,
    ) -> Result<Vec<MessageId>, Error> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id FROM messages WHERE acct = ?1 AND key = ?2 AND seq > ?3
                 ORDER BY seq, id LIMIT ?4",
            )
            .map_err(|e| db(&self.path, &e))?;
        let rows = stmt
            .query_map(
                params![&account.as_bytes()[..], &key[..], after, limit],
                |row| row.get::<_, Vec<u8>>(0),
            )
            .map_err(|e| db(&self.path, &e))?;
        let mut out = Vec::new();
        for id in rows {
            let id: [u8; 32] = id
                .map_err(|e| db(&self.path, &e))?
                .try_into()
                .map_err(|_| corrupt(&self.path))?;
            out.push(MessageId::from_bytes(id));
        }
        Ok(out)
    }
}

/// A verified message's `seq` as SQLite stores it (at most 2^53 − 1, ENV-8).
fn seq_of(m: &SignedMessage) -> i64 {
    i64::try_from(m.header().seq()).unwrap_or(i64::MAX)
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

/// One sealed item in a relay's mailbox (10 §5): its arrival number, stamp and sealed bytes.
pub struct DmItem {
    pub n: u64,
    pub stamp: Vec<u8>,
    pub sealed: Vec<u8>,
}

/// A device's key set as the store keeps it: its account, its bundle message and its secrets.
pub struct DmDevice {
    pub account: AccountId,
    pub bundle: SignedMessage,
    pub secrets: Vec<u8>,
}

impl Store {
    fn dm_tables(&self) -> Result<(), Error> {
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS dm_items (
                     n      INTEGER PRIMARY KEY AUTOINCREMENT,
                     prefix INTEGER NOT NULL,
                     stamp  BLOB NOT NULL,
                     sealed BLOB NOT NULL UNIQUE
                 );
                 CREATE INDEX IF NOT EXISTS dm_by_prefix ON dm_items (prefix, n);
                 CREATE TABLE IF NOT EXISTS dm_devices (
                     device  BLOB PRIMARY KEY,
                     account BLOB NOT NULL,
                     bundle  BLOB NOT NULL,
                     secrets BLOB NOT NULL
                 );
                 CREATE TABLE IF NOT EXISTS dm_seen (id BLOB PRIMARY KEY, time INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS dm_cursor (
                     url TEXT NOT NULL, prefix INTEGER NOT NULL, after INTEGER NOT NULL,
                     PRIMARY KEY (url, prefix)
                 );",
            )
            .map_err(|e| db(&self.path, &e))
    }

    /// Files a sealed item under the first byte of its tag; `false` if it was already held.
    pub fn dm_file(&self, prefix: u8, stamp: &[u8], sealed: &[u8]) -> Result<bool, Error> {
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO dm_items (prefix, stamp, sealed) VALUES (?1, ?2, ?3)",
                params![prefix, stamp, sealed],
            )
            .map_err(|e| db(&self.path, &e))?;
        Ok(n == 1)
    }

    /// The items filed under `prefix` that arrived after item `after`, in arrival order, at most
    /// `limit` of them.
    pub fn dm_mailbox(&self, prefix: u8, after: u64, limit: usize) -> Result<Vec<DmItem>, Error> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT n, stamp, sealed FROM dm_items WHERE prefix = ?1 AND n > ?2
                 ORDER BY n LIMIT ?3",
            )
            .map_err(|e| db(&self.path, &e))?;
        let rows = stmt
            .query_map(params![prefix, after, limit], |row| {
                Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?))
            })
            .map_err(|e| db(&self.path, &e))?;
        let mut out = Vec::new();
        for row in rows {
            let (n, stamp, sealed) = row.map_err(|e| db(&self.path, &e))?;
            let n = u64::try_from(n).map_err(|_| corrupt(&self.path))?;
            out.push(DmItem { n, stamp, sealed });
        }
        Ok(out)
    }

    /// Keeps (or replaces) a device's key set.
    pub fn dm_put_device(&self, device: &[u8; 16], d: &DmDevice) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO dm_devices (device, account, bundle, secrets)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    &device[..],
                    &d.account.as_bytes()[..],
                    d.bundle.as_bytes(),
                    &d.secrets
                ],
            )
            .map_err(|e| db(&self.path, &e))?;
        Ok(())
    }

    /// Every device key set the store keeps.
    pub fn dm_devices(&self) -> Result<Vec<DmDevice>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT account, bundle, secrets FROM dm_devices ORDER BY device")
            .map_err(|e| db(&self.path, &e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get::<_, Vec<u8>>(1)?,
                    row.get(2)?,
                ))
            })
            .map_err(|e| db(&self.path, &e))?;
        let mut out = Vec::new();
        for row in rows {
            let (account, bundle, secrets) = row.map_err(|e| db(&self.path, &e))?;
            let account: [u8; 32] = account.try_into().map_err(|_| corrupt(&self.path))?;
            out.push(DmDevice {
                account: AccountId::from_bytes(account),
                bundle: SignedMessage::from_bytes(&bundle).map_err(|_| corrupt(&self.path))?,
                secrets,
            });
        }
        Ok(out)
    }

    /// Whether an inner message id was opened already (DM-9).
    pub fn dm_seen(&self, id: &MessageId) -> Result<bool, Error> {
        self.conn
            .query_row(
                "SELECT 1 FROM dm_seen WHERE id = ?1",
                params![&id.as_bytes()[..]],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| db(&self.path, &e))
    }

    /// Records an opened inner message's id and time; forgets ids older than `forget_before`
    /// (DM-17 refuses those anyway, so the set stays bounded).
    pub fn dm_mark_seen(&self, id: &MessageId, time: u64, forget_before: u64) -> Result<(), Error> {
        let time = i64::try_from(time).unwrap_or(i64::MAX);
        let before = i64::try_from(forget_before).unwrap_or(i64::MAX);
        self.conn
            .execute_batch("BEGIN")
            .and_then(|()| {
                self.conn.execute(
                    "INSERT OR IGNORE INTO dm_seen (id, time) VALUES (?1, ?2)",
                    params![&id.as_bytes()[..], time],
                )
            })
            .and_then(|_| {
                self.conn
                    .execute("DELETE FROM dm_seen WHERE time < ?1", params![before])
            })
            .and_then(|_| self.conn.execute_batch("COMMIT"))
            .map_err(|e| db(&self.path, &e))
    }

    /// How far this store has read the mailbox `prefix` of the relay at `url`.
    pub fn dm_cursor(&self, url: &str, prefix: u8) -> Result<u64, Error> {
        let after: Option<i64> = self
            .conn
            .query_row(
                "SELECT after FROM dm_cursor WHERE url = ?1 AND prefix = ?2",
                params![url, prefix],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| db(&self.path, &e))?;
        Ok(after.and_then(|a| u64::try_from(a).ok()).unwrap_or(0))
    }

    /// Records how far the mailbox `prefix` of the relay at `url` was read.
    pub fn dm_set_cursor(&self, url: &str, prefix: u8, after: u64) -> Result<(), Error> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.conn
            .execute(
                "INSERT OR REPLACE INTO dm_cursor (url, prefix, after) VALUES (?1, ?2, ?3)",
                params![url, prefix, after],
            )
            .map_err(|e| db(&self.path, &e))?;
        Ok(())
    }
}
