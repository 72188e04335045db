//! Moderation services (08 §14): declarations (DM-24, DM-25), written from the spec.

use super::*;

/// One label definition as a declaration writes it.
fn definition(
    value: &str,
    severity: &str,
    blur: &str,
    default: &str,
    locales: &[(&str, &str, &str)],
) -> Value {
    m(vec![
        ("value", t(value)),
        ("severity", t(severity)),
        ("blur", t(blur)),
        ("default", t(default)),
        (
            "locales",
            Value::A(
                locales
                    .iter()
                    .map(|(lang, name, description)| {
                        m(vec![
                            ("lang", t(lang)),
                            ("name", t(name)),
                            ("description", t(description)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

/// One report key as a declaration writes it, listing [`RELAY`].
fn report_key(desk: &Device, expires: u64) -> Value {
    report_key_with(desk, expires, &[RELAY], None)
}

/// One report key with its relays (none: no `relays`) and its gate (none: no `gate`).
fn report_key_with(
    desk: &Device,
    expires: u64,
    relays: &[&str],
    gate: Option<&super::gate::Gate>,
) -> Value {
    let mut e = vec![
        ("key", Value::B(desk.r().to_vec())),
        ("pq", Value::B(desk.pq())),
        ("expires", Value::U(expires)),
    ];
    if !relays.is_empty() {
        e.push(("relays", Value::A(relays.iter().map(|r| t(r)).collect())));
    }
    if let Some(g) = gate {
        e.push(("gate", g.value()));
    }
    m(e)
}

/// The body of a declaration.
fn declaration(keys: Vec<Value>, reasons: &[&str], labels: Vec<Value>) -> Value {
    m(vec![
        ("keys", Value::A(keys)),
        ("reasons", Value::A(reasons.iter().map(|r| t(r)).collect())),
        ("labels", Value::A(labels)),
    ])
}

/// The service's desk: the key set that opens reports, and the declaration every vector starts from.
pub(super) struct Service {
    pub account: Account,
    pub desk: Device,
    pub at: u64,
}

impl Service {
    pub(super) fn new() -> Service {
        Service {
            account: account_with("service", Some(&["service"])),
            desk: Device::new("service desk", 0),
            at: T0 + DAY,
        }
    }

    fn labels() -> Vec<Value> {
        vec![
            definition(
                "spam",
                "inform",
                "none",
                "warn",
                &[
                    ("en", "Spam", "Unsolicited bulk posting."),
                    ("de", "Spam", "Unerwünschte Massenbeiträge."),
                ],
            ),
            definition(
                "gore",
                "alert",
                "media",
                "hide",
                &[("en", "Gore", "Graphic injury or death.")],
            ),
            definition(
                "com.example.scam",
                "alert",
                "content",
                "hide",
                &[("en", "Scam", "Fraud that asks for money or credentials.")],
            ),
        ]
    }

    pub(super) const REASONS: [&'static str; 4] = ["spam", "harassment", "illegal", "other"];

    pub(super) fn body(&self) -> Value {
        declaration(
            vec![report_key(&self.desk, self.at + 14 * DAY)],
            &Self::REASONS,
            Self::labels(),
        )
    }

    pub(super) fn message(&self, key: &Key, body: Value) -> Msg {
        sign(key, &self.account.id, 1, None, "service", self.at, body)
    }
}

const REPORT_SIG_PREFIX: &[u8] = b"skylark v1 report\0";
const CTX_REPORT_ID: &str = "skylark v1 report id";

/// A report body (05 §5.9).
fn report_body(
    service: &[u8],
    reason: &str,
    subject: (&'static str, Vec<u8>),
    text: Option<&str>,
) -> Value {
    let mut e = vec![
        ("service", Value::B(service.to_vec())),
        ("reason", t(reason)),
        (subject.0, Value::B(subject.1)),
    ];
    if let Some(x) = text {
        e.push(("text", t(x)));
    }
    m(e)
}

/// An inner report: `[payload, signature]` under the report context (08 §14.2).
fn report_inner(
    reporter: &Account,
    key: &Key,
    time: u64,
    report: Value,
    extra: Vec<(&str, Value)>,
) -> Inner {
    let mut e = vec![
        ("acct", Value::B(reporter.id.clone())),
        ("key", Value::B(key.pk.to_vec())),
        ("time", Value::U(time)),
        ("report", report),
    ];
    e.extend(extra);
    let p = encode(&m(e));
    let sig = key.sign(&[REPORT_SIG_PREFIX, &p].concat());
    let bytes = encode(&Value::A(vec![Value::B(p), Value::B(sig.to_vec())]));
    Inner {
        id: blake3::derive_key(CTX_REPORT_ID, &bytes).to_vec(),
        bytes,
    }
}

/// Sealed-report vectors (types `report_seal` and `report_open`), 08 §14.2, §14.3.
#[allow(clippy::type_complexity)]
pub(super) fn sealed(alice: &Account, bob: &Account, out: &mut Vec<J>) {
    let s = Service::new();
    let reporter = account_with("reporter", Some(&["report"]));
    let declaration = s.message(&s.account.extra, s.body());
    let old_desk = Device::new("service old desk", 0);
    let now = s.at + MIN;
    let time = s.at + 30_000;
    let all = ops_json(&[alice, bob, &reporter, &s.account]);
    let harass = report_body(
        &s.account.id,
        "harassment",
        ("account", bob.id.clone()),
        Some("He keeps writing to me after I blocked him."),
    );
    let good = report_inner(&reporter, &reporter.extra, time, harass.clone(), vec![]);
    let illegal_post = super::secret("a post with illegal material").to_vec();
    let illegal = report_inner(
        &reporter,
        &reporter.extra,
        time,
        report_body(&s.account.id, "illegal", ("message", illegal_post), None),
        vec![],
    );

    // Byte-exact sealing of the two valid reports to the declared key (no one-time prekey).
    let mut sealed_of = std::collections::BTreeMap::new();
    for (id, description, inner) in [
        ("report-seal-harassment", "a reporter seals a harassment report about bob's account, with a text, to the service's declared key: the construction of 08 §5.4 with the declared key as signed prekey, no one-time prekey, the 512 bucket", &good),
        ("report-seal-illegal", "a report of a message for \"illegal\", sealed to the declared key: nodes and relays never see what was reported", &illegal),
    ] {
        let (mut v, sealed) = seal_vector(id, description, inner, &s.desk, None);
        if let J::O(members) = &mut v {
            for (k, x) in members.iter_mut() {
                if k == "type" {
                    *x = J::from("report_seal");
                }
            }
        }
        out.push(v);
        sealed_of.insert(id, sealed);
    }
    let honest = |inner: &Inner, label: &str| seal_to(inner, &s.desk, None, label, None).0.sealed;
    let mut tampered = sealed_of["report-seal-harassment"].clone();
    let n = tampered.len();
    tampered[n - 1] ^= 1;
    let dm_inner = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            time,
            &[&s.account.id],
            "a direct message, not a report",
            vec![],
        ),
        &alice.dm,
    );
    let desk = || vec![s.desk.keys_json(&[]), old_desk.keys_json(&[])];
    let only_other = || vec![old_desk.keys_json(&[])];
    let signed_by = |key: &Key, label: &str| {
        honest(
            &report_inner(&reporter, key, time, harass.clone(), vec![]),
            label,
        )
    };
    let body_with = |body: Value, label: &str| {
        honest(
            &report_inner(&reporter, &reporter.extra, time, body, vec![]),
            label,
        )
    };
    let cases: Vec<(&str, &str, Vec<u8>, Vec<J>, J, u64, Vec<Vec<u8>>, Result<&Inner, &str>)> = vec![
        ("report-open-harassment", "the service opens the harassment report: sealed to its declared key, signed by the reporter's key whose scope names report, a reason it accepts", sealed_of["report-seal-harassment"].clone(), desk(), all.clone(), now, vec![], Ok(&good)),
        ("threat-report-illegal-sealed", "the service opens the report of illegal material; no public message names the post or the reporter (05 REPORT-3)", sealed_of["report-seal-illegal"].clone(), desk(), all.clone(), now, vec![], Ok(&illegal)),
        ("threat-report-undeclared-key", "a report sealed to a key the service's latest declaration does not list (an older desk key it still holds): refused, so reports reach only the keys the service currently declares", seal_to(&good, &old_desk, None, "report undeclared", None).0.sealed, desk(), all.clone(), now, vec![], Err("dm.report_undeclared_key")),
        ("report-unknown-key", "the service holds no key set with the sealed tag", sealed_of["report-seal-harassment"].clone(), only_other(), all.clone(), now, vec![], Err("dm.unknown_key")),
        ("report-tampered", "the last byte of the sealed report flipped", tampered, desk(), all.clone(), now, vec![], Err("dm.tampered")),
        ("threat-dm-as-report", "a direct message (signed under the DM context) sealed to the report key does not verify as a report: the two contexts never stand for each other", honest(&dm_inner, "dm as report"), desk(), all.clone(), now, vec![], Err("dm.inner_signature")),
        ("report-payload-unknown-field", "the inner report's payload has a key \"note\" that reports do not define", honest(&report_inner(&reporter, &reporter.extra, time, harass.clone(), vec![("note", t("x"))]), "report note"), desk(), all.clone(), now, vec![], Err("dm.report_body")),
        ("report-payload-not-a-map", "the payload's report is a text, not a report body", body_with(t("spam"), "report text"), desk(), all.clone(), now, vec![], Err("dm.report_body")),
        ("report-body-reason-invalid", "a report body with the reason \"rude\" (REPORT-1)", body_with(report_body(&s.account.id, "rude", ("account", bob.id.clone()), None), "report rude"), desk(), all.clone(), now, vec![], Err("msg.invalid_reason")),
        ("report-body-two-subjects", "a report body naming an account and a message (REPORT-2)", body_with({ let Value::M(mut e) = report_body(&s.account.id, "spam", ("account", bob.id.clone()), None) else { unreachable!() }; e.push(("message".into(), Value::B(vec![7; 32]))); Value::M(e) }, "report two"), desk(), all.clone(), now, vec![], Err("msg.subject")),
        ("report-body-text-1001", "a report text of 1001 scalars (MSG-1)", body_with(report_body(&s.account.id, "spam", ("account", bob.id.clone()), Some(&"x".repeat(1001))), "report long"), desk(), all.clone(), now, vec![], Err("msg.too_long")),
        ("report-other-service", "a report sealed to this service's key that names another service: not for this opener", body_with(report_body(&alice.id, "harassment", ("account", bob.id.clone()), None), "report other"), desk(), all.clone(), now, vec![], Err("dm.wrong_recipient")),
        ("report-reason-undeclared", "the reason \"hate\" is one of REPORT-1's ten but not one the service accepts", body_with(report_body(&s.account.id, "hate", ("account", bob.id.clone()), None), "report hate"), desk(), all.clone(), now, vec![], Err("dm.report_reason")),
        ("report-outside-window", "opened 38 days after the report's time", sealed_of["report-seal-harassment"].clone(), desk(), all.clone(), time + WINDOW + 1, vec![], Err("dm.outside_window")),
        ("report-replay", "the same report opened a second time (its id is in seen)", sealed_of["report-seal-harassment"].clone(), desk(), all.clone(), now, vec![good.id.clone()], Err("dm.replay")),
        ("threat-report-wildcard-app", "a report in the reporter's name signed by its wildcard app key: a wildcard never covers report, so an app given [\"*\"] to post cannot file reports the service would attribute to the user", signed_by(&reporter.wild, "report wild"), desk(), all.clone(), now, vec![], Err("dm.reporter_unauthorized")),
        ("report-dm-key", "signed by the reporter's DM key (scope [dm, prekey]): report must be named", signed_by(&reporter.dm, "report dm key"), desk(), all.clone(), now, vec![], Err("dm.reporter_unauthorized")),
        ("threat-report-forged-reporter", "a key the reporter's account never delegated signs a report in its name", signed_by(&Key::from_label("dm mallory report key"), "report forged"), desk(), all.clone(), now, vec![], Err("dm.reporter_unauthorized")),
        ("report-reporter-unknown", "the service's state does not know the reporter's account", sealed_of["report-seal-harassment"].clone(), desk(), ops_json(&[&s.account]), now, vec![], Err("dm.reporter_unauthorized")),
    ];
    // The service rotates: a later declaration puts a new desk key first and keeps listing the
    // key the reporter sealed to until it expires (08 §14.1), so a report in flight still opens.
    let rotated = sign(
        &s.account.extra,
        &s.account.id,
        2,
        Some(&declaration.id),
        "service",
        s.at + 30 * MIN,
        super::report::declaration(
            vec![
                report_key(&Device::new("service desk 2", 0), s.at + 28 * DAY),
                report_key(&s.desk, s.at + 14 * DAY),
            ],
            &Service::REASONS,
            vec![],
        ),
    );
    let rotation = (
        "report-open-previous-key",
        "a reporter that has not seen the service's newest declaration seals to the key of the one before; the newest lists a new desk key first and still lists that key until it expires (08 §14.1), so the report opens",
        sealed_of["report-seal-harassment"].clone(),
        desk(),
        all.clone(),
        s.at + 45 * MIN,
        vec![],
        Ok(&good),
    );
    let rows = cases
        .into_iter()
        .map(|c| (c, &declaration))
        .chain(std::iter::once((rotation, &rotated)));
    for ((id, description, sealed, keys, accounts, at, seen, result), held) in rows {
        let mut extra = vec![
            ("type", J::from("report_open")),
            ("sealed", hex(&sealed).into()),
            ("opener", hex(&s.account.id).into()),
            ("keys", J::A(keys)),
            ("declaration", hex(&held.full).into()),
            ("accounts", accounts),
            ("now", J::U(at)),
            (
                "seen",
                strs(&seen.iter().map(|x| hex(x)).collect::<Vec<_>>()),
            ),
        ];
        let (rules, error) = match result {
            Ok(inner) => {
                extra.push(("inner", hex(&inner.bytes).into()));
                extra.push(("report_id", hex(&inner.id).into()));
                extra.push(("reporter", hex(&reporter.id).into()));
                (
                    vec![
                        "DM-1", "DM-2", "DM-4", "DM-5", "DM-6", "DM-8", "DM-9", "DM-17", "DM-26",
                        "DM-27", "DM-28", "DM-29", "REPORT-1", "REPORT-2",
                    ],
                    None,
                )
            }
            Err(code) => (vec![rule(code)], Some(code)),
        };
        out.push(vector(id, description, &rules, error, extra));
    }
}

/// Declaration vectors (type `service`); the table is tuples, one row per case.
#[allow(clippy::type_complexity)]
pub(super) fn vectors(other: &Account, out: &mut Vec<J>) {
    let s = Service::new();
    let acct = &s.account;
    let all = ops_json(&[other, acct]);
    let good = s.body();
    let with = |f: &dyn Fn(&mut Vec<(String, Value)>)| {
        let Value::M(mut entries) = s.body() else {
            unreachable!()
        };
        f(&mut entries);
        Value::M(entries)
    };
    let set = |e: &mut Vec<(String, Value)>, k: &str, v: Value| {
        e.iter_mut().find(|(n, _)| n == k).expect("key").1 = v;
    };
    let key_with = |expires: u64, pq: Vec<u8>| {
        m(vec![
            ("key", Value::B(s.desk.r().to_vec())),
            ("pq", Value::B(pq)),
            ("expires", Value::U(expires)),
        ])
    };
    let mut bad_pq = s.desk.pq();
    bad_pq[0] = 0xff;
    bad_pq[1] |= 0x0f;
    let one = |value: &str, locales: &[(&str, &str, &str)]| {
        definition(value, "alert", "none", "warn", locales)
    };
    let en = [("en", "Name", "A description.")];
    let second = Device::new("service desk 2", 0);
    let pow8 = super::gate::Gate {
        accept: "all",
        pow: 8,
        tokens: vec![super::gate::commitment(&super::secret(
            "service desk token",
        ))],
    };
    let cases: Vec<(&str, &str, Result<(), &str>, Msg, J)> = vec![
        ("service-valid", "a moderation service declares one report key, four reasons and three label definitions (one custom, one in two languages), signed by its key whose scope names service", Ok(()), s.message(&acct.extra, good.clone()), all.clone()),
        ("service-two-keys", "two report keys (a second desk) and no label definitions", Ok(()), s.message(&acct.extra, declaration(vec![report_key(&s.desk, s.at + DAY), report_key(&second, s.at + 30 * DAY)], &["spam"], vec![])), all.clone()),
        ("service-namespaced-fields", "a namespaced key in the body is kept and ignored", Ok(()), s.message(&acct.extra, with(&|e| { e.push(("com.example.url".into(), t("https://mod.example"))); })), all.clone()),
        ("threat-declaration-wildcard-app", "an app key with scope [\"*\"] (given for posting) declares report keys whose secrets it keeps, to read the reports: a wildcard never covers service", Err("dm.declaration_unauthorized"), s.message(&acct.wild, good.clone()), all.clone()),
        ("threat-declaration-dm-key", "the service's DM key (scope [dm, prekey]) declares: service must be named", Err("dm.declaration_unauthorized"), s.message(&acct.dm, good.clone()), all.clone()),
        ("threat-declaration-undelegated", "a key the service never delegated declares for it", Err("dm.declaration_unauthorized"), s.message(&Key::from_label("dm mallory service key"), good.clone()), all.clone()),
        ("service-root-signed", "the service's root key signs the declaration: roots sign only key operations", Err("dm.declaration_unauthorized"), s.message(&acct.root, good.clone()), all.clone()),
        ("service-unknown-account", "the reporter's state does not know the service's account", Err("dm.declaration_unauthorized"), s.message(&acct.extra, good.clone()), ops_json(&[other])),
        ("service-no-keys", "an empty list of report keys", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![])))), all.clone()),
        ("service-five-keys", "five report keys", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A((1..=5).map(|i| report_key(&s.desk, s.at + i * DAY)).collect())))), all.clone()),
        ("service-key-expires-at-time", "a report key whose expires equals the declaration's time", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![key_with(s.at, s.desk.pq())])))), all.clone()),
        ("service-key-lifetime-too-long", "a report key expiring 30 days and 1 ms after the declaration", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![key_with(s.at + 30 * DAY + 1, s.desk.pq())])))), all.clone()),
        ("service-key-pq-modulus", "an ML-KEM key with a coefficient of 4095: fails the FIPS 203 modulus check", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![key_with(s.at + DAY, bad_pq.clone())])))), all.clone()),
        ("service-no-reasons", "an empty list of reasons", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "reasons", Value::A(vec![])))), all.clone()),
        ("service-reason-unknown", "the reason \"rude\", not one of REPORT-1's ten", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "reasons", Value::A(vec![t("spam"), t("rude")])))), all.clone()),
        ("service-reason-duplicate", "\"spam\" listed twice", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "reasons", Value::A(vec![t("spam"), t("spam")])))), all.clone()),
        ("service-label-invalid-value", "a label definition for \"Spam\", not a label value (LABEL-2: case matters)", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![one("Spam", &en)])))), all.clone()),
        ("service-label-duplicate-value", "two definitions of \"spam\"", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![one("spam", &en), one("spam", &en)])))), all.clone()),
        ("service-label-severity-unknown", "a severity of \"high\"", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![definition("spam", "high", "none", "warn", &en)])))), all.clone()),
        ("service-label-blur-unknown", "a blur of \"all\"", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![definition("spam", "alert", "all", "warn", &en)])))), all.clone()),
        ("service-label-default-unknown", "a default setting of \"show\"", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![definition("spam", "alert", "none", "show", &en)])))), all.clone()),
        ("service-label-no-locales", "a definition without locales", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[])])))), all.clone()),
        ("service-locale-duplicate-lang", "two locales for \"en\"", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[("en", "Spam", "x"), ("en", "Junk", "y")])])))), all.clone()),
        ("service-locale-bad-lang", "a locale tagged \"english\" (not a language tag, MSG-6)", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[("english", "Spam", "x")])])))), all.clone()),
        ("service-locale-name-65", "a name of 65 scalars", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[("en", &"n".repeat(65), "x")])])))), all.clone()),
        ("service-locale-empty-description", "an empty description", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[("en", "Spam", "")])])))), all.clone()),
        ("service-unknown-field", "a key without a dot that declarations do not define", Err("dm.declaration"), s.message(&acct.extra, with(&|e| e.push(("url".into(), t("https://mod.example"))))), all.clone()),
        ("service-key-relays-gate", "a report key listing two relays and a gate asking 8 bits of work or a token", Ok(()), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &[RELAY, "http://10.0.0.7:8080"], Some(&pow8))])))), all.clone()),
        ("service-key-no-relays", "a report key without relays (delivered to the node the declaration was read from)", Ok(()), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &[], None)])))), all.clone()),
        ("service-key-relay-not-url", "a relay \"relay.example\" without a scheme", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &["relay.example"], None)])))), all.clone()),
        ("service-key-relay-scheme-only", "a relay \"https://\" with nothing after the scheme", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &["https://"], None)])))), all.clone()),
        ("service-key-relay-257", "a relay URL of 257 bytes", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &[&format!("https://{}", "r".repeat(249))], None)])))), all.clone()),
        ("service-key-relay-256", "a relay URL of 256 bytes, the longest", Ok(()), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &[&format!("https://{}", "r".repeat(248))], None)])))), all.clone()),
        ("service-key-relays-five", "five relays", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &["https://a.example", "https://b.example", "https://c.example", "https://d.example", "https://e.example"], None)])))), all.clone()),
        ("service-key-relay-duplicate", "the same relay listed twice", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &[RELAY, RELAY], None)])))), all.clone()),
        ("service-key-relays-empty", "an empty list of relays (absent is written instead)", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![m(vec![("key", Value::B(s.desk.r().to_vec())), ("pq", Value::B(s.desk.pq())), ("expires", Value::U(s.at + DAY)), ("relays", Value::A(vec![]))])])))), all.clone()),
        ("service-key-gate-pow-33", "a report key's gate asking 33 bits of work", Err("dm.declaration"), s.message(&acct.extra, with(&|e| set(e, "keys", Value::A(vec![report_key_with(&s.desk, s.at + DAY, &[RELAY], Some(&super::gate::Gate { pow: 33, ..pow8.clone() }))])))), all.clone()),
        ("service-missing-labels", "no labels key (an empty list is written, never an absent one)", Err("dm.declaration"), s.message(&acct.extra, with(&|e| e.retain(|(k, _)| k != "labels"))), all.clone()),
    ];
    for (id, description, result, msg, accounts) in cases {
        let mut extra = vec![
            ("type", J::from("service")),
            ("message", hex(&msg.full).into()),
            ("accounts", accounts),
        ];
        let (rules, error) = match result {
            Ok(()) => {
                let Value::M(entries) = &msg.body else {
                    unreachable!()
                };
                let field = |k: &str| entries.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                let Some(Value::A(reasons)) = field("reasons") else {
                    unreachable!()
                };
                let Some(Value::A(labels)) = field("labels") else {
                    unreachable!()
                };
                let Some(Value::A(keys)) = field("keys") else {
                    unreachable!()
                };
                let texts = |list: &[Value], key: Option<&str>| {
                    J::A(
                        list.iter()
                            .map(|v| match (v, key) {
                                (Value::T(x), None) => J::from(x.as_str()),
                                (Value::M(e), Some(k)) => {
                                    match &e.iter().find(|(n, _)| n == k).unwrap().1 {
                                        Value::T(x) => J::from(x.as_str()),
                                        Value::B(b) => hex(b).into(),
                                        _ => unreachable!(),
                                    }
                                }
                                _ => unreachable!(),
                            })
                            .collect(),
                    )
                };
                extra.push(("reasons", texts(&reasons, None)));
                extra.push(("labels", texts(&labels, Some("value"))));
                extra.push(("keys", texts(&keys, Some("key"))));
                (vec!["DM-24", "DM-25"], None)
            }
            Err(code) => (vec![rule(code)], Some(code)),
        };
        out.push(vector(id, description, &rules, error, extra));
    }
}

