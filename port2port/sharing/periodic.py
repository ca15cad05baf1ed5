"""The hub's periodic job: match what arrived since the last run."""

from __future__ import annotations

from django.conf import settings

from port2port.core.periodic import job_register

job_register(
    name="sharing.match",
    interval=settings.SHARING_MATCH_INTERVAL_SECONDS,
    func="port2port.sharing.services.matches_tick",
)
