#!/usr/bin/env bash
# The main job: install what is missing, build, and run a local RMB network (relay, two
# rmb-peer gateways with fresh dev identities, an echo service), checked with a real call.
# Arguments go to `rmb devnet up` (e.g. --twins 3 --redis).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
exec ./scripts/devnet.sh "$@"