/// An hour, in milliseconds.
const HOUR: u64 = 60 * MIN;

/// The relay every declared key lists unless a vector says otherwise.
const RELAY: &str = "https://relay.example";

/// Relay vectors (type `relay`, DM-22 for report keys, 10 §5): a relay holding `declarations` (and
/// the accounts of `accounts`) at `now` files the item (`filed`), refuses its stamp (`dm.stamp`),
/// or holds no mailbox with its tag (`filed` false: a `404`).
#[allow(clippy::type_complexity)]
pub(super) fn relayed(other: &Account, out: &mut Vec<J>) {
    let s = Service::new();
    let acct = &s.account;
    let all = ops_json(&[other, acct]);
    let token = super::secret("service desk token");
    let pow8 = super::gate::Gate {
        accept: "all",
        pow: 8,
        tokens: vec![super::gate::commitment(&token)],
    };
    let gated = |g: &super::gate::Gate| {
        declaration(
            vec![report_key_with(&s.desk, s.at + 14 * DAY, &[RELAY], Some(g))],
            &Service::REASONS,
            vec![],
        )
    };
    let reporter = account_with("reporter", Some(&["report"]));
    let body = report_body(&acct.id, "spam", ("account", other.id.clone()), None);
    let inner = report_inner(&reporter, &reporter.extra, s.at + MIN, body, vec![]);
    let sealed = seal_to(&inner, &s.desk, None, "relayed report", None)
        .0
        .sealed;
    let work = super::gate::work_stamp(8, super::gate::nonce_with(&sealed, 8, 8));
    let open = s.message(&acct.extra, s.body());
    let pow = s.message(&acct.extra, gated(&pow8));
    let second = Device::new("service desk 2", 0);
    let replaced = sign(
        &acct.extra,
        &acct.id,
        2,
        Some(&open.id),
        "service",
        s.at + MIN,
        declaration(
            vec![report_key_with(&second, s.at + 14 * DAY, &[RELAY], None)],
            &Service::REASONS,
            vec![],
        ),
    );
    let wild = s.message(&acct.wild, s.body());
    let now = s.at + 2 * MIN;
    let cases: Vec<(&str, &str, Vec<&Msg>, u64, Vec<u8>, Result<bool, &str>)> = vec![
        ("relay-report-open-gate", "the service's latest declaration lists the key the report is sealed to, without a gate: the relay files it with no stamp", vec![&open], now, vec![], Ok(true)),
        ("relay-report-work", "the key's gate asks 8 bits of work: a stamp with 8 bits of work is filed", vec![&pow], now, work.clone(), Ok(true)),
        ("relay-report-token", "the key's gate lists a token's commitment: a report stamped with that token is filed without work", vec![&pow], now, super::gate::token_stamp(&token), Ok(true)),
        ("threat-report-flood-unstamped", "a flood of junk to a service whose key asks 8 bits of work: an item without a stamp is refused by the relay, so it costs the service no decapsulation", vec![&pow], now, vec![], Err("dm.stamp")),
        ("relay-report-key-expired", "the declared key expired before the relay's clock: no mailbox has the tag", vec![&open], s.at + 14 * DAY + 1, vec![], Ok(false)),
        ("relay-report-replaced", "a later declaration lists another key only: the earlier key's mailbox is gone", vec![&open, &replaced], now, vec![], Ok(false)),
        ("threat-relay-report-wildcard-declaration", "the only declaration is signed by the service's wildcard app key (DM-25 refuses it): the relay holds no mailbox for its key", vec![&wild], now, vec![], Ok(false)),
    ];
    for (id, description, declarations, at, stamp, result) in cases {
        let (error, filed) = match result {
            Ok(f) => (None, f),
            Err(code) => (Some(code), false),
        };
        let list: Vec<String> = declarations.iter().map(|d| hex(&d.full)).collect();
        out.push(vector(
            id,
            description,
            &["DM-22", "DM-24", "DM-25"],
            error,
            vec![
                ("type", J::from("relay")),
                ("declarations", strs(&list)),
                ("accounts", all.clone()),
                ("now", J::U(at)),
                ("sealed", hex(&sealed).into()),
                ("stamp", hex(&stamp).into()),
                ("filed", J::Bool(filed)),
            ],
        ));
    }
}

