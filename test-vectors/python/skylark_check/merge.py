"""Layer 4 (spec 07, MERGE-1..MERGE-12, LIMIT-1..LIMIT-3, VIEW-1..VIEW-4): the convergent state of a
set of valid messages, its summary and digest.

The state is kept as the set of held messages (id -> message, the whole one
preferred over its stripped remainder); the summary is computed from the set,
so application is commutative, associative and idempotent by construction.
"""

from . import cbor, ids
from .cbor import text_key

SOCIAL_KINDS = ("profile", "post", "edit", "delete", "react", "unreact", "repost",
                "unrepost", "follow", "unfollow", "block", "unblock", "label",
                "gate")   # 05 REPORT-3: no report

SUMMARY_KEYS = ("posts", "threads", "replies", "quotes", "profiles", "reactions", "reposts",
                "follows", "blocks", "labels", "tombstones", "equivocations")


# 07 section 2.5: the storage limits.
PER_PLACE = 2                                   # LIMIT-1
CLASSES = {                                     # LIMIT-2: class -> (kinds, limit)
    "profile": (("profile",), 50),
    "post": (("post", "edit"), 5000),
    "delete": (("delete",), 5000),
    "react": (("react", "unreact"), 2500),
    "repost": (("repost", "unrepost"), 2500),
    "follow": (("follow", "unfollow"), 2500),
    "block": (("block", "unblock"), 2500),
    "label": (("label",), 50000),
    "gate": (("gate",), 5000),
}
UNDOING = ("edit", "delete", "unreact", "unrepost")  # LIMIT-3


def pruned(social):
    """The ids LIMIT-1..LIMIT-3 prune from the held social-kind messages."""
    def order(m):                                   # MERGE-1
        return (m.header.time, m.id)
    gone = set()
    places = {}
    for m in social:
        places.setdefault((m.header.key, m.header.seq), []).append(m)
    for ms in places.values():                      # LIMIT-1: the earliest two stay
        gone.update(m.id for m in sorted(ms, key=order)[PER_PLACE:])
    classes = {}
    for m in social:
        if m.id in gone:
            continue
        cls = next(c for c, (kinds, _) in CLASSES.items() if m.header.kind in kinds)
        classes.setdefault((m.header.acct, cls), []).append(m)
    kept = [m for m in social if m.id not in gone]
    deleted = set(m.body["target"] for m in kept if m.header.kind == "delete" and not m.stripped)
    latest = {}                                     # LIMIT-2: the gates in force rank first
    for m in kept:
        if m.header.kind == "gate" and m.id not in deleted:
            k = (m.header.acct, m.body["target"])
            if k not in latest or order(m) > order(latest[k]):
                latest[k] = m
    in_force = set(m.id for m in latest.values())
    for (_, cls), ms in classes.items():            # LIMIT-2: the latest N stay
        gone.update(m.id for m in sorted(ms, key=lambda m: (m.id in in_force, order(m)),
                                         reverse=True)[CLASSES[cls][1]:])
    gone.update([m.body["target"] for m in social    # LIMIT-3: one step
                 if m.id in gone and m.header.kind in UNDOING and not m.stripped])
    return gone


