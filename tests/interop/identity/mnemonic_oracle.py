#!/usr/bin/python3
"""Independent BIP-39 oracle (python3-mnemonic) for the C++ interop test.

  check     reads phrases, one per line, prints "<1|0> <entropy hex or ->" for each
  generate  prints "<phrase>\t<entropy hex>" for fresh phrases of every strength
"""
import sys

from mnemonic import Mnemonic

m = Mnemonic("english")

if sys.argv[1] == "check":
    for line in sys.stdin:
        phrase = line.rstrip("\n")
        if m.check(phrase):
            print("1", m.to_entropy(phrase).hex())
        else:
            print("0 -")
elif sys.argv[1] == "generate":
    count = int(sys.argv[2])
    for strength in (128, 160, 192, 224, 256):
        for _ in range(count):
            phrase = m.generate(strength=strength)
            print(phrase + "\t" + bytes(m.to_entropy(phrase)).hex())
else:
    sys.exit("unknown mode")
