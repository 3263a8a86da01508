#!/usr/bin/env python3
"""A replicated key-value store on Raft, for `smr test` (docs/node-protocol.md).

Run it under the kit:

    npx smr test --replicas 3 --seed 1 -- python3 examples/raft-kv/node.py

The node is a pure function of its inputs: it reads one event (a JSON line) on stdin, updates
its state, and writes exactly one answer line on stdout. It never looks at the wall clock (time
comes from the events) and draws every random number from the seed `init` gives it, so a run is
repeatable.

What it implements is the core of the Raft paper (Ongaro and Ousterhout, 2014): leader election
with the election restriction, log replication with the consistency check, the rule that a
leader only commits entries of its own term by counting replicas, and durable term, vote and log
(sent to the kit in `persist` before anything that depends on them leaves the node). Every client
operation, reads included, goes through the log, and the replicated state keeps the result of
every request id, so a request retried at another node is executed once. There is no
snapshotting and no membership change: test runs are short and the cluster is fixed.

`--bug NAME` injects one classic mistake (see BUGS below; each is marked `# BUG(name)`), to see
the kit catch it. Standard library only.
"""
import argparse
import json
import os
import random
import sys

# ---- Settings -------------------------------------------------------------------------------

HEARTBEAT_MS = 50  # a leader sends AppendEntries at least this often
ELECTION_MIN_MS = 150  # a follower that hears nothing for a random time in [MIN, MAX]
ELECTION_MAX_MS = 300  # ... starts an election
MAX_BATCH = 64  # log entries per AppendEntries message

BUGS = {
    "commit-old-term": "the leader commits entries of earlier terms by counting replicas",
    "stale-read": "the leader answers get from its local state, without the log",
    "no-log-check": "votes are granted without checking that the candidate's log is up to date",
    "forget-vote": "currentTerm and votedFor are not persisted, only the log",
}

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"

DEBUG = os.environ.get("RAFT_DEBUG") == "1"


def debug(*parts):
    """Diagnostics go to stderr (stdout carries the protocol only), and only when asked for."""
    if DEBUG:
        print(*parts, file=sys.stderr, flush=True)


# ---- The state machine ----------------------------------------------------------------------


def execute(kv, op):
    """Apply one client operation to the key-value map and return its result."""
    f, key = op["f"], op["key"]
    if f == "get":
        return kv.get(key)
    if f == "put":
        kv[key] = op["value"]
        return None
    if f == "append":
        kv[key] = kv.get(key, "") + op["value"]
        return None
    if f == "cas":
        expected, new = op["value"][0], op["value"][1]
        if kv.get(key) == expected:
            kv[key] = new
            return True
        return False
    raise ValueError("unknown operation %r" % (f,))


# ---- The Raft node --------------------------------------------------------------------------


