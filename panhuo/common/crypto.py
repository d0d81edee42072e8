"""国密 primitives through `cryptography` (OpenSSL): SM3 digests, HMAC-SM3 and SM4-GCM field encryption."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


class FieldCipher(Protocol):
    """Pluggable cipher for personal data at rest (DC-2): software SM4 in dev/CI, a certified device in prod."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, token: str) -> str: ...


class Sm4GcmCipher:
    """SM4-GCM with the key id kept beside each ciphertext: "kid$base64(nonce|ct|tag)"."""

    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError("current key id missing")
        for kid, key in keys.items():
            if len(key) != 16:
                raise ValueError(f"SM4 key {kid} must be 16 bytes")
        self.keys = keys
        self.current = current

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        encryptor = Cipher(algorithms.SM4(self.keys[self.current]), modes.GCM(nonce)).encryptor()
        body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
        packed = base64.b64encode(nonce + body + encryptor.tag).decode("ascii")
        return f"{self.current}${packed}"

    def decrypt(self, token: str) -> str:
        kid, _, packed = token.partition("$")
        raw = base64.b64decode(packed)
        nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
        decryptor = Cipher(algorithms.SM4(self.keys[kid]), modes.GCM(nonce, tag)).decryptor()
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")

    def key_id(self, token: str) -> str:
        return token.partition("$")[0]


def parse_keys(spec: str) -> dict[str, bytes]:
    """ "kid:hex32,kid2:hex32" -> {kid: key}; the first is the current key."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, _, hexkey = part.partition(":")
        keys[kid] = bytes.fromhex(hexkey)
    return keys


def load_or_create_key_file(path: Path) -> str:
    """Development and CI: a random key kept in the data folder (outside the DB and the repo)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"k1:{secrets.token_hex(16)}", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def mask_phone(value: str) -> str:
    digits = value.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" if digits else ""


def mask_id_number(value: str) -> str:
    v = value.strip()
    if len(v) >= 8:
        return f"{v[:4]}{'*' * (len(v) - 8)}{v[-4:]}"
    return "****" if v else ""
