"""The reporting module's periodic jobs, run by ``port2port worker``."""

from __future__ import annotations

from port2port.core.periodic import job_register

# Closed reports are deleted after the retention period (with an audit entry
# each); expired reporter sessions and spent proof-of-work challenges go too.
job_register(
    name="reporting.retention",
    interval=3600,
    func="port2port.reporting.services.retention_job",
)
