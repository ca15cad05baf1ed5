"""The cryptography of anonymous reports, free of Django.

Only standard constructions from ``cryptography`` and ``argon2-cffi``:

- **Content** (report fields, messages, files) is sealed with AES-256-GCM under
  the report's own random 256-bit key. Every blob carries associated data that
  names what it is (the report, the message or the file), so that a ciphertext
  moved to another row or file does not open there.
- **Wrapping** a report key for a handler or for an organisation's recovery key
  uses HPKE (RFC 9180) in base mode with DHKEM(X25519, HKDF-SHA256),
  HKDF-SHA256 and AES-256-GCM.
- A handler's X25519 **private key** is sealed under a key derived from the
  password with **Argon2id**; the reporter's copy of the report key under a key
  derived from the receipt with Argon2id as well.

Blobs start with a version byte so that the formats can change later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import hpke as _hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
RECEIPT_DIGITS = 16

_SUITE = _hpke.Suite(_hpke.KEM.X25519, _hpke.KDF.HKDF_SHA256, _hpke.AEAD.AES_256_GCM)


class CryptoError(Exception):
    """A blob that does not open: a wrong key, or data that was changed."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored beside what they protect."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 1

    def encode(self) -> str:
        return f"argon2id:t={self.time_cost},m={self.memory_kib},p={self.parallelism}"

    @classmethod
    def decode(cls, text: str) -> KdfParams:
        try:
            name, _, rest = text.partition(":")
            if name != "argon2id":
                raise ValueError(name)
            values = dict(part.split("=", 1) for part in rest.split(","))
            return cls(
                time_cost=int(values["t"]),
                memory_kib=int(values["m"]),
                parallelism=int(values["p"]),
            )
        except (KeyError, ValueError) as exc:
            raise CryptoError(f"Unknown key derivation {text!r}") from exc


def random_key() -> bytes:
    """Return a fresh 256-bit key."""
    return secrets.token_bytes(KEY_BYTES)


# Symmetric sealing -------------------------------------------------------------------


def seal(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext``; ``aad`` names what it is."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return bytes([VERSION]) + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, *, aad: bytes) -> bytes:
    """Open a blob made by ``seal`` with the same key and associated data."""
    blob = bytes(blob)
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[0] != VERSION:
        raise CryptoError("Not a sealed blob")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag:
        raise CryptoError("The blob does not open with this key") from None


def seal_json(key: bytes, data: Any, *, aad: bytes) -> bytes:
    return seal(key, json.dumps(data, ensure_ascii=False).encode("utf-8"), aad=aad)


def unseal_json(key: bytes, blob: bytes, *, aad: bytes) -> Any:
    return json.loads(unseal(key, blob, aad=aad).decode("utf-8"))


# Key pairs and wrapping ----------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    """An X25519 key pair as raw 32-byte strings."""

    private: bytes
    public: bytes


def keypair_generate() -> KeyPair:
    private = X25519PrivateKey.generate()
    return KeyPair(
        private=private.private_bytes_raw(),
        public=private.public_key().public_bytes_raw(),
    )


def public_of(private: bytes) -> bytes:
    """Return the public key that belongs to a raw private key."""
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def fingerprint(public: bytes) -> str:
    """Return a short, readable fingerprint of a public key (for people to compare)."""
    digest = hashlib.sha256(b"p2p-reporting-key\x00" + public).hexdigest()[:24]
    return " ".join(digest[i : i + 4] for i in range(0, 24, 4)).upper()


def wrap(public: bytes, secret: bytes, *, info: bytes) -> bytes:
    """Encrypt ``secret`` to the holder of ``public`` (HPKE base mode)."""
    recipient = X25519PublicKey.from_public_bytes(public)
    return bytes([VERSION]) + _SUITE.encrypt(secret, recipient, info=info)


def unwrap(private: bytes, blob: bytes, *, info: bytes) -> bytes:
    """Open a blob made by ``wrap`` with the matching private key."""
    blob = bytes(blob)
    if not blob or blob[0] != VERSION:
        raise CryptoError("Not a wrapped key")
    try:
        return _SUITE.decrypt(
            blob[1:], X25519PrivateKey.from_private_bytes(private), info=info
        )
    except (InvalidTag, ValueError):
        raise CryptoError("The wrapped key does not open with this key") from None


# Keys from secrets people know -----------------------------------------------------------


def kdf(secret: str, salt: bytes, params: KdfParams) -> bytes:
    """Derive a 256-bit key from a password or a receipt with Argon2id."""
    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _hkdf(key: bytes, *, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info
    ).derive(key)


def private_key_lock(
    private: bytes, password: str, params: KdfParams
) -> tuple[bytes, bytes]:
    """Seal a private key under the password; return (salt, sealed key)."""
    salt = secrets.token_bytes(SALT_BYTES)
    return salt, seal(kdf(password, salt, params), private, aad=b"handler-private-key")


def private_key_unlock(
    sealed: bytes, password: str, salt: bytes, params: KdfParams
) -> bytes:
    """Open a private key sealed by ``private_key_lock``."""
    return unseal(kdf(password, salt, params), sealed, aad=b"handler-private-key")


def receipt_generate() -> str:
    """Return a receipt of 16 random digits (it looks like a phone number)."""
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def receipt_normalise(text: str) -> str:
    """Keep the digits of a typed receipt (spaces and dashes are allowed)."""
    return "".join(ch for ch in text if ch.isdigit())


@dataclass(frozen=True)
class ReceiptKeys:
    """What one receipt opens: the lookup code of its report and its master key."""

    lookup: str
    master: bytes


def receipt_keys(receipt: str, *, pepper: bytes, params: KdfParams) -> ReceiptKeys:
    """Derive the lookup code and the master key of a receipt.

    Argon2id runs once, with a salt derived from the installation's secret
    ``pepper``: the lookup code must be the same every time, and without the
    pepper a copy of the database cannot even test a guess.
    """
    salt = hmac.new(pepper, b"receipt-salt", hashlib.sha256).digest()[:SALT_BYTES]
    master = kdf(receipt, salt, params)
    lookup = hmac.new(pepper, _hkdf(master, info=b"lookup"), hashlib.sha256)
    return ReceiptKeys(lookup=lookup.hexdigest(), master=master)


def receipt_wrap_key(master: bytes, report_salt: bytes) -> bytes:
    """Return the key that seals a report key for its reporter."""
    return _hkdf(master, info=b"report-key", salt=report_salt)


# Files of the offline recovery key ---------------------------------------------------------


def private_key_pem(private: bytes) -> bytes:
    """Return a raw private key as unencrypted PKCS#8 PEM (kept offline)."""
    return X25519PrivateKey.from_private_bytes(private).private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def private_key_from_pem(pem: bytes) -> bytes:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise CryptoError("Not a PEM private key") from exc
    if not isinstance(key, X25519PrivateKey):
        raise CryptoError("Not an X25519 private key")
    return key.private_bytes_raw()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise CryptoError("Not base64") from exc
