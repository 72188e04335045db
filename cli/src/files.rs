//! Everything the tool reads and writes: secret key files, message files, logs, the clock.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use skylark::envelope::SignedMessage;
use skylark::id::{AccountId, MessageId};
use skylark::keys::{PublicKey, SecretKey};
use zeroize::Zeroize;

use crate::Error;

/// The first line of a secret key file.
const SECRET_HEADER: &str =
    "# skylark secret key: an Ed25519 seed (RFC 8032), hex. Keep it private.";

/// Reads a whole input: a file, or standard input for `-`.
pub fn read_input(name: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let result = if name == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        fs::File::open(name).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    result.map_err(|e| Error::io(name, &e))?;
    Ok(bytes)
}

/// Writes a new secret key file readable by its owner only; refuses to replace a file unless `force`.
pub fn write_secret(
    path: &str,
    seed: &[u8; 32],
    public: &PublicKey,
    force: bool,
) -> Result<(), Error> {
    let mut text = format!(
        "{SECRET_HEADER}\n# public key {public}\n{}\n",
        hex::encode(seed)
    );
    let mut options = fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = options.open(path).and_then(|mut file| {
        // An existing file keeps its mode when replaced: make it owner-only too.
        #[cfg(unix)]
        fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        file.write_all(text.as_bytes())
    });
    text.zeroize();
    result.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::new(
                path,
                "already exists",
                "choose another --out, or pass --force to replace it",
            )
        } else {
            Error::io(path, &e)
        }
    })
}

/// Reads a secret key file written by `skylark keygen`.
pub fn read_secret(path: &str) -> Result<SecretKey, Error> {
    let bytes = read_input(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let not_a_key = || {
        Error::new(
            path,
            "not a secret key file",
            "pass a file written by `skylark keygen --out FILE`",
        )
    };
    let line = lines.next().ok_or_else(not_a_key)?;
    if lines.next().is_some() || line.len() != 64 {
        return Err(not_a_key());
    }
    let mut seed = [0u8; 32];
    hex::decode_to_slice(line, &mut seed).map_err(|_| not_a_key())?;
    let key = SecretKey::from_seed(seed);
    seed.zeroize();
    #[cfg(unix)]
    if let Ok(meta) = fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!("skylark: {path}: warning: the secret key is readable by others (run `chmod 600 {path}`)");
        }
    }
    Ok(key)
}

/// A public key: its text form `pub_…`, or the public key of a secret key file.
pub fn public_key(arg: &str) -> Result<PublicKey, Error> {
    if arg.starts_with("pub_") {
        return arg.parse().map_err(|e: skylark::id::ParseIdError| {
            Error::new(
                arg,
                format!("not a valid public key: {e} [{}]", e.code()),
                "copy the pub_… text printed by `skylark keygen`",
            )
        });
    }
    Ok(read_secret(arg)?.public_key())
}

/// The secret key of a key named as `PUB|FILE` that must accept its new role (spec 06 ACCT-10):
/// only a secret key file can.
pub fn accepting_key(arg: &str) -> Result<SecretKey, Error> {
    if arg.starts_with("pub_") {
        return Err(Error::new(
            arg,
            "a key newly named in an operation must accept its role, and a public key cannot sign",
            "pass the key's secret key file (spec 06 ACCT-10: proof of possession)",
        ));
    }
    read_secret(arg)
}

/// An account id in its text form.
pub fn account_id(arg: &str) -> Result<AccountId, Error> {
    arg.parse().map_err(|e: skylark::id::ParseIdError| {
        Error::new(
            arg,
            format!("not an account id: {e} [{}]", e.code()),
            "copy the acct_… text printed by `skylark account new`",
        )
    })
}

