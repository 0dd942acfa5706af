#!/usr/bin/env bash
# Installs exactly the Debian 12 packages rmb-cpp needs to build, test and run.
# Idempotent: when everything is present it changes nothing and runs no apt-get update.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  # libraries
  libprotobuf-dev protobuf-compiler libabsl-dev
  libgrpc++-dev protobuf-compiler-grpc python3-grpcio
  libboost-dev libboost-system-dev libboost-program-options-dev
  libsodium-dev libsecp256k1-dev libssl-dev libhiredis-dev nlohmann-json3-dev libxxhash-dev
  # test and benchmark
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server nats-server python3 python3-nacl python3-redis python3-mnemonic
  python3-cryptography
  # interop tests install @polkadot/util-crypto from the npm registry
  nodejs
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# npm ships inside some nodejs builds (e.g. NodeSource's) and as its own package in
# Debian's; ask for the package only when the command is missing, or apt would fight the
# nodejs that is there.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

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
