#!/usr/bin/env bash
# The main job: install what is missing, build, and run a local RMB network (relay, two
# rmb-peer gateways with fresh dev identities, an echo service), checked with a real call.
# It stays in the foreground until Ctrl-C, which stops every process it started.
# Arguments go to `rmb devnet up` (e.g. --twins 3 --redis).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --main
# Only the three programs the devnet runs, not the ~300 test and bench targets. The bench
# option stays as the preset has it: this tree is test.sh's too, and the packages it needs
# come with install-deps anyway.
./scripts/build.sh release --target rmb rmb-peer rmb-relay
exec ./scripts/devnet.sh "$@"
