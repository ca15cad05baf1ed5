"""The release module's periodic jobs, run by ``port2port worker``."""

from __future__ import annotations

from django.conf import settings

from port2port.core.periodic import job_register

# Releases whose validity ended close themselves.
job_register(
    name="release.expire_due",
    interval=settings.RELEASE_EXPIRY_CHECK_SECONDS,
    func="port2port.release.services.release_expire_due_job",
)
# Closed chains are deleted after the retention period.
job_register(
    name="release.retention",
    interval=6 * 3600,
    func="port2port.release.services.release_retention_job",
)
# Failed webhook deliveries are queued again when their backoff has passed (task
# backends that can schedule a task for later do this by themselves).
job_register(
    name="release.webhook_retry",
    interval=30,
    func="port2port.release.services.webhook_retry_job",
)
