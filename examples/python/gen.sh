#!/bin/sh
# Generates the Python stubs of rmb-peer's gRPC API into $1 (default: ./gen).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/gen}"
mkdir -p "$out"
protoc -I "$here/../../proto" --python_out="$out" --grpc_out="$out" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin "$here/../../proto/rmb/api/v1/gateway.proto"
