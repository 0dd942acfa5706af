#!/usr/bin/env bash
# Installs exactly the Debian 12 packages rmb-cpp needs to build, test and run
# (`--main`: only to build and run the main job's three programs, for scripts/main.sh).
# Idempotent: when everything is present it changes nothing and runs no apt-get update.
set -euo pipefail

# What scripts/main.sh needs to build rmb, rmb-peer and rmb-relay and run a devnet. The
# release tree's configure also looks for GoogleTest and Google Benchmark (small).
MAIN_PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config
  # libraries
  libprotobuf-dev protobuf-compiler libabsl-dev
  libgrpc++-dev protobuf-compiler-grpc
  libboost-dev libboost-system-dev libboost-program-options-dev
  libsodium-dev libsecp256k1-dev libssl-dev libhiredis-dev nlohmann-json3-dev libxxhash-dev
  # the BIP-39 word list (core/CMakeLists.txt) and `rmb devnet up --redis`
  python3-mnemonic redis-server
  libgtest-dev libgmock-dev libbenchmark-dev
)
# The rest of what scripts/test.sh needs: clang for the sanitizer and fuzz tree, the format
# check, and the oracles and servers of the integration and interop tests. On a fresh
# Debian 12 this is most of the install: 571 packages with their dependencies in all
# (240 MB to download), 182 (152 MB) for --main alone (apt-get -s against an empty status).
TEST_PACKAGES=(
  clang libclang-rt-14-dev clang-format
  python3-grpcio nats-server python3 python3-nacl python3-redis python3-cryptography
  # interop tests install @polkadot/util-crypto from the npm registry
  nodejs
)

PACKAGES=("${MAIN_PACKAGES[@]}")
if [ "${1:-}" != "--main" ]; then PACKAGES+=("${TEST_PACKAGES[@]}"); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# npm ships inside some nodejs builds (e.g. NodeSource's) and as its own package in
# Debian's; ask for the package only when the command is missing, or apt would fight the
# nodejs that is there.
if [ "${1:-}" != "--main" ] && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
