"""The detection module's periodic job, run by ``port2port worker``.

The worker looks for due jobs every few seconds; ``detection_run --loop`` judges
events every second where a shorter delay matters.
"""

from __future__ import annotations

from django.conf import settings

from port2port.core.periodic import job_register

job_register(
    name="detection.tick",
    interval=settings.DETECTION_RULES_POLL_SECONDS,
    func="port2port.detection.runner.detection_tick",
)
job_register(
    name="detection.notify",
    interval=settings.DETECTION_NOTIFY_SECONDS,
    func="port2port.detection.services.alerts_notify_job",
)
job_register(
    name="detection.retention",
    interval=3600,
    func="port2port.detection.services.events_purge_job",
)
job_register(
    name="detection.report_reminders",
    interval=300,
    func="port2port.detection.services.incident_report_remind_job",
)