class RaftNode:
    def __init__(self, init, bug):
        self.me = init["node"]
        self.peers = [n for n in init["nodes"] if n != self.me]
        self.majority = len(init["nodes"]) // 2 + 1
        self.bug = bug
        self.rng = random.Random(init["seed"])
        # Timers must not be finer than the ticks that drive them.
        tick = init["params"]["tick_ms"]
        self.heartbeat_ms = max(HEARTBEAT_MS, tick)
        self.election_ms = (max(ELECTION_MIN_MS, 3 * self.heartbeat_ms),
                            max(ELECTION_MAX_MS, 6 * self.heartbeat_ms))

        # Durable state: what `persist` carries, and what a restart gets back.
        saved = init["persisted"] or {}
        self.term = saved.get("term", 0)
        self.voted_for = saved.get("voted_for")
        # log[0] is a sentinel so that Raft's 1-based indices are list indices.
        self.log = [{"term": 0}] + saved.get("log", [])
        # Ids of requests whose entries were cut from our log: another node may still hold
        # and commit them, so we must never answer "fail" for them, even after a restart.
        self.dropped = set(saved.get("dropped", []))

        # Volatile state: rebuilt from the log as entries are committed again.
        self.role = FOLLOWER
        self.leader = None  # who we believe leads this term, for redirecting clients
        self.commit_index = 0
        self.last_applied = 0
        self.kv = {}
        self.results = {}  # request id -> result, for every applied request (exactly once)
        self.index_of = {}  # request id -> its index in our log
        for index in range(1, len(self.log)):
            self._remember(index)
        self.waiting = set()  # ids of requests this process received and has not answered
        self.votes = set()
        self.next_index = {}
        self.match_index = {}

        self.now = init["time"]
        self.election_due = 0
        self.heartbeat_due = 0
        self._reset_election_timer()

        # What the current step will answer.
        self.sends, self.replies, self.dirty = [], [], False

    # -- One event in, one answer out --------------------------------------------------------

    def handle(self, event):
        self.now = event["time"]
        self.sends, self.replies, self.dirty = [], [], False
        kind = event["type"]
        if kind == "tick":
            self.on_tick()
        elif kind == "message":
            self.on_message(event["from"], event["body"])
        elif kind == "request":
            self.on_request(event["id"], event["client"], event["op"])
        answer = {"step": event["step"]}
        if self.sends:
            answer["send"] = self.sends
        if self.replies:
            answer["reply"] = self.replies
        if self.dirty:
            # The kit stores this before it delivers our sends and replies, so a vote or an
            # acknowledgement never leaves the node before the state it promises is durable.
            answer["persist"] = self.durable_state()
        return answer

    def durable_state(self):
        # BUG(forget-vote): term and vote are lost on a crash, so a restarted node may vote
        # a second time in a term it already voted in.
        if self.bug == "forget-vote":
            return {"log": self.log[1:], "dropped": sorted(self.dropped)}
        return {"term": self.term, "voted_for": self.voted_for, "log": self.log[1:],
                "dropped": sorted(self.dropped)}

    def send(self, to, body):
        self.sends.append({"to": to, "body": body})

    def reply_ok(self, rid, value):
        self.waiting.discard(rid)
        self.replies.append({"id": rid, "status": "ok", "value": value})

    # -- Small helpers -------------------------------------------------------------------------

    def last_index(self):
        return len(self.log) - 1

    def last_term(self):
        return self.log[-1]["term"]

    def _reset_election_timer(self):
        self.election_due = self.now + self.rng.randint(*self.election_ms)

    def _remember(self, index):
        rid = self.log[index].get("id")
        if rid is not None:
            self.index_of[rid] = index

    def append_to_log(self, entry):
        self.log.append(entry)
        self._remember(self.last_index())
        self.dirty = True

    def truncate_log(self, start):
        """Drop log[start:], entries a leader of a later term replaced."""
        if start <= self.commit_index:
            # Never happens in correct Raft; a --bug variant can get here. Keep going (the
            # kit will report what the clients saw) rather than crash on a missing entry.
            debug(self.me, "truncating committed entries from", start)
            self.commit_index = start - 1
        for index in range(start, len(self.log)):
            rid = self.log[index].get("id")
            if self.index_of.get(rid) == index:
                del self.index_of[rid]
            if rid is not None:
                self.dropped.add(rid)
        del self.log[start:]
        self.dirty = True

    def observe_term(self, term):
        """Any message from a later term makes us a follower of that term (Raft's rule 1)."""
        if term > self.term:
            if self.role == LEADER:
                self._reset_election_timer()  # do not start an election at once
            self.term, self.voted_for, self.leader = term, None, None
            self.role = FOLLOWER
            self.dirty = True

    # -- Timers --------------------------------------------------------------------------------

    def on_tick(self):
        if self.role == LEADER:
            if self.now >= self.heartbeat_due:
                self.add_noop_if_stuck()
                self.broadcast_append()
        elif self.now >= self.election_due:
            self.start_election()

    def add_noop_if_stuck(self):
        # A leader commits only entries of its own term (below). When older entries wait
        # uncommitted and no client has given us an entry of this term, an empty entry lets
        # them commit, and their clients get their answers.
        if self.commit_index < self.last_index() and self.last_term() < self.term:
            self.append_to_log({"term": self.term})

    # -- Elections -----------------------------------------------------------------------------

    def start_election(self):
        self.term += 1
        self.role, self.voted_for, self.leader = CANDIDATE, self.me, None
        self.votes = {self.me}
        self.dirty = True
        self._reset_election_timer()  # if this election fails, try again later
        if len(self.votes) >= self.majority:  # a cluster of one
            self.become_leader()
            return
        for peer in self.peers:
            self.send(peer, {"type": "vote?", "term": self.term,
                             "last_index": self.last_index(), "last_term": self.last_term()})

    def on_vote_request(self, candidate, m):
        self.observe_term(m["term"])
        # The election restriction: vote only for a log at least as up to date as ours, so a
        # leader always holds every committed entry.
        up_to_date = (m["last_term"], m["last_index"]) >= (self.last_term(), self.last_index())
        # BUG(no-log-check): skip the restriction; a leader may lack committed entries and
        # overwrite them on its followers.
        if self.bug == "no-log-check":
            up_to_date = True
        granted = (m["term"] == self.term and self.voted_for in (None, candidate)
                   and up_to_date)
        if granted:
            if self.voted_for != candidate:
                self.voted_for = candidate
                self.dirty = True
            self._reset_election_timer()
        self.send(candidate, {"type": "vote!", "term": self.term, "granted": granted})

    def on_vote_reply(self, voter, m):
        self.observe_term(m["term"])
        if self.role != CANDIDATE or m["term"] != self.term or not m["granted"]:
            return  # a late, duplicated or refused vote
        self.votes.add(voter)  # a set: a duplicated vote counts once
        if len(self.votes) >= self.majority:
            self.become_leader()

    def become_leader(self):
        debug(self.me, "leader of term", self.term)
        self.role, self.leader = LEADER, self.me
        for peer in self.peers:
            self.next_index[peer] = self.last_index() + 1
            self.match_index[peer] = 0
        self.broadcast_append()

    # -- Log replication: the leader's side ----------------------------------------------------

    def broadcast_append(self):
        for peer in self.peers:
            self.send_append(peer)
        self.heartbeat_due = self.now + self.heartbeat_ms

    def send_append(self, peer):
        """AppendEntries with what `peer` lacks (as far as we know), or a heartbeat."""
        prev = self.next_index[peer] - 1
        self.send(peer, {"type": "append?", "term": self.term,
                         "prev_index": prev, "prev_term": self.log[prev]["term"],
                         "entries": self.log[prev + 1:prev + 1 + MAX_BATCH],
                         "commit": self.commit_index})

    def on_append_reply(self, peer, m):
        self.observe_term(m["term"])
        if self.role != LEADER or m["term"] != self.term:
            return  # an answer to an earlier term's leader
        if m["ok"]:
            # `match` says the peer's log equals ours up to there. Answers may come late or
            # twice, so only ever move forward, and only send more when something moved.
            if m["match"] > self.match_index[peer]:
                self.match_index[peer] = m["match"]
                self.next_index[peer] = max(self.next_index[peer], m["match"] + 1)
                self.advance_commit()
                if self.next_index[peer] <= self.last_index():
                    self.send_append(peer)
        else:
            # The peer's log differs before next_index: back up to where it suggests, but
            # never below what it has already confirmed (a late refusal may predate that).
            back_to = max(m["hint"], self.match_index[peer] + 1)
            if back_to < self.next_index[peer]:
                self.next_index[peer] = back_to
                self.send_append(peer)

    def advance_commit(self):
        # The highest index a majority holds: the majority-th largest of the match indices.
        held = sorted([self.last_index()] + [self.match_index[p] for p in self.peers],
                      reverse=True)
        index = held[self.majority - 1]
        if index <= self.commit_index:
            return
        # Figure 8 of the paper: an entry of an earlier term on a majority may still be
        # overwritten, so only an entry of our own term is committed by counting (and with it,
        # everything before it).
        ours = self.log[index]["term"] == self.term
        # BUG(commit-old-term): count replicas of older entries too.
        if self.bug == "commit-old-term":
            ours = True
        if ours:
            self.commit_index = index
            self.apply_committed()

    # -- Log replication: the follower's side --------------------------------------------------

    def on_append_request(self, leader, m):
        self.observe_term(m["term"])
        if m["term"] < self.term:
            self.reject_append(leader, 0)  # our term in the answer deposes the sender
            return
        # A leader of our term exists: follow it.
        self.role, self.leader = FOLLOWER, leader
        self._reset_election_timer()

        prev = m["prev_index"]
        if prev > self.last_index():
            self.reject_append(leader, self.last_index() + 1)
            return
        if self.log[prev]["term"] != m["prev_term"]:
            # Skip back over the whole conflicting term at once rather than one entry a trip.
            conflict = self.log[prev]["term"]
            first = prev
            while first > 1 and self.log[first - 1]["term"] == conflict:
                first -= 1
            self.reject_append(leader, first)
            return

        # Our log matches the leader's up to prev. Add the entries, dropping ours from the
        # first one that conflicts. An entry we already hold stays: a late, shorter copy of
        # an old message must not cut entries a newer one added.
        index = prev
        for entry in m["entries"]:
            index += 1
            if index <= self.last_index():
                if self.log[index]["term"] == entry["term"]:
                    continue
                self.truncate_log(index)
            self.append_to_log(entry)

        # Only entries checked against the leader's log (up to `index`) may be taken as
        # committed; anything after them could be left over from another leader.
        commit = min(m["commit"], index)
        if commit > self.commit_index:
            self.commit_index = commit
            self.apply_committed()
        self.send(leader, {"type": "append!", "term": self.term, "ok": True, "match": index})

    def reject_append(self, leader, hint):
        self.send(leader, {"type": "append!", "term": self.term, "ok": False, "hint": hint})

    # -- Applying committed entries ------------------------------------------------------------

    def apply_committed(self):
        while self.last_applied < self.commit_index:
            self.last_applied += 1
            entry = self.log[self.last_applied]
            rid = entry.get("id")
            debug(self.me, "apply", self.last_applied, entry["term"], rid)
            if rid is None:
                continue  # a leader's no-op
            # The same request can be in the log twice (retried at a new leader before the
            # first copy was known to be committed): execute the first, answer with its result.
            if rid not in self.results:
                self.results[rid] = execute(self.kv, entry["op"])
            if rid in self.waiting:
                self.reply_ok(rid, self.results[rid])

    # -- Clients -------------------------------------------------------------------------------

    def on_request(self, rid, client, op):
        if rid in self.results:
            self.reply_ok(rid, self.results[rid])  # done already: same answer again
            return
        if self.role == LEADER:
            # BUG(stale-read): answer a read from our own state. A leader cut off by a
            # partition does not know it was replaced and returns old values.
            if self.bug == "stale-read" and op["f"] == "get":
                self.reply_ok(rid, self.kv.get(op["key"]))
                return
            self.waiting.add(rid)  # we answer when the entry is applied
            if rid not in self.index_of:  # not in our log yet (else it is on its way)
                self.append_to_log({"term": self.term, "id": rid, "client": client, "op": op})
                self.advance_commit()  # a cluster of one commits at once
                self.broadcast_append()
            return
        if rid in self.index_of or rid in self.dropped:
            # It is (or was) in our log, so it may still commit: "fail" would be a lie. Stay
            # silent; we answer if it is applied here, else the client times out and retries.
            self.waiting.add(rid)
            return
        # We never put it in a log, so this attempt certainly does nothing: redirect.
        answer = {"id": rid, "status": "fail"}
        if self.leader is not None and self.leader != self.me:
            answer["leader"] = self.leader
        self.replies.append(answer)

    # -- Dispatch ------------------------------------------------------------------------------

    def on_message(self, sender, m):
        handler = {
            "vote?": self.on_vote_request,
            "vote!": self.on_vote_reply,
            "append?": self.on_append_request,
            "append!": self.on_append_reply,
        }.get(m.get("type"))
        if handler is not None:
            handler(sender, m)


# ---- Main loop ------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description="A Raft key-value node for `smr test`.")
    parser.add_argument("--bug", choices=sorted(BUGS), help="inject one classic Raft bug: " +
                        "; ".join("%s: %s" % item for item in sorted(BUGS.items())))
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    node = None
    for line in sys.stdin:
        if not line.strip():
            continue
        event = json.loads(line)
        if event["type"] == "init":
            node = RaftNode(event, args.bug)
            answer = {"step": event["step"]}
        else:
            answer = node.handle(event)
        sys.stdout.write(json.dumps(answer, separators=(",", ":")) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
