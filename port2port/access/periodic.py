"""The access module's periodic jobs, run by ``port2port worker``."""

from __future__ import annotations

from django.conf import settings

from port2port.core.periodic import job_register

# A ban issued ahead of time starts on its first day: the gates refuse the person
# from then on by themselves; this job suspends the passes, re-screens the visits
# and alerts the facilities, once per ban.
job_register(
    name="access.ban_start_due",
    interval=settings.BAN_START_CHECK_SECONDS,
    func="port2port.access.services.ban_start_due",
)
