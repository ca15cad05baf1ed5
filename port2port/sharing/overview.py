"""The national overview's figures: counts by month and by category, across ports.

Only counts leave this module, never a name, a plate or an identifier; the
selector hides the small ones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from port2port.access.models import AccessEvent, PortBan
from port2port.compliance.models import Finding
from port2port.compliance.selectors import training_compliance
from port2port.core.models import Organisation, Person, Port
from port2port.detection.models import Incident
from port2port.release.models import FraudSignal
from port2port.sharing.models import Bulletin, Match

Series = tuple[str, str, dict[str, dict[str, int]]]


def month_keys(start: dt.datetime, end: dt.datetime) -> list[str]:
    """Return the months from ``start`` to ``end`` as ``YYYY-MM``."""
    keys = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _by_month(
    queryset: Any, time_field: str, label_field: str
) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = defaultdict(dict)
    tz = timezone.get_current_timezone()
    for row in (
        queryset.annotate(month=TruncMonth(time_field, tzinfo=tz))
        .values("month", label_field)
        .annotate(n=Count("pk"))
    ):
        label = str(row[label_field] or "–")
        key = row["month"].strftime("%Y-%m")
        rows[label][key] = rows[label].get(key, 0) + row["n"]
    return rows


def _denials(start: dt.datetime) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tz = timezone.get_current_timezone()
    for row in (
        AccessEvent.objects.filter(at__gte=start, allowed=False)
        .annotate(month=TruncMonth("at", tzinfo=tz))
        .values("month", "reasons")
        .annotate(n=Count("pk"))
    ):
        key = row["month"].strftime("%Y-%m")
        for reason in (row["reasons"] or "–").split(","):
            rows[reason.strip() or "–"][key] += row["n"]
    return {k: dict(v) for k, v in rows.items()}


def series(*, start: dt.datetime) -> list[Series]:
    """Return (key, title, {category: {month: count}}) for every figure available."""
    return [
        ("denials", _("Access denials by reason"), _denials(start)),
        (
            "bans",
            _("Port bans enforced at gates"),
            _by_month(
                PortBan.objects.filter(enforced_at__gte=start), "enforced_at", "status"
            ),
        ),
        (
            "fraud",
            _("Release fraud signals"),
            _by_month(FraudSignal.objects.filter(at__gte=start), "at", "kind"),
        ),
        (
            "incidents",
            _("Incidents by kind"),
            _by_month(
                Incident.objects.filter(created_at__gte=start, exercise=False),
                "created_at",
                "kind",
            ),
        ),
        (
            "findings",
            _("Inspection findings by severity"),
            _by_month(
                Finding.objects.filter(created_at__gte=start), "created_at", "severity"
            ),
        ),
        (
            "bulletins",
            _("Bulletins by TLP"),
            _by_month(
                Bulletin.objects.filter(created_at__gte=start), "created_at", "tlp"
            ),
        ),
        (
            "matches",
            _("Indicator matches by source"),
            _by_month(Match.objects.filter(at__gte=start), "at", "source"),
        ),
    ]


def training_by_port(*, today: dt.date) -> list[tuple[Port, int, int]]:
    """Return, per port, the people bound to mandatory courses and how many hold them.

    A person counts in every port where their employer is active, and is
    compliant when every mandatory course is held and valid on ``today``.
    """
    people = list(Person.objects.filter(employer__isnull=False))
    judged = training_compliance(people=people, today=today, soon_days=0)
    ports_of: dict[int, set[int]] = defaultdict(set)
    for organisation_id, port_id in Organisation.ports.through.objects.values_list(
        "organisation_id", "port_id"
    ):
        ports_of[organisation_id].add(port_id)
    subject: dict[int, int] = defaultdict(int)
    compliant: dict[int, int] = defaultdict(int)
    for status in judged.people:
        if not status.required:
            continue
        for port_id in ports_of.get(status.person.employer_id or 0, ()):
            subject[port_id] += 1
            compliant[port_id] += status.compliant
    return [
        (port, subject[port.pk], compliant[port.pk])
        for port in Port.objects.order_by("locode")
    ]
