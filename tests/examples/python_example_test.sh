#!/bin/bash
# The Python example (examples/python) against a real devnet: relay, two rmb-peer, echo.
# Fails unless the reply comes back from twin 1 with our data, and an unknown twin gives
# NOT_FOUND with RMB code 103 in the status details.
set -euo pipefail
src="${RMB_SOURCE_DIR:?}"
bin="${RMB_BUILD_DIR:?}"
work="$(mktemp -d "${TMPDIR:-/tmp}/rmb-pyex-XXXXXX")"
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cleanup() { "$bin/tools/rmb" devnet down --dir "$work/devnet" >/dev/null 2>&1 || true; }
trap cleanup EXIT

"$src/examples/python/gen.sh" "$work/stubs"
"$bin/tools/rmb" devnet up --detach --dir "$work/devnet" --bin-dir "$bin" \
  --relay-port "$(port)" --peer-port "$(port)" --metrics-port "$(port)" > "$work/up.log" 2>&1 \
  || { cat "$work/up.log"; exit 1; }
peer2="$("$bin/tools/rmb" devnet status --dir "$work/devnet" --json | /usr/bin/python3 -c \
  'import json,sys; print([p["grpc"] for p in json.load(sys.stdin)["peers"] if p["twin"] == 2][0])')"

out="$(RMB_PY_STUBS="$work/stubs" /usr/bin/python3 "$src/examples/python/rmb_example.py" \
  --peer "$peer2" --dst 1 --cmd echo --data "hello from python")"
echo "$out"
echo "$out" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["me"] == 2, r
assert r["reply"] == {"from": 1, "data": "hello from python"}, r
assert "CONNECTED" in r["relays"].values(), r'

set +e
err="$(RMB_PY_STUBS="$work/stubs" /usr/bin/python3 "$src/examples/python/rmb_example.py" \
  --peer "$peer2" --dst 4242 --cmd echo --data x)"
code=$?
set -e
echo "$err"
[ "$code" -eq 1 ]
echo "$err" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["error"] == "NOT_FOUND" and r["rmb_code"] == 103, r'
echo "python example: ok"
