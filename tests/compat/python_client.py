#!/usr/bin/python3
"""An rmb app written the way existing Python rmb clients are (Debian's python3-redis):
requests LPUSHed to msgbus.system.local, a command served with BLPOP on msgbus.<cmd> and
replies pushed to msgbus.system.reply, responses read with BLPOP from our own `ret` list.

usage: python_client.py REDIS_URL SELF_TWIN UNKNOWN_TWIN ECHO_TWIN
Exits 0 when every check passed; prints what failed otherwise."""
import base64
import json
import sys
import threading
import uuid

import redis

url, self_twin, unknown_twin, echo_twin = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def worker():
    r = redis.Redis.from_url(url)
    for _ in range(3):
        item = r.blpop("msgbus.py.upper", timeout=20)
        if item is None:
            failures.append("worker: no request")
            return
        msg = json.loads(item[1])
        check(msg["ret"] == "msgbus.system.reply", "worker: ret")
        check(msg["cmd"] == "py.upper", "worker: cmd")
        body = base64.b64decode(msg["dat"]).decode()
        reply = {"ver": 1, "ref": msg["ref"], "dat": base64.b64encode(body.upper().encode()).decode(),
                 "dst": msg["src"], "shm": msg["shm"], "now": 0, "err": None}
        if body == "fail":
            reply["err"] = {"code": 255, "message": "worker refused"}
            reply["dat"] = ""
        r.lpush("msgbus.system.reply", json.dumps(reply))


def call(r, cmd, dst, data, extra=None):
    ret = str(uuid.uuid4())
    req = {"ver": 1, "ref": "py-" + ret[:8], "cmd": cmd, "exp": 30,
           "dat": base64.b64encode(data.encode()).decode(), "tag": None, "dst": dst, "ret": ret,
           "shm": "application/json", "now": 0}
    if extra:
        req.update(extra)
    r.lpush("msgbus.system.local", json.dumps(req))
    out = []
    for _ in dst:
        item = r.blpop(ret, timeout=20)
        if item is None:
            failures.append("no response for %s to %s" % (cmd, dst))
            break
        out.append(json.loads(item[1]))
    return req["ref"], out


def main():
    t = threading.Thread(target=worker)
    t.start()
    r = redis.Redis.from_url(url)

    ref, [resp] = call(r, "py.upper", [self_twin], "hello")
    check(resp["ref"] == ref, "round trip: ref")
    check(base64.b64decode(resp["dat"]) == b"HELLO", "round trip: dat %r" % resp["dat"])
    check(resp["err"] is None and resp["src"] == str(self_twin), "round trip: src/err")
    check(list(resp.keys()) == ["ver", "ref", "dat", "src", "shm", "now", "err"], "(d) key order")

    # The Go client's extra `con` key and no `tag`: still fine.
    ref, [resp] = call(r, "py.upper", [self_twin], "go style", {"con": "sess", "tag": None})
    check(base64.b64decode(resp["dat"]) == b"GO STYLE", "extra keys")

    ref, [resp] = call(r, "py.upper", [self_twin], "fail")
    check(resp["err"] == {"code": 255, "message": "worker refused"}, "worker error: %r" % resp["err"])

    ref, resps = call(r, "remote.echo", [echo_twin, unknown_twin], "fan")
    by_src = {x["src"]: x for x in resps}
    check(set(by_src) == {str(echo_twin), ""}, "fan-out sources %r" % list(by_src))
    if "" in by_src:
        check(by_src[""]["err"]["code"] == 103, "fan-out: unknown twin code")

    # A request that cannot be sent is answered at once.
    ref, [resp] = call(r, "remote.echo", [echo_twin], "x", {"exp": 0})
    check(resp["err"] is not None and resp["err"]["code"] == 102, "exp 0: %r" % resp["err"])

    t.join()
    if failures:
        print("%d failures" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("python client: all checks passed")


main()
