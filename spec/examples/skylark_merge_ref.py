"""Informative Python model of the merge rules (spec/07-merge.md).

Written from spec/07-merge.md so that its worked example and its claims can be
re-derived. It models the merge rules MERGE-1..MERGE-12 over the kinds of its
worked example; it does NOT model the storage limits (LIMIT-1..LIMIT-3), the
`gate` kind and the views it gates (VIEW-1..VIEW-4), or a label on an account
reaching its posts (MERGE-9 item 4): for those, the independent checker
`test-vectors/python/skylark_check/merge.py` is the Python implementation that
runs every merge.json vector. It is NOT normative: where it and the prose of 07 disagree, the
prose wins (and this file has a bug). It favours being read next to the text
over speed (every rule is a plain loop over the whole set).

Dependencies: skylark_ref (layer 1, same folder) and, through it, `blake3`.

Entry points:
    Record(id, acct, key, seq, time, kind, body)
        one valid message as the merge rules read it; `body` is the decoded
        body map, or None for a stripped remainder (withheld).
    record_from_bytes(message_bytes) -> Record   (runs 04 §10 first)
    MergeSet()                                   the input set of 07 §2
        .add(record)                             whole supersedes remainder
        .summary(now) -> the summary value (dicts, lists, bytes, str, int)
        .summary_bytes(now), .digest(now)
"""

from collections import namedtuple

import skylark_ref as s

SOCIAL_KINDS = ("profile", "post", "edit", "delete", "react", "unreact", "repost",
                "unrepost", "follow", "unfollow", "block", "unblock", "label")   # no report: 05 REPORT-3
CTX_STATE_DIGEST = "skylark v1 state digest"

Record = namedtuple("Record", "id acct key seq time kind body")


def record_from_bytes(message):
    """A Record from the bytes of a message that 04 §10 accepts.

    Validation (05) is the caller's business: the merge rules take valid
    messages only and check nothing again."""
    mid, header, body = s.verify_message(message)
    return Record(mid, header["acct"], header["key"], header["seq"], header["time"],
                  header["kind"], body)


def msg_text(raw):
    return s.to_text("msg", raw)


def acct_text(raw):
    return s.to_text("acct", raw)


def text_order(t):
    """Canonical text order (01 §6): shorter UTF-8 first, then bytewise."""
    raw = t.encode("utf-8")
    return (len(raw), raw)


