#!/usr/bin/python3
"""Independent crypto oracle for the interop tests.

Reads a JSON list of requests from the file named by argv[1], writes a JSON list of
results to stdout. Ed25519 is checked by PyNaCl and by `cryptography` (OpenSSL), MD5
by hashlib, ECDH and AES-GCM by `cryptography`, so nothing here shares code with the
C++ side's libsodium/libsecp256k1 paths except PyNaCl's libsodium.
"""
import hashlib
import json
import sys

import nacl.exceptions
import nacl.signing
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def ed25519_verify(req):
    pub, msg, sig = (bytes.fromhex(req[k]) for k in ("pub", "msg", "sig"))
    try:
        nacl.signing.VerifyKey(pub).verify(msg, sig)
        nacl_ok = True
    except (nacl.exceptions.BadSignatureError, ValueError):
        nacl_ok = False
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
        ossl_ok = True
    except (InvalidSignature, ValueError):
        ossl_ok = False
    return {"nacl": nacl_ok, "openssl": ossl_ok}


def ed25519_sign(req):
    seed, msg = bytes.fromhex(req["seed"]), bytes.fromhex(req["msg"])
    key = nacl.signing.SigningKey(seed)
    sig = key.sign(msg).signature
    ossl_sig = Ed25519PrivateKey.from_private_bytes(seed).sign(msg)
    return {"sig": sig.hex(), "pub": key.verify_key.encode().hex(),
            "openssl_agrees": sig == ossl_sig}


def md5(req):
    return {"md5": hashlib.md5(bytes.fromhex(req["data"])).hexdigest()}


def ecdh(req):
    sk = ec.derive_private_key(int(req["sk"], 16), ec.SECP256K1())
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), bytes.fromhex(req["pub"]))
    x = sk.exchange(ec.ECDH(), peer)  # the bare x-coordinate
    pub = sk.public_key().public_bytes(serialization.Encoding.X962,
                                       serialization.PublicFormat.CompressedPoint)
    return {"key": hashlib.sha256(x).hexdigest(), "own_pub": pub.hex()}


def aesgcm_decrypt(req):
    data = bytes.fromhex(req["payload"])
    try:
        plain = AESGCM(bytes.fromhex(req["key"])).decrypt(data[:12], data[12:], None)
        return {"ok": True, "plain": plain.hex()}
    except (InvalidTag, ValueError):
        return {"ok": False}


def aesgcm_encrypt(req):
    nonce = bytes.fromhex(req["nonce"])
    ct = AESGCM(bytes.fromhex(req["key"])).encrypt(nonce, bytes.fromhex(req["plain"]), None)
    return {"payload": (nonce + ct).hex()}


OPS = {"ed25519_verify": ed25519_verify, "ed25519_sign": ed25519_sign, "md5": md5,
       "ecdh": ecdh, "aesgcm_decrypt": aesgcm_decrypt, "aesgcm_encrypt": aesgcm_encrypt}

if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        requests = json.load(f)
    json.dump([OPS[r["op"]](r) for r in requests], sys.stdout)
