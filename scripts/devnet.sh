#!/usr/bin/env bash
# A local RMB network on embedded defaults: `rmb devnet up` (fresh dev twins, rmb-relay,
# one rmb-peer per twin, an echo service on twin 1, one checked call), in the foreground
# until Ctrl-C. Arguments go to `rmb devnet up` (--twins N, --redis, --detach, --dir DIR).
# Environment: RMB_BIN_DIR (build tree, default build/release), RMB_DEVNET_DIR (.devnet).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RMB_BIN_DIR:-build/release}
RMB=$BIN/tools/rmb
if [ ! -x "$RMB" ]; then
  echo "devnet: $RMB is missing; build first (./scripts/build.sh release) or run ./scripts/main.sh" >&2
  exit 1
fi
exec "$RMB" devnet up --bin-dir "$BIN" "$@"
