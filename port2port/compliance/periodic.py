"""The compliance module's periodic jobs, run by ``port2port worker``."""

from __future__ import annotations

from django.conf import settings

from port2port.core.periodic import job_register

# A security level whose validity has ended gives way to the level before it.
job_register(
    name="compliance.security_level_expire",
    interval=60,
    func="port2port.compliance.services.security_level_expire_job",
)
# Pre-arrival information still missing 24 hours before arrival is flagged.
job_register(
    name="compliance.pre_arrival_check",
    interval=300,
    func="port2port.compliance.services.pre_arrival_check_job",
)
# Reminders of what falls due soon or is late (reviews, drills, exercises,
# inspections, corrective actions, trainings, unacknowledged levels).
job_register(
    name="compliance.reminders",
    interval=settings.COMPLIANCE_REMINDER_SECONDS,
    func="port2port.compliance.services.reminders_job",
)
