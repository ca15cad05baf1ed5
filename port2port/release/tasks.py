"""Background work of the release module: sending webhook notifications."""

from __future__ import annotations

from django_tasks import task

from port2port.release import services


@task()
def webhook_deliver(delivery_id: int) -> str:
    """Send one webhook delivery if it is due; idempotent (a delivered one is skipped)."""
    delivery = services.webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.state if delivery is not None else "skipped"
