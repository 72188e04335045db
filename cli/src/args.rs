//! A small command-line parser: options with and without values, repeatable options, positionals.

use std::collections::{BTreeMap, BTreeSet};

use crate::Error;

/// The parsed arguments of one command.
pub struct Args {
    command: String,
    values: BTreeMap<String, Vec<String>>,
    switches: BTreeSet<String>,
    positional: Vec<String>,
}

/// The options of a command: `(name, takes a value)`.
pub type Spec = &'static [(&'static str, bool)];

impl Args {
    /// Parses `args` (without the program and command names) against `spec`. `--json` and `--help`
    /// are always accepted.
    pub fn parse(command: &str, args: &[String], spec: Spec) -> Result<Args, Error> {
        let mut parsed = Args {
            command: command.to_string(),
            values: BTreeMap::new(),
            switches: BTreeSet::new(),
            positional: Vec::new(),
        };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if arg == "--" {
                parsed.positional.extend(iter.by_ref().cloned());
                break;
            }
            let Some(flag) = arg.strip_prefix("--") else {
                if arg == "-h" {
                    parsed.switches.insert("help".into());
                } else {
                    parsed.positional.push(arg.clone());
                }
                continue;
            };
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (flag, None),
            };
            if name == "json" || name == "help" {
                parsed.switches.insert(name.into());
                continue;
            }
            let Some(&(_, takes_value)) = spec.iter().find(|(n, _)| *n == name) else {
                return Err(parsed.usage(&format!("unknown option --{name}")));
            };
            if takes_value {
                let value = match inline {
                    Some(v) => v,
                    None => iter
                        .next()
                        .cloned()
                        .ok_or_else(|| parsed.usage(&format!("--{name} needs a value")))?,
                };
                parsed.values.entry(name.into()).or_default().push(value);
            } else if inline.is_some() {
                return Err(parsed.usage(&format!("--{name} takes no value")));
            } else {
                parsed.switches.insert(name.into());
            }
        }
        Ok(parsed)
    }

    /// A usage error for this command.
    pub fn usage(&self, what: &str) -> Error {
        Error::new(
            format!("skylark {}", self.command),
            what,
            format!("see `skylark {} --help`", self.command),
        )
    }

    /// Whether switch `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.switches.contains(name)
    }

    /// Every value of the repeatable option `--name`.
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// The value of `--name`, if given (the last one if repeated).
    pub fn opt(&self, name: &str) -> Option<&str> {
        self.all(name).last().map(String::as_str)
    }

    /// The value of `--name`, which must be given.
    pub fn req(&self, name: &str) -> Result<&str, Error> {
        self.opt(name)
            .ok_or_else(|| self.usage(&format!("--{name} is required")))
    }

    /// The value of `--name` as a number, if given.
    pub fn number(&self, name: &str) -> Result<Option<u64>, Error> {
        self.opt(name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    Error::new(
                        format!("--{name} {v}"),
                        "not a whole number",
                        "write a number of milliseconds or a count, such as 1764115200000",
                    )
                })
            })
            .transpose()
    }

    /// The positional arguments.
    pub fn positional(&self) -> &[String] {
        &self.positional
    }
}
