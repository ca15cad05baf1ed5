"""Find the demo data of the domain apps (``<app>/demo.py``) by name.

The registry does not import the apps built on it; each app that has demo data
offers ``seed(stdout=...) -> dict[str, int]`` and, optionally, ``ACCOUNTS``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from types import ModuleType

from django.apps import apps

from port2port.core.demo.data import DEMO_ACCOUNTS


def app_demo_modules() -> Iterator[tuple[str, ModuleType]]:
    """Yield (verbose name, module) for every domain app with demo data, in app order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("port2port.") or config.label == "core":
            continue
        if importlib.util.find_spec(f"{config.name}.demo") is None:
            continue
        yield str(config.verbose_name), importlib.import_module(f"{config.name}.demo")


def all_demo_accounts() -> list[tuple[str, str, str]]:
    """Return (username, role, scope) of every demo account."""
    accounts = [tuple(a) for a in DEMO_ACCOUNTS]
    for _, module in app_demo_modules():
        accounts.extend(tuple(a) for a in getattr(module, "ACCOUNTS", ()))
    return accounts  # type: ignore[return-value]
