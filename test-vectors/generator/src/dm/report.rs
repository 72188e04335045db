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

/// One report key as a declaration writes it.
fn report_key(desk: &Device, expires: u64) -> Value {
    m(vec![
        ("key", Value::B(desk.r().to_vec())),
        ("pq", Value::B(desk.pq())),
        ("expires", Value::U(expires)),
    ])
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
            account: service_account("service"),
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
    let cases: Vec<(&str, &str, Result<(), &str>, Msg, J)> = vec![
        ("service-valid", "a moderation service declares one report key, four reasons and three label definitions (one custom, one in two languages), signed by its key whose scope names service", Ok(()), s.message(&acct.service, good.clone()), all.clone()),
        ("service-two-keys", "two report keys (a second desk) and no label definitions", Ok(()), s.message(&acct.service, declaration(vec![report_key(&s.desk, s.at + DAY), report_key(&second, s.at + 30 * DAY)], &["spam"], vec![])), all.clone()),
        ("service-namespaced-fields", "a namespaced key in the body is kept and ignored", Ok(()), s.message(&acct.service, with(&|e| { e.push(("com.example.url".into(), t("https://mod.example"))); })), all.clone()),
        ("threat-declaration-wildcard-app", "an app key with scope [\"*\"] (given for posting) declares report keys whose secrets it keeps, to read the reports: a wildcard never covers service", Err("dm.declaration_unauthorized"), s.message(&acct.wild, good.clone()), all.clone()),
        ("threat-declaration-dm-key", "the service's DM key (scope [dm, prekey]) declares: service must be named", Err("dm.declaration_unauthorized"), s.message(&acct.dm, good.clone()), all.clone()),
        ("threat-declaration-undelegated", "a key the service never delegated declares for it", Err("dm.declaration_unauthorized"), s.message(&Key::from_label("dm mallory service key"), good.clone()), all.clone()),
        ("service-root-signed", "the service's root key signs the declaration: roots sign only key operations", Err("dm.declaration_unauthorized"), s.message(&acct.root, good.clone()), all.clone()),
        ("service-unknown-account", "the reporter's state does not know the service's account", Err("dm.declaration_unauthorized"), s.message(&acct.service, good.clone()), ops_json(&[other])),
        ("service-no-keys", "an empty list of report keys", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "keys", Value::A(vec![])))), all.clone()),
        ("service-five-keys", "five report keys", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "keys", Value::A((1..=5).map(|i| report_key(&s.desk, s.at + i * DAY)).collect())))), all.clone()),
        ("service-key-expires-at-time", "a report key whose expires equals the declaration's time", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "keys", Value::A(vec![key_with(s.at, s.desk.pq())])))), all.clone()),
        ("service-key-lifetime-too-long", "a report key expiring 30 days and 1 ms after the declaration", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "keys", Value::A(vec![key_with(s.at + 30 * DAY + 1, s.desk.pq())])))), all.clone()),
        ("service-key-pq-modulus", "an ML-KEM key with a coefficient of 4095: fails the FIPS 203 modulus check", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "keys", Value::A(vec![key_with(s.at + DAY, bad_pq.clone())])))), all.clone()),
        ("service-no-reasons", "an empty list of reasons", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "reasons", Value::A(vec![])))), all.clone()),
        ("service-reason-unknown", "the reason \"rude\", not one of REPORT-1's ten", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "reasons", Value::A(vec![t("spam"), t("rude")])))), all.clone()),
        ("service-reason-duplicate", "\"spam\" listed twice", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "reasons", Value::A(vec![t("spam"), t("spam")])))), all.clone()),
        ("service-label-invalid-value", "a label definition for \"Spam\", not a label value (LABEL-2: case matters)", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![one("Spam", &en)])))), all.clone()),
        ("service-label-duplicate-value", "two definitions of \"spam\"", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![one("spam", &en), one("spam", &en)])))), all.clone()),
        ("service-label-severity-unknown", "a severity of \"high\"", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![definition("spam", "high", "none", "warn", &en)])))), all.clone()),
        ("service-label-blur-unknown", "a blur of \"all\"", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![definition("spam", "alert", "all", "warn", &en)])))), all.clone()),
        ("service-label-default-unknown", "a default setting of \"show\"", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![definition("spam", "alert", "none", "show", &en)])))), all.clone()),
        ("service-label-no-locales", "a definition without locales", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[])])))), all.clone()),
        ("service-locale-duplicate-lang", "two locales for \"en\"", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[("en", "Spam", "x"), ("en", "Junk", "y")])])))), all.clone()),
        ("service-locale-bad-lang", "a locale tagged \"english\" (not a language tag, MSG-6)", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[("english", "Spam", "x")])])))), all.clone()),
        ("service-locale-name-65", "a name of 65 scalars", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[("en", &"n".repeat(65), "x")])])))), all.clone()),
        ("service-locale-empty-description", "an empty description", Err("dm.declaration"), s.message(&acct.service, with(&|e| set(e, "labels", Value::A(vec![one("spam", &[("en", "Spam", "")])])))), all.clone()),
        ("service-unknown-field", "a key without a dot that declarations do not define", Err("dm.declaration"), s.message(&acct.service, with(&|e| e.push(("url".into(), t("https://mod.example"))))), all.clone()),
        ("service-missing-labels", "no labels key (an empty list is written, never an absent one)", Err("dm.declaration"), s.message(&acct.service, with(&|e| e.retain(|(k, _)| k != "labels"))), all.clone()),
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
