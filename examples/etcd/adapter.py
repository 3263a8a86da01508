#!/usr/bin/env python3
"""An smr live client adapter for etcd 3.4, through its JSON/HTTP gateway (Python 3 stdlib).

One process per client. It reads operations as JSON lines on stdin and answers each with one
line on stdout (the protocol is in harness/live/clients.ts):

  {"op": {"f": "get", "key": "k1"}}                    {"status": "ok", "value": 3}
  {"op": {"f": "put", "key": "k1", "value": 4}}        {"status": "ok"}
  {"op": {"f": "cas", "key": "k1", "value": [4, 5]}}   {"status": "ok", "value": true}
  {"op": {"f": "append", "key": "k1", "value": "6,"}}  {"status": "info"}

"fail" means the operation certainly did not take effect (the connection was refused, so the
request never left); "info" means nobody knows (a timeout, a reset after sending, an error
from etcd such as "request timed out"). A get that fails in any way is a "fail": a read that
did not return changes nothing.

  --endpoints H:P,H:P,...   the nodes' client addresses ({endpoints})
  --node I                  the node this client talks to first ({node}); on a refused
                            connection it tries the next (the request never left, so that is safe)
  --timeout-ms T            the whole operation's budget ({timeout_ms}); answers "info" after it
  --serializable            gets are serializable (served by the local node without a quorum):
                            fast, and stale after a partition — a known way to lose
                            linearizability
  --cache                   a deliberate bug: a client-side cache answers gets with the last
                            value this client read or wrote, without asking etcd
  --health H:P              no protocol: exit 0 when that node answers /health with true
"""
import argparse
import base64
import http.client
import json
import socket
import sys
import time

PREFIX = "smr-live/"


def b64(text):
    return base64.b64encode(text.encode()).decode()


class Unknown(Exception):
    """The request may have reached etcd: the outcome is unknown."""


class Refused(Exception):
    """No node took the connection: the request never left."""


class Etcd:
    def __init__(self, endpoints, first, timeout_ms):
        self.endpoints = endpoints
        self.first = first % len(endpoints)
        self.budget = timeout_ms / 1000.0

    def call(self, path, body, deadline):
        """POST to the home node, or the next ones while connections are refused."""
        n = len(self.endpoints)
        for k in range(n):
            host, port = self.endpoints[(self.first + k) % n]
            left = deadline - time.monotonic()
            if left <= 0.01:
                raise Unknown("timeout")
            conn = http.client.HTTPConnection(host, port, timeout=left)
            try:
                try:
                    conn.connect()
                except ConnectionRefusedError:
                    continue
                except OSError as e:
                    # A connect that timed out (a paused node's full backlog): nothing was sent.
                    raise Refused(str(e))
                try:
                    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
                    response = conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as e:
                    raise Unknown(str(e))
                if response.status != 200:
                    raise Unknown("HTTP %d: %s" % (response.status, data[:200]))
                return json.loads(data)
            finally:
                conn.close()
        raise Refused("every node refused the connection")

    def get(self, key, serializable, deadline):
        body = {"key": b64(PREFIX + key)}
        if serializable:
            body["serializable"] = True
        kvs = self.call("/v3/kv/range", body, deadline).get("kvs") or []
        if not kvs:
            return None
        return json.loads(base64.b64decode(kvs[0]["value"]).decode())

    def get_with_revision(self, key, deadline):
        kvs = self.call("/v3/kv/range", {"key": b64(PREFIX + key)}, deadline).get("kvs") or []
        if not kvs:
            return None, "0"
        kv = kvs[0]
        return json.loads(base64.b64decode(kv["value"]).decode()), kv.get("mod_revision", "0")

    def put(self, key, value, deadline):
        self.call("/v3/kv/put", {"key": b64(PREFIX + key), "value": b64(json.dumps(value))}, deadline)

    def cas(self, key, old, new, deadline):
        # etcd's compare of a missing key's value is false: the model is "etcd" (models.ts).
        txn = {
            "compare": [
                {"key": b64(PREFIX + key), "target": "VALUE", "result": "EQUAL", "value": b64(json.dumps(old))}
            ],
            "success": [{"requestPut": {"key": b64(PREFIX + key), "value": b64(json.dumps(new))}}],
        }
        return bool(self.call("/v3/kv/txn", txn, deadline).get("succeeded", False))

    def append(self, key, suffix, deadline):
        """Read, then put value+suffix if the key's revision is still the one read; retry."""
        while True:
            value, revision = self.get_with_revision(key, deadline)
            if value is not None and not isinstance(value, str):
                raise Unknown("append to a non-string value")
            txn = {
                "compare": [
                    {"key": b64(PREFIX + key), "target": "MOD", "result": "EQUAL", "mod_revision": revision}
                ],
                "success": [
                    {"requestPut": {"key": b64(PREFIX + key), "value": b64(json.dumps((value or "") + suffix))}}
                ],
            }
            if self.call("/v3/kv/txn", txn, deadline).get("succeeded", False):
                return


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def health(address):
    host, port = address.rsplit(":", 1)
    try:
        conn = http.client.HTTPConnection(host, int(port), timeout=2)
        conn.request("GET", "/health")
        ok = json.loads(conn.getresponse().read()).get("health") == "true"
    except (OSError, ValueError, http.client.HTTPException):
        ok = False
    sys.exit(0 if ok else 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoints")
    parser.add_argument("--node", type=int, default=0)
    parser.add_argument("--timeout-ms", type=int, default=2000)
    parser.add_argument("--serializable", action="store_true")
    parser.add_argument("--cache", action="store_true")
    parser.add_argument("--health")
    args = parser.parse_args()
    if args.health:
        health(args.health)
    if not args.endpoints:
        parser.error("--endpoints is required")
    endpoints = [(h, int(p)) for h, p in (e.rsplit(":", 1) for e in args.endpoints.split(","))]
    etcd = Etcd(endpoints, args.node, args.timeout_ms)
    # The budget is a little under the kit's: the answer must reach it in time.
    budget = max(0.05, etcd.budget - 0.1)
    cache = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        op = json.loads(line)["op"]
        f, key, value = op["f"], op["key"], op.get("value")
        deadline = time.monotonic() + budget
        try:
            if f == "get":
                if args.cache and key in cache:
                    answer({"status": "ok", "value": cache[key]})
                    continue
                read = etcd.get(key, args.serializable, deadline)
                cache[key] = read
                answer({"status": "ok", "value": read})
            elif f == "put":
                etcd.put(key, value, deadline)
                cache[key] = value
                answer({"status": "ok"})
            elif f == "cas":
                swapped = etcd.cas(key, value[0], value[1], deadline)
                if swapped:
                    cache[key] = value[1]
                answer({"status": "ok", "value": swapped})
            elif f == "append":
                etcd.append(key, value, deadline)
                cache.pop(key, None)
                answer({"status": "ok"})
            else:
                sys.exit("adapter.py: unknown operation %r" % f)
        except Refused as e:
            answer({"status": "fail", "error": str(e)})
        except (Unknown, socket.timeout, ValueError) as e:
            answer({"status": "fail" if f == "get" else "info", "error": str(e)})


if __name__ == "__main__":
    main()
