#!/usr/bin/env python3
"""Where the time goes: groups the self time of `perf record` files by kind of work.

    bench/gateway/perf_summary.py DIR/*.perf.data [--top N]

Runs `perf report --stdio --no-children --sort dso,sym` on each file and sums the sample
shares into groups (crypto, gRPC, protobuf, WebSocket/Asio, kernel, libc, ...); then lists
the top symbols. Grouping is by library first, then by symbol name for code linked
statically into the rmb binaries.
"""
import re
import subprocess
import sys

# (group, library regex, symbol regex); first match wins.
GROUPS = [
    ("crypto: sign/verify/encrypt/hash",
     r"libsodium|libcrypto|libsecp256k1",
     r"sr25519|ed25519|schnorr|ristretto|curve25519|secp256k1|sha256|sha512|sha3|keccak|blake2|md5|aes|gcm|"
     r"merlin|strobe|scalar|fe25519|ge25519|crypto_|EVP_|mulx|bn_|ecdsa|e2e_(en|de)crypt"),
    ("gRPC (HTTP/2, completion queues, channels)", r"libgrpc|libgpr|libaddress_sorting|libupb|libre2",
     r"grpc|gpr_|chttp2|hpack"),
    ("protobuf (serialize/parse)", r"libprotobuf", r"google::protobuf|protobuf"),
    ("kernel (syscalls, loopback TCP, scheduler)", r"\[kernel|\[vdso", r"^$"),
    ("WebSocket / Asio / Beast", r"libboost", r"boost::beast|boost::asio|websocket"),
    ("JSON / base64 / hex", r"libnlohmann", r"nlohmann|base64|to_hex|from_hex"),
    ("libc / libstdc++ (malloc, memcpy, strings, locks)", r"libc\.so|libc-|libstdc\+\+|libm\.so|ld-linux|libpthread",
     r"^(malloc|free|_int_|memcpy|memmove|memset|__memcpy|__memmove|__memset|operator new|operator delete|cfree)"),
    ("absl", r"libabsl", r"absl::"),
]


def report(path):
    out = subprocess.run(["perf", "report", "--stdio", "--no-children", "--sort", "dso,sym", "-i", path],
                         capture_output=True, text=True, check=True).stdout
    rows = []
    pattern = re.compile(r"^\s+([0-9.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)$")
    for line in out.splitlines():
        m = pattern.match(line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3).strip()))
    return rows


def group_of(dso, sym):
    for name, lib_re, sym_re in GROUPS:
        if re.search(lib_re, dso):
            return name
    for name, lib_re, sym_re in GROUPS:
        if sym_re != "^$" and re.search(sym_re, sym, re.IGNORECASE):
            return name
    return "other (rmb code, unresolved)"


def main():
    args = sys.argv[1:]
    top = 12
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    for path in args:
        rows = report(path)
        groups = {}
        for share, dso, sym in rows:
            g = group_of(dso, sym)
            groups[g] = groups.get(g, 0.0) + share
        print(f"== {path}")
        for g, share in sorted(groups.items(), key=lambda kv: -kv[1]):
            print(f"  {share:6.2f}%  {g}")
        print(f"  top {top} symbols (self):")
        for share, dso, sym in rows[:top]:
            print(f"  {share:6.2f}%  {dso:28.28s} {sym[:90]}")
        print()


if __name__ == "__main__":
    main()
