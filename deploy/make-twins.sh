#!/usr/bin/env bash
# Two fresh twins for deploy/compose.yml: deploy/twins.json (public: accounts, e2e keys,
# relay "relay:8080") and deploy/.env (secret: the mnemonics, read by compose).
# RMB names the rmb command (default: rmb on PATH, else the release build).
set -euo pipefail
cd "$(dirname "$0")"
RMB=${RMB:-$(command -v rmb || echo ../build/release/tools/rmb)}
umask 077
: > .env
rm -f twins.json
for i in 1 2; do
  m=$($RMB keys new 2>/dev/null)
  echo "TWIN${i}_MNEMONIC=\"$m\"" >> .env
  $RMB directory add --file twins.json --id "$i" --key-type ed25519 --mnemonic "$m" --relay relay:8080 >/dev/null
done
chmod 644 twins.json
echo "wrote deploy/twins.json (2 twins, relay relay:8080) and deploy/.env (their mnemonics; keep it secret)"
