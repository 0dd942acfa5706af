#!/usr/bin/env python3
"""Where the time goes: groups the self time of `perf record` files by kind of work.

    bench/gateway/perf_summary.py DIR/*.perf.data [--top N]

Runs `perf report --stdio --no-children --sort dso,sym` on each file and sums the sample
shares into groups (crypto, gRPC, protobuf, WebSocket/Asio, kernel, libc, ...); splits the
kernel share by system call (from the kernel call chains of `perf script`); then lists
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
    out = subprocess.run(["perf", "report", "--stdio", "--no-children", "-g", "none", "--sort", "dso,sym", "-i", path],
                         capture_output=True, text=True, check=True).stdout
    rows = []
    pattern = re.compile(r"^\s+([0-9.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)$")
    for line in out.splitlines():
        m = pattern.match(line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3).strip()))
    return rows


def kernel_by_syscall(path):
    """Kernel samples by the system call (or interrupt) they ran under: which waits and
    wake-ups (futex, epoll) and which socket work (sendmsg, recvmsg) the kernel time is."""
    out = subprocess.run(["perf", "script", "-F", "ip,sym,dso", "-i", path], capture_output=True, text=True,
                         check=True).stdout
    counts, total = {}, 0
    for block in out.split("\n\n"):
        frames = [f.strip() for f in block.strip().splitlines() if f.strip()]
        if not frames:
            continue
        total += 1
        if "[kernel.kallsyms]" not in frames[0]:
            continue
        name = None
        for f in frames:
            m = re.search(r" (?:__x64_sys|__se_sys|ksys|__sys|__do_sys)_(\w+) \(", f)
            if m:
                name = "syscall " + m.group(1)
                break
        if name is None:
            # Some syscall paths name no sys_ function in the chain; the libc wrapper does.
            user = next((f for f in frames if "[kernel" not in f), "")
            m = re.search(r"(sendmsg|recvmsg|write|read|epoll_wait|futex|lll_lock|pthread_cond|getrandom)", user)
            if m:
                name = "syscall " + {"lll_lock": "futex", "pthread_cond": "futex"}.get(m.group(1), m.group(1))
            elif any("asm_sysvec" in f or "asm_common_interrupt" in f for f in frames):
                name = "interrupts / IPIs (wake-ups, preemption)"
            else:
                name = "other kernel (page faults, softirq, unresolved)"
        counts[name] = counts.get(name, 0) + 1
    return {k: 100.0 * v / total for k, v in counts.items()} if total else {}


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
        print("  kernel share by system call:")
        for name, share in sorted(kernel_by_syscall(path).items(), key=lambda kv: -kv[1])[:8]:
            print(f"  {share:6.2f}%  {name}")
        print(f"  top {top} symbols (self):")
        for share, dso, sym in rows[:top]:
            print(f"  {share:6.2f}%  {dso:28.28s} {sym[:90]}")
        print()


if __name__ == "__main__":
    main()
