from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import World
from port2port.core.models import User

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> int:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}
    ).status_code


def test_login_with_the_right_password(alice: User) -> None:
    client = Client()
    assert _login(client, "alice", "correct horse battery staple") == 302
    assert client.get("/").status_code == 200


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from django.conf import settings

    from port2port import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.AUTH_USER_MODEL == "core.User"


def test_login_is_locked_after_repeated_failures(alice: User) -> None:
    client = Client()
    for _ in range(4):
        assert _login(client, "alice", "wrong") == 200
    # The fifth failure locks the account (P2P_LOGIN_FAILURE_LIMIT, 5 by default).
    assert _login(client, "alice", "wrong") == 429
    # Even the right password is refused while the account is locked.
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct horse battery staple"},
    )
    assert response.status_code == 429
    assert client.get("/").status_code == 302


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["port_security_officer"])
def test_role_that_requires_two_factor_must_set_it_up_first(alice: User) -> None:
    client = Client()
    assert _login(client, "alice", "correct horse battery staple") == 302
    response = client.get("/facilities/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"
    assert client.get("/api/v1/facilities").status_code == 401

    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=alice)
    assert device.confirmed is False
    code = f"{totp(device.bin_key):06d}"
    response = client.post("/accounts/two-factor/", {"code": code})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/facilities/").status_code == 200
    assert client.get("/api/v1/facilities").status_code == 200


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["port_security_officer"])
def test_wrong_totp_code_is_refused(alice: User) -> None:
    client = Client()
    _login(client, "alice", "correct horse battery staple")
    client.get("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert client.get("/facilities/").status_code == 302


def test_role_without_obligation_is_not_asked_for_a_second_factor(
    bob: User, world: World
) -> None:
    client = Client()
    _login(client, "bob", "correct horse battery staple")
    assert client.get("/facilities/").status_code == 200


def test_sessions_expire(settings: object) -> None:
    from port2port import settings as production

    assert production.SESSION_COOKIE_AGE == 8 * 3600
    assert production.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
