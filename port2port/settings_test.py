"""Settings for the test suite: the same settings, with fast hashing and no TLS."""

from __future__ import annotations

import os

os.environ.setdefault("P2P_MODE", "demo")
os.environ.setdefault("P2P_TWO_FACTOR_REQUIRED_ROLES", "")

from port2port.settings import *  # noqa: F403
from port2port.settings import LOGGING

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run at once in tests, so that their effects can be asserted directly.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING["root"] = {"handlers": ["console"], "level": "WARNING"}
AXES_ENABLED = True
HTTPS = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Every decision looks for policy changes, so that a test sees its own change at once
# (the propagation test runs real processes with the default interval).
GATE_POLL_SECONDS = 0.0