class State:
    def __init__(self):
        self.held = {}

    def apply(self, msg):
        cur = self.held.get(msg.id)
        if cur is None or (cur.stripped and not msg.stripped):
            self.held[msg.id] = msg

    # -- the summary ----------------------------------------------------------

    def summary(self, now):
        social = [m for m in self.held.values() if m.header.kind in SOCIAL_KINDS]
        gone = pruned(social)
        social = [m for m in social if m.id not in gone]

        def of(kind):
            return [m for m in social if m.header.kind == kind]

        # MERGE-2: tombstones, from the readable deletes
        D = set(m.body["target"] for m in of("delete") if not m.stripped)

        def counts(m):
            return not m.stripped and m.id not in D

        def order(m):                      # MERGE-1
            return (m.header.time, m.id)

        def latest(ms):
            return max(ms, key=order)

        # MERGE-8: follow and block graphs
        def edges(do, undo):
            last = {}
            for m in of(do) + of(undo):
                if not counts(m):
                    continue
                key = (m.header.acct, m.body["subject"])
                if key not in last or order(m) > order(last[key]):
                    last[key] = m
            return set(k for k, m in last.items() if m.header.kind == do)

        def graph(do, undo):
            out = {}
            for a, s in edges(do, undo):
                out.setdefault(ids.acct_text(a), set()).add(s)
            return out

        follows = graph("follow", "unfollow")
        blocks = graph("block", "unblock")


        # VIEW-1..VIEW-4 (07 section 5.10): what gates and blocks leave out
        follow_edges, block_edges = edges("follow", "unfollow"), edges("block", "unblock")
        gates = {}
        for m in of("gate"):
            if counts(m):
                key = (m.header.acct, m.body["target"])
                if key not in gates or order(m) > order(gates[key]):
                    gates[key] = m
        posts_by_id = {m.id: m for m in of("post")}

        def mentions_of(body):
            return set(f["account"] for f in body.get("facets", [])
                       if f.get("type") == "mention")

        def judge(post, author, pid, field):
            P = posts_by_id.get(post)
            if P is None or P.header.acct == author:
                return None
            owner = P.header.acct
            if (owner, author) in block_edges:
                return "block"
            g = gates.get((owner, post))
            allowed = g.body.get(field) if g is not None else None
            if allowed is not None:
                mentioned = mentions_of(P.body) if counts(P) else set()
                ok = any((a == "followers" and (author, owner) in follow_edges)
                         or (a == "following" and (owner, author) in follow_edges)
                         or (a == "mentioned" and author in mentioned)
                         for a in allowed)
                if not ok:
                    return "gate"
            if field == "reply" and g is not None and pid in g.body.get("hidden", []):
                return "hidden"
            return None

        def judge_parent(root, parent, author):
            # VIEW-2 steps 4 to 6: the parent's author and gate, then the root a live parent names
            why = judge(parent, author, None, "reply")
            if why in ("block", "gate"):
                return why
            P = posts_by_id.get(parent)
            if P is not None and counts(P):
                own = P.body["reply"]["root"] if "reply" in P.body else parent
                if own != root:
                    return "root"
            return None

        left_out = {}
        for P in of("post"):
            if not counts(P):
                continue
            e = {}
            if "quote" in P.body:
                why = judge(P.body["quote"], P.header.acct, P.id, "quote")
                if why:
                    e["quote"] = why
            if "reply" in P.body:
                r = P.body["reply"]
                why = (judge(r["root"], P.header.acct, P.id, "reply")
                       or judge_parent(r["root"], r["parent"], P.header.acct))
                if why:
                    e["reply"] = why
            muted = sorted(x for x in mentions_of(P.body)
                           if x != P.header.acct and (x, P.header.acct) in block_edges)
            if muted:
                e["mentions"] = muted
            if e:
                left_out[P.id] = e

        # MERGE-4: posts
        posts = {}
        edits = [m for m in of("edit") if counts(m)]
        for P in of("post"):
            if P.id in D:
                posts[ids.msg_text(P.id)] = {"state": "deleted"}
                continue
            if P.stripped:
                posts[ids.msg_text(P.id)] = {"state": "withheld"}
                continue
            mine = [E for E in edits if E.body["target"] == P.id]
            counting = set()
            changed = True
            while changed:
                changed = False
                for E in mine:
                    if E.id not in counting and (E.body["replaces"] == P.id
                                                 or E.body["replaces"] in counting):
                        counting.add(E.id)
                        changed = True
            cur = P
            history = [P.id]
            while True:
                nxt = [E for E in mine if E.id in counting and E.body["replaces"] == cur.id]
                if not nxt:
                    break
                cur = latest(nxt)
                history.append(cur.id)
            posts[ids.msg_text(P.id)] = {"state": "live", "current": cur.id,
                                         "history": history}
            # MERGE-4 `earlier`: counting reacts and reposts of P, and live posts quoting P,
            # that name a version other than the current one.
            undone_all = set(m.body["target"] for m in of("unreact") + of("unrepost")
                             if counts(m))
            before = sorted(
                m.id for m in of("react") + of("repost") + of("post")
                if counts(m) and m.id not in undone_all
                and m.body.get("quote" if m.header.kind == "post" else "target") == P.id
                and not (m.header.kind == "post" and "quote" in left_out.get(m.id, {}))
                and (m.body.get("quote_version" if m.header.kind == "post" else "version")
                     not in (None, cur.id)))
            if before:
                posts[ids.msg_text(P.id)]["earlier"] = before
            if P.id in left_out:
                posts[ids.msg_text(P.id)]["left_out"] = left_out[P.id]

        # MERGE-5: threads, replies, quotes (non-deleted, readable posts)
        threads, replies, quotes = {}, {}, {}
        for P in of("post"):
            if not counts(P):
                continue
            r = P.body.get("reply")
            if r is not None and "reply" not in left_out.get(P.id, {}):
                threads.setdefault(ids.msg_text(r["root"]), set()).add(P.id)
                replies.setdefault(ids.msg_text(r["parent"]), set()).add(P.id)
            q = P.body.get("quote")
            if q is not None and "quote" not in left_out.get(P.id, {}):
                quotes.setdefault(ids.msg_text(q), set()).add(P.id)

        # MERGE-3: profiles
        profiles = {}
        by_acct = {}
        for m in of("profile"):
            if counts(m):
                by_acct.setdefault(m.header.acct, []).append(m)
        for a, ms in by_acct.items():
            profiles[ids.acct_text(a)] = latest(ms).id

        # MERGE-6: reactions
        undone = set(m.body["target"] for m in of("unreact") if counts(m))
        reactions = {}
        for m in of("react"):
            if counts(m) and m.id not in undone:
                value = m.body.get("emoji", "")
                reactions.setdefault(ids.msg_text(m.body["target"]), {}) \
                    .setdefault(value, set()).add(m.header.acct)

        # MERGE-7: reposts
        undone = set(m.body["target"] for m in of("unrepost") if counts(m))
        reposts = {}
        for m in of("repost"):
            if counts(m) and m.id not in undone:
                reposts.setdefault(ids.msg_text(m.body["target"]), set()).add(m.header.acct)

        # MERGE-9: labels
        last = {}
        for m in of("label"):
            if not counts(m):
                continue
            b = m.body
            subject = ids.acct_text(b["account"]) if "account" in b else ids.msg_text(b["message"])
            key = (m.header.acct, subject, b["value"])
            if key not in last or order(m) > order(last[key]):
                last[key] = m
        labels = {}
        for (a, subject, value), m in last.items():
            b = m.body
            if b.get("negate") is True:
                continue
            if "expires" in b and not b["expires"] > now:
                continue
            labels.setdefault(subject, {}).setdefault(ids.acct_text(a), set()).add(value)

        # MERGE-10: equivocations, one entry per place (key, seq) held by two or
        # more distinct messages of S (deleted and withheld ones included)
        places = {}
        for m in social:
            places.setdefault((m.header.key, m.header.seq), set()).add(m.id)
        equivocations = [[key, seq, sorted(xs)]
                         for (key, seq), xs in sorted(places.items()) if len(xs) >= 2]

        def ids_list(s):
            return sorted(set(s))

        def texts_list(s):
            return sorted(set(s), key=text_key)

        summary = {
            "posts": {k: v for k, v in posts.items()},
            "threads": {k: ids_list(v) for k, v in threads.items()},
            "replies": {k: ids_list(v) for k, v in replies.items()},
            "quotes": {k: ids_list(v) for k, v in quotes.items()},
            "profiles": profiles,
            "reactions": {k: {val: ids_list(s) for val, s in v.items()}
                          for k, v in reactions.items()},
            "reposts": {k: ids_list(v) for k, v in reposts.items()},
            "follows": {k: ids_list(v) for k, v in follows.items()},
            "blocks": {k: ids_list(v) for k, v in blocks.items()},
            "labels": {k: {a: texts_list(s) for a, s in v.items()} for k, v in labels.items()},
            "tombstones": ids_list(D),
            "equivocations": equivocations,
        }
        assert set(summary) == set(SUMMARY_KEYS)
        return summary

    def summary_bytes(self, now):
        return cbor.encode(self.summary(now))

    def digest(self, now):
        return ids.H(ids.CTX_STATE_DIGEST, self.summary_bytes(now))



def applied(summary, post_id, author, labelers):
    """07 MERGE-9 item 4, from the summary: the [labeler, value] pairs a reader that trusts
    `labelers` applies to the post — labels on the post, on its current version and on its
    author — by labeler in the given order, then value bytewise; [] unless the post is live."""
    entry = summary["posts"].get(ids.msg_text(post_id))
    if entry is None or entry["state"] != "live":
        return []
    subjects = (ids.msg_text(post_id), ids.msg_text(entry["current"]), ids.acct_text(author))
    out = []
    for labeler in labelers:
        values = set()
        for subject in subjects:
            values.update(summary["labels"].get(subject, {}).get(ids.acct_text(labeler), []))
        out.extend([labeler, value] for value in sorted(values, key=lambda x: x.encode()))
    return out