/// A message id: its text form `msg_…`, or the id of the (last) message in a message file.
pub fn message_id(arg: &str) -> Result<MessageId, Error> {
    if arg.starts_with("msg_") {
        return arg.parse().map_err(|e: skylark::id::ParseIdError| {
            Error::new(
                arg,
                format!("not a message id: {e} [{}]", e.code()),
                "copy a msg_… id, or name a file holding the message",
            )
        });
    }
    Ok(last_message(arg)?.id())
}

/// The last message of a message file.
pub fn last_message(path: &str) -> Result<SignedMessage, Error> {
    read_messages(path)?.pop().ok_or_else(|| {
        Error::new(
            path,
            "holds no message",
            "name a file written by a signing command",
        )
    })
}

/// One input read as messages: raw bytes of one message, or text with one message in hex per line
/// (blank lines and lines starting with `#` ignored).
pub struct Input {
    /// Where it came from, for messages and errors ("file", "file:3").
    pub name: String,
    /// The message bytes.
    pub bytes: Vec<u8>,
}

/// Splits an input into messages. Text made only of printable ASCII is hex (one message a line);
/// anything else is the raw bytes of one message (a message starts with a CBOR map head, 0xa0..).
pub fn split_input(name: &str, data: Vec<u8>, raw: bool) -> Result<Vec<Input>, Error> {
    let text_like = data
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if raw || !text_like {
        return Ok(vec![Input {
            name: name.to_string(),
            bytes: data,
        }]);
    }
    let text = String::from_utf8_lossy(&data);
    let mut inputs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{name}:{}", n + 1);
        let hex_text: String = line.split_whitespace().collect();
        let bad = hex_text
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_hexdigit());
        let bytes = match (bad, hex::decode(&hex_text)) {
            (None, Ok(bytes)) => bytes,
            (bad, _) => {
                let what = match bad {
                    Some((i, c)) => format!("{c:?} at column {} is not a hex digit", i + 1),
                    None => "an odd number of hex digits (a byte is two)".to_string(),
                };
                return Err(Error::new(
                    &at,
                    format!("malformed hex: {what}"),
                    "give one message per line as an even number of hex digits, or raw bytes with --raw",
                ));
            }
        };
        inputs.push(Input { name: at, bytes });
    }
    if inputs.is_empty() {
        return Err(Error::new(
            name,
            "holds no message",
            "give a message as hex or raw bytes",
        ));
    }
    Ok(inputs)
}

/// Every message of a message file, each verified (layer 1).
pub fn read_messages(path: &str) -> Result<Vec<SignedMessage>, Error> {
    let data = read_input(path)?;
    split_input(path, data, false)?
        .into_iter()
        .map(|input| {
            SignedMessage::from_bytes(&input.bytes).map_err(|e| {
                Error::new(
                    &input.name,
                    format!("not a signed message: {e} [{} {}]", e.code(), e.rule()),
                    "run `skylark inspect` on it to see why",
                )
            })
        })
        .collect()
}

/// The messages of a log file, or none if it does not exist yet.
pub fn read_log(path: &str) -> Result<Vec<SignedMessage>, Error> {
    if Path::new(path).exists() {
        read_messages(path)
    } else {
        Ok(Vec::new())
    }
}

/// Appends a message to a log file as one hex line.
pub fn append_log(path: &str, message: &SignedMessage) -> Result<(), Error> {
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| writeln!(f, "{}", hex::encode(message.as_bytes())))
        .map_err(|e| Error::io(path, &e))
}

/// The time now, in milliseconds since the Unix epoch.
pub fn now() -> Result<u64, Error> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_millis()).ok())
        .ok_or_else(|| {
            Error::new(
                "clock",
                "the system clock is before 1970",
                "set the clock, or pass --time/--now",
            )
        })
}

/// A time in milliseconds since the Unix epoch as an RFC 3339 UTC date.
pub fn utc(ms: u64) -> String {
    let (days, rest) = (ms / 86_400_000, ms % 86_400_000);
    // Civil-from-days (H. Hinnant), for days since 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1_000 % 60,
        rest % 1_000
    )
}