/// The reporter's choice (type `choose`, 08 §14.1): among `declarations` that pass DM-24 and DM-25
/// in `accounts` and are dated at or before `now`, the latest by (time, id) — `chosen`, its id —
/// and its first current key (`key`; null if none). Also two declarations DM-25 refuses: signed by
/// a revoked key, and dated before the key's delegation (type `service`).
#[allow(clippy::type_complexity)]
pub(super) fn chosen(other: &Account, out: &mut Vec<J>) {
    let s = Service::new();
    let acct = &s.account;
    let all = ops_json(&[other, acct]);
    let [d1, d2, d3] =
        ["service desk a", "service desk b", "service desk c"].map(|l| Device::new(l, 0));
    // Each at seq 1 of the service's key: the choice reads header times and ids, not the chain.
    let at = |time: u64, keys: Vec<Value>| {
        sign(
            &acct.extra,
            &acct.id,
            1,
            None,
            "service",
            time,
            declaration(keys, &Service::REASONS, vec![]),
        )
    };
    let key = |d: &Device, expires: u64| report_key(d, expires);
    let early = at(s.at, vec![key(&d1, s.at + 14 * DAY)]);
    let later = at(s.at + HOUR, vec![key(&d2, s.at + 14 * DAY)]);
    // Two at the same time: the greater id wins.
    let twin_a = at(s.at + 2 * HOUR, vec![key(&d2, s.at + 14 * DAY)]);
    let twin_b = at(s.at + 2 * HOUR, vec![key(&d3, s.at + 14 * DAY)]);
    let greater = if twin_a.id > twin_b.id {
        &twin_a
    } else {
        &twin_b
    };
    let greater_key = if greater.id == twin_a.id { &d2 } else { &d3 };
    // The first key expired, the second current.
    let mixed = at(
        s.at + HOUR,
        vec![key(&d1, s.at + HOUR + MIN), key(&d3, s.at + 14 * DAY)],
    );
    let ahead = at(s.at + 2 * HOUR + 6 * MIN, vec![key(&d3, s.at + 14 * DAY)]);
    let wild = sign(
        &acct.wild,
        &acct.id,
        1,
        None,
        "service",
        s.at + 2 * HOUR,
        s.body(),
    );
    let now = s.at + 2 * HOUR + MIN;
    let cases: Vec<(&str, &str, Vec<&Msg>, u64, Option<(&Msg, &Device)>)> = vec![
        ("choose-latest", "two declarations: the later one is used, and its key", vec![&early, &later], now, Some((&later, &d2))),
        ("choose-tie-greater-id", "two declarations at the same time: the one with the greater id bytewise", vec![&early, &twin_a, &twin_b], now, Some((greater, greater_key))),
        ("choose-first-key-expired", "the latest declaration's first key has expired: its second, current key is used", vec![&early, &mixed], now, Some((&mixed, &d3))),
        ("choose-dated-after-now", "the latest declaration is dated 5 minutes after now (MSG-2 accepts up to 10): not in force yet, so the one before it is used (else the reporter would have no current key until its time)", vec![&later, &ahead], s.at + 2 * HOUR + MIN, Some((&later, &d2))),
        ("choose-all-expired", "the only declaration's key expired: no key to seal to", vec![&early], s.at + 14 * DAY + 1, None),
        ("choose-unauthorized-ignored", "the newest declaration is signed by the service's wildcard app key (DM-25 refuses it): the earlier one is used", vec![&later, &wild], now, Some((&later, &d2))),
    ];
    for (id, description, declarations, at_, result) in cases {
        let list: Vec<String> = declarations.iter().map(|d| hex(&d.full)).collect();
        let (chosen, key) = match result {
            Some((d, k)) => (J::from(hex(&d.id)), J::from(hex(&k.r()))),
            None => (J::Null, J::Null),
        };
        out.push(vector(
            id,
            description,
            &["DM-24", "DM-25"],
            None,
            vec![
                ("type", J::from("choose")),
                ("declarations", strs(&list)),
                ("accounts", all.clone()),
                ("now", J::U(at_)),
                ("chosen", chosen),
                ("key", key),
            ],
        ));
    }

    // DM-25: a revoked key, and a declaration dated before the key's delegation.
    let last = acct.ops.last().expect("ops");
    let revoke = sign(
        &acct.root,
        &acct.id,
        last_seq(acct) + 1,
        Some(&last.id),
        "revoke",
        T0 + 10 * MIN,
        m(vec![
            ("app", Value::B(acct.extra.pk.to_vec())),
            ("after", Value::B(last.id.clone())),
        ]),
    );
    let J::A(mut revoked) = ops_json(&[other, acct]) else {
        unreachable!()
    };
    revoked.push(J::from(hex(&revoke.full)));
    let before = at(T0 + 2 * MIN, vec![key(&d1, T0 + 14 * DAY)]);
    for (id, description, msg, accounts) in [
        ("threat-declaration-revoked-key", "the service revoked the app key that signs the declaration (no cutoff: every message of the key is refused)", &early, J::A(revoked)),
        ("service-before-delegation", "a declaration dated two minutes after the account's genesis, before its key was delegated (four minutes after): outside the delegation", &before, all.clone()),
    ] {
        out.push(vector(
            id,
            description,
            &["DM-25"],
            Some("dm.declaration_unauthorized"),
            vec![
                ("type", J::from("service")),
                ("message", hex(&msg.full).into()),
                ("accounts", accounts),
            ],
        ));
    }
}

/// The seq of an account's last operation (its root's chain).
fn last_seq(a: &Account) -> u64 {
    a.ops.len() as u64
}
