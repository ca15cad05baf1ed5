"""The cryptography of reports: round trips, and what does not open."""

from __future__ import annotations

import pytest

from port2port.reporting import crypto

FAST = crypto.KdfParams(time_cost=1, memory_kib=8, parallelism=1)


def test_sealed_content_opens_with_its_key_and_its_label_only() -> None:
    key = crypto.random_key()
    blob = crypto.seal(key, b"the van was grey", aad=b"report:1:content")

    assert b"grey" not in blob
    assert crypto.unseal(key, blob, aad=b"report:1:content") == b"the van was grey"
    with pytest.raises(crypto.CryptoError):
        crypto.unseal(key, blob, aad=b"report:2:content")
    with pytest.raises(crypto.CryptoError):
        crypto.unseal(crypto.random_key(), blob, aad=b"report:1:content")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(crypto.CryptoError):
        crypto.unseal(key, tampered, aad=b"report:1:content")


def test_a_wrapped_report_key_opens_with_the_recipients_private_key_only() -> None:
    alice, mallory = crypto.keypair_generate(), crypto.keypair_generate()
    key = crypto.random_key()
    wrapped = crypto.wrap(alice.public, key, info=b"report:1:key")

    assert crypto.unwrap(alice.private, wrapped, info=b"report:1:key") == key
    with pytest.raises(crypto.CryptoError):
        crypto.unwrap(mallory.private, wrapped, info=b"report:1:key")
    with pytest.raises(crypto.CryptoError):
        crypto.unwrap(alice.private, wrapped, info=b"report:2:key")
    assert crypto.public_of(alice.private) == alice.public


def test_a_private_key_sealed_under_a_password_opens_with_that_password_only() -> None:
    pair = crypto.keypair_generate()
    salt, sealed = crypto.private_key_lock(pair.private, "old password", FAST)

    assert crypto.private_key_unlock(sealed, "old password", salt, FAST) == pair.private
    with pytest.raises(crypto.CryptoError):
        crypto.private_key_unlock(sealed, "new password", salt, FAST)
    assert crypto.KdfParams.decode(FAST.encode()) == FAST


def test_receipt_keys_are_stable_and_need_the_installation_pepper() -> None:
    first = crypto.receipt_keys("1234567890123456", pepper=b"pepper", params=FAST)
    again = crypto.receipt_keys("1234567890123456", pepper=b"pepper", params=FAST)
    other_pepper = crypto.receipt_keys("1234567890123456", pepper=b"salt", params=FAST)
    other_receipt = crypto.receipt_keys(
        "1234567890123457", pepper=b"pepper", params=FAST
    )

    assert first == again
    assert len(first.lookup) == 64
    assert other_pepper.lookup != first.lookup
    assert other_receipt.lookup != first.lookup
    assert crypto.receipt_wrap_key(first.master, b"a" * 16) != crypto.receipt_wrap_key(
        first.master, b"b" * 16
    )


def test_receipts_are_sixteen_digits_and_typing_spaces_is_fine() -> None:
    receipts = {crypto.receipt_generate() for _ in range(50)}

    assert len(receipts) == 50
    assert all(len(r) == 16 and r.isdigit() for r in receipts)
    assert crypto.receipt_normalise("1234 5678-9012 3456") == "1234567890123456"


def test_a_recovery_key_file_round_trips() -> None:
    pair = crypto.keypair_generate()
    pem = crypto.private_key_pem(pair.private)

    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert crypto.private_key_from_pem(pem) == pair.private
    with pytest.raises(crypto.CryptoError):
        crypto.private_key_from_pem(b"not a key")
    assert len(crypto.fingerprint(pair.public)) == 29