class MergeSet:
    def __init__(self):
        self.records = {}                       # id -> Record (07 §2)

    def add(self, r):
        """MERGE input: a set keyed by id; the whole form supersedes the remainder."""
        old = self.records.get(r.id)
        if old is None or (old.body is None and r.body is not None):
            self.records[r.id] = r

    # -- MERGE-1 -------------------------------------------------------------
    def stamp(self, i):
        return (self.records[i].time, i)        # bytes compare bytewise in Python

    def latest(self, ids):
        return max(ids, key=self.stamp)

    def summary(self, now):
        R = {i: r for i, r in self.records.items() if r.kind in SOCIAL_KINDS}

        # -- MERGE-2: tombstones; a withheld delete cannot be read -------------
        D = {r.body["target"] for r in R.values() if r.kind == "delete" and r.body is not None}
        # The messages the rules MERGE-3..MERGE-9 read: readable and not deleted.
        C = {i: r for i, r in R.items() if r.body is not None and i not in D}

        # -- MERGE-4: posts, versions ------------------------------------------
        posts = {}
        for i, r in R.items():
            if r.kind != "post":
                continue
            if i in D:
                posts[msg_text(i)] = {"state": "deleted"}
            elif r.body is None:
                posts[msg_text(i)] = {"state": "withheld"}
            else:
                history, cur = [i], i
                while True:
                    nxt = [j for j, e in C.items() if e.kind == "edit"
                           and e.body["target"] == i and e.body["replaces"] == cur]
                    if not nxt:
                        break
                    cur = self.latest(nxt)
                    history.append(cur)
                posts[msg_text(i)] = {"state": "live", "current": cur, "history": history}

        # -- MERGE-5: threads, replies, quotes ---------------------------------
        threads, replies, quotes = {}, {}, {}
        for i, r in C.items():
            if r.kind != "post":
                continue
            if "reply" in r.body:
                threads.setdefault(r.body["reply"]["root"], set()).add(i)
                replies.setdefault(r.body["reply"]["parent"], set()).add(i)
            if "quote" in r.body:
                quotes.setdefault(r.body["quote"], set()).add(i)

        # -- MERGE-3: profiles -------------------------------------------------
        by_acct = {}
        for i, r in C.items():
            if r.kind == "profile":
                by_acct.setdefault(r.acct, []).append(i)
        profiles = {acct_text(a): self.latest(ids) for a, ids in by_acct.items()}

        # -- MERGE-6, MERGE-7: reactions, reposts -------------------------------
        unreacted = {r.body["target"] for r in C.values() if r.kind == "unreact"}
        unreposted = {r.body["target"] for r in C.values() if r.kind == "unrepost"}
        reactions, reposts = {}, {}
        for i, r in C.items():
            if r.kind == "react" and i not in unreacted:
                value = r.body.get("emoji", "")
                reactions.setdefault(r.body["target"], {}).setdefault(value, set()).add(r.acct)
            if r.kind == "repost" and i not in unreposted:
                reposts.setdefault(r.body["target"], set()).add(r.acct)

        # -- MERGE-8: follow and block graphs ----------------------------------
        def graph(on_kind, off_kind):
            groups = {}
            for i, r in C.items():
                if r.kind in (on_kind, off_kind):
                    groups.setdefault((r.acct, r.body["subject"]), []).append(i)
            out = {}
            for (a, subject), ids in groups.items():
                if C[self.latest(ids)].kind == on_kind:
                    out.setdefault(a, set()).add(subject)
            return {acct_text(a): sorted(v) for a, v in out.items()}

        # -- MERGE-9: labels at `now` ------------------------------------------
        groups = {}
        for i, r in C.items():
            if r.kind == "label":
                b = r.body
                subject = acct_text(b["account"]) if "account" in b else msg_text(b["message"])
                groups.setdefault((subject, r.acct, b["value"]), []).append(i)
        labels = {}
        for (subject, labeler, value), ids in groups.items():
            b = C[self.latest(ids)].body
            if b.get("negate") is True:
                continue
            if "expires" in b and not b["expires"] > now:
                continue
            labels.setdefault(subject, {}).setdefault(acct_text(labeler), []).append(value)
        for by_labeler in labels.values():
            for values in by_labeler.values():
                values.sort(key=text_order)

        # -- MERGE-10: equivocations (every social message, deleted or not) ----
        places = {}
        for i, r in R.items():
            places.setdefault((r.key, r.seq), []).append(i)
        # One entry per place held by two or more messages: [key, seq, [ids sorted]].
        equivocations = []
        for (key, seq), ids in places.items():
            if len(ids) >= 2:
                equivocations.append([key, seq, sorted(ids)])
        equivocations.sort(key=lambda e: (e[0], e[1]))

        def id_lists(m):
            return {msg_text(k): sorted(v) for k, v in m.items()}

        return {
            "posts": posts,
            "threads": id_lists(threads),
            "replies": id_lists(replies),
            "quotes": id_lists(quotes),
            "profiles": profiles,
            "reactions": {msg_text(t): {v: sorted(a) for v, a in by_value.items()}
                          for t, by_value in reactions.items()},
            "reposts": id_lists(reposts),
            "follows": graph("follow", "unfollow"),
            "blocks": graph("block", "unblock"),
            "labels": labels,
            "tombstones": sorted(D),
            "equivocations": equivocations,
        }

    def summary_bytes(self, now):
        return s.cbor_encode(self.summary(now))

    def digest(self, now):
        return s.derive(CTX_STATE_DIGEST, self.summary_bytes(now))
