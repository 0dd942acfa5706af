#!/usr/bin/env bash
# The main job: install what is missing, build, and run the local network.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
exec ./scripts/devnet.sh "$@"
