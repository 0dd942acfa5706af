#!/usr/bin/env bash
# A local RMB network on embedded defaults: a twin directory file with fresh dev
# identities and one rmb-relay (memory mailbox), in the foreground until Ctrl-C.
# The gateways (rmb-peer) join it once they exist; then `rmb devnet` replaces this script.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RMB_BIN_DIR:-build/release}
RMB=$BIN/tools/rmb
RELAY=$BIN/relay/rmb-relay
DIR=${RMB_DEVNET_DIR:-.devnet}
PORT=${RMB_DEVNET_PORT:-8080}
TWINS=${RMB_DEVNET_TWINS:-2}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_port=$PORT
while ! port_free "$PORT"; do
  PORT=$((PORT + 1))
  if [ $((PORT - start_port)) -gt 50 ]; then
    echo "devnet: no free port in $start_port..$PORT" >&2; exit 1
  fi
done
[ "$PORT" = "$start_port" ] || echo "devnet: port $start_port is in use, using $PORT"

mkdir -p "$DIR"
chmod 700 "$DIR"
DOMAIN="127.0.0.1:$PORT"
if [ ! -f "$DIR/twins.json" ]; then
  for i in $(seq 1 "$TWINS"); do
    $RMB keys new > "$DIR/twin$i.mnemonic" 2>/dev/null
    $RMB directory add --file "$DIR/twins.json" --id "$i" --key-type ed25519 \
      --mnemonic "$(cat "$DIR/twin$i.mnemonic")" --relay "$DOMAIN" >/dev/null
  done
  echo "devnet: created $TWINS dev twins in $DIR/twins.json (mnemonics in $DIR/twin*.mnemonic)"
fi

$RELAY --listen "127.0.0.1:$PORT" --directory "$DIR/twins.json" --domain "$DOMAIN" &
relay_pid=$!
trap 'kill -TERM $relay_pid 2>/dev/null; wait $relay_pid 2>/dev/null; echo "devnet: stopped"' EXIT INT TERM

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.1
done

cat <<MSG

devnet is up
  relay      ws://127.0.0.1:$PORT/?<jwt>   (metrics: http://127.0.0.1:$PORT/metrics)
  directory  $DIR/twins.json
$($RMB directory list --file "$DIR/twins.json" | sed 's/^/  /')

Try:
  curl -s http://127.0.0.1:$PORT/metrics | grep relay_
  $RMB keys show --mnemonic "\$(cat $DIR/twin1.mnemonic)"
  $RMB directory list --file $DIR/twins.json
Coming next: rmb-peer gateways (gRPC + Redis API) and 'rmb call' on top of this relay.
Ctrl-C stops everything.
MSG
wait $relay_pid
