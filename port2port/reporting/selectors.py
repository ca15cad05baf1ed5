"""Reads of the reporting module, scoped to the caller.

A handler sees the reports of their groups and nothing else: any other report
answers 404, as if it did not exist. Group membership counts only while the
member also holds the report handler role in the group's organisation. The
statistics are for the national authority and hold no content.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from port2port.core.errors import NotFound
from port2port.core.models import Membership, Port, Role, User
from port2port.core.scopes import Actor, scope_for
from port2port.core.selectors import get_scoped
from port2port.reporting.models import (
    Category,
    Channel,
    HandlerGroup,
    Report,
)


def handler_groups_for_user(*, actor: Actor) -> QuerySet[HandlerGroup]:
    """Return the groups whose reports the caller may read."""
    if not isinstance(actor, User) or not actor.is_active:
        return HandlerGroup.objects.none()
    organisations = Membership.objects.filter(
        user=actor, role=Role.REPORT_HANDLER
    ).values("organisation_id")
    return HandlerGroup.objects.filter(
        members=actor, organisation_id__in=organisations
    ).select_related("organisation")


def is_handler(*, actor: Actor) -> bool:
    return handler_groups_for_user(actor=actor).exists()


def may_see_statistics(*, actor: Actor) -> bool:
    scope = scope_for(actor)
    return isinstance(actor, User) and (
        scope.is_platform_admin or Role.NATIONAL_AUTHORITY in scope.roles
    )


def group_eligible_members(groups: Any) -> QuerySet[User]:
    """Return the members of ``groups`` who may read their reports (key or not)."""
    group_list = list(groups)
    condition = Q()
    for group in group_list:
        condition |= Q(
            handler_groups=group,
            memberships__role=Role.REPORT_HANDLER,
            memberships__organisation_id=group.organisation_id,
        )
    if not group_list:
        return User.objects.none()
    return User.objects.filter(condition, is_active=True).distinct()


def report_list_for_user(
    *,
    actor: Actor,
    status: str = "",
    category: str = "",
    port: str = "",
    assigned: str = "",
) -> QuerySet[Report]:
    """Return the caller's reports, newest first, with their channel, port and assignee."""
    groups = handler_groups_for_user(actor=actor).values("id")
    queryset = (
        Report.objects.filter(access__group__in=groups)
        .distinct()
        .select_related("channel", "port", "assignee")
    )
    if status == "open":
        queryset = queryset.exclude(status=Report.Status.CLOSED)
    elif status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if port:
        queryset = queryset.filter(port__locode=port.upper())
    if assigned == "me" and isinstance(actor, User):
        queryset = queryset.filter(assignee=actor)
    elif assigned == "nobody":
        queryset = queryset.filter(assignee__isnull=True)
    return queryset.order_by("-received_at", "-pk")


def report_get_for_user(*, actor: Actor, pk: Any) -> Report:
    return get_scoped(report_list_for_user(actor=actor), pk, "Report")


def report_groups(*, report: Report) -> list[HandlerGroup]:
    return list(
        HandlerGroup.objects.filter(access__report=report)
        .select_related("organisation")
        .order_by("access__granted_at", "pk")
    )


def report_assignable_users(*, report: Report) -> QuerySet[User]:
    return group_eligible_members(report_groups(report=report)).order_by("username")


def forward_targets_for_report(*, report: Report) -> QuerySet[HandlerGroup]:
    """Return the groups a report can be forwarded to (those without access yet)."""
    return (
        HandlerGroup.objects.exclude(access__report=report)
        .select_related("organisation")
        .order_by("name")
    )


def group_get_for_forward(*, report: Report, pk: Any) -> HandlerGroup:
    return get_scoped(forward_targets_for_report(report=report), pk, "Group")


def channel_list_public() -> QuerySet[Channel]:
    return Channel.objects.filter(is_active=True).order_by("order", "name")


def channel_get_public(*, slug: str) -> Channel:
    try:
        return channel_list_public().get(slug=slug)
    except Channel.DoesNotExist:
        raise NotFound("Channel not found.") from None


def channel_ports(*, channel: Channel) -> QuerySet[Port]:
    ports = channel.ports.all()
    if not ports.exists():
        ports = Port.objects.all()
    return ports.order_by("locode")


# Statistics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Table:
    title: str
    key: str
    cells: list[Cell]
    total: int | None


@dataclass(frozen=True)
class Statistics:
    threshold: int
    total: int | None
    tables: list[Table]


def suppress(counts: dict[str, int], threshold: int) -> dict[str, int | None]:
    """Hide the counts under ``threshold``, and enough others that none can be worked out.

    A count from 1 to threshold-1 is hidden. If what is hidden adds up to less
    than the threshold (a single hidden cell could be found from the total), the
    smallest shown counts are hidden too until it does not.
    """
    hidden = {k for k, v in counts.items() if 0 < v < threshold}
    shown = sorted(
        (k for k, v in counts.items() if v >= threshold), key=lambda k: counts[k]
    )
    while hidden and sum(counts[k] for k in hidden) < threshold and shown:
        hidden.add(shown.pop(0))
    return {k: (None if k in hidden else v) for k, v in counts.items()}


def _table(
    title: str, key: str, counts: dict[str, int], labels: dict[str, str], threshold: int
) -> Table:
    safe = suppress(counts, threshold)
    total = sum(counts.values())
    return Table(
        title=title,
        key=key,
        cells=[Cell(labels.get(k, k), safe[k]) for k in counts],
        total=total if total >= threshold or total == 0 else None,
    )


def statistics_for_user(*, actor: Actor, year: int | None = None) -> Statistics:
    """Count reports by channel, category, port and month, with small counts hidden.

    Only the national authority and platform administrators may ask.
    """
    if not may_see_statistics(actor=actor):
        raise NotFound("Statistics not found.")
    from django.utils.translation import gettext as _

    threshold = settings.REPORTING_STATS_MIN_CELL
    reports = Report.objects.all()
    if year is not None:
        reports = reports.filter(received_at__year=year)
    total = reports.count()

    channels = {c.slug: c.name for c in Channel.objects.all()}
    by_channel: Counter[str] = Counter(
        dict(reports.values_list("channel__slug").annotate(n=Count("id")).order_by())
    )
    by_category: Counter[str] = Counter(
        dict(reports.values_list("category").annotate(n=Count("id")).order_by())
    )
    by_port: Counter[str] = Counter(
        {
            (code or "—"): n
            for code, n in reports.values_list("port__locode")
            .annotate(n=Count("id"))
            .order_by()
        }
    )
    by_month: Counter[str] = Counter()
    for month, n in (
        reports.annotate(month=TruncMonth("received_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_month[f"{month:%Y-%m}"] += n
    ports = {
        p.locode: f"{p.name} ({p.locode})"
        for p in Port.objects.filter(locode__in=list(by_port))
    }
    categories = {c: str(label) for c, label in Category.choices}
    tables = [
        _table(
            _("By channel"),
            "channel",
            {slug: by_channel.get(slug, 0) for slug in channels},
            channels,
            threshold,
        ),
        _table(
            _("By category"),
            "category",
            {c: by_category.get(c, 0) for c in categories},
            categories,
            threshold,
        ),
        _table(
            _("By port"),
            "port",
            dict(sorted(by_port.items())),
            ports,
            threshold,
        ),
        _table(
            _("By month"),
            "month",
            dict(sorted(by_month.items())),
            {},
            threshold,
        ),
    ]
    return Statistics(
        threshold=threshold,
        total=total if total >= threshold or total == 0 else None,
        tables=tables,
    )
