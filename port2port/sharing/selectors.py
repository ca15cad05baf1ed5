"""Reads of the hub, each restricted to what the caller may see.

``bulletin_visibility`` is the one rule behind every read of a bulletin (list,
detail, search, export, matches and alerts):

- **distribution** chooses the audience: the owner's organisation, the members
  of a committee, the organisations of a sharing group, the people working in a
  port (and the national authority), or everyone working in any port;
- **TLP** narrows it: AMBER+STRICT sent to a port or to all ports reaches only
  the security officers (port security officers, PFSOs, inspectors, the national
  authority), not the control rooms, gates or companies; RED is for named
  people only, the members of one committee, and is refused for wider
  distributions;
- **clearance**: a reader needs at least the bulletin's minimum clearance.

The author always sees their bulletin. API tokens read no bulletins: bulletins
are for people. No role, not even a platform administrator, bypasses the rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from port2port.core.errors import NotFound
from port2port.core.models import Committee, Organisation, Role, User
from port2port.core.scopes import Actor, Scope, scope_for
from port2port.core.selectors import get_scoped
from port2port.sharing import indicators as ind
from port2port.sharing import search
from port2port.sharing.models import (
    ActionItem,
    Article,
    Bulletin,
    BulletinRead,
    CommitteeDocument,
    CommitteeMember,
    Indicator,
    Match,
    Meeting,
    SharingGroup,
    Tlp,
)

# Roles that receive AMBER+STRICT bulletins sent to a port or to all ports.
STRICT_ROLES = frozenset(
    {Role.PORT_SECURITY_OFFICER, Role.PFSO, Role.INSPECTOR, Role.NATIONAL_AUTHORITY}
)
# Roles that speak for a bulletin's owner: change, withdraw, receipts, matches.
MANAGER_ROLES = frozenset(
    {
        Role.PORT_SECURITY_OFFICER,
        Role.NATIONAL_AUTHORITY,
        Role.REPORT_HANDLER,
        Role.COMMITTEE_MEMBER,
        Role.PFSO,
        Role.INSPECTOR,
    }
)
# Roles that see matches in their port's control room.
CONTROL_ROOM_ROLES = frozenset({Role.PORT_SECURITY_OFFICER, Role.CONTROL_ROOM_OPERATOR})
# Meetings a year by kind of committee; other kinds have no rhythm.
MEETINGS_PER_YEAR = {
    Committee.Kind.LCMB: 4,
    Committee.Kind.NAMB: 4,
    Committee.Kind.THINK_TANK: 3,
}

NOTHING = Q(pk__in=[])


def committee_ids_of(scope: Scope) -> set[int]:
    """Return the committees the caller sits on."""
    if scope.user_id is None:
        return set()
    cached = scope._cache.get("committees")
    if cached is None:
        cached = set(
            CommitteeMember.objects.filter(user_id=scope.user_id).values_list(
                "committee_id", flat=True
            )
        )
        scope._cache["committees"] = cached
    assert isinstance(cached, set)  # noqa: S101 - narrows the cached type
    return cached


def _port_ids_of(scope: Scope) -> set[int]:
    """Return the ports where the caller works, by role or by an organisation active there."""
    cached = scope._cache.get("sharing_ports")
    if cached is None:
        ids = set(scope.port_ids | scope.facility_port_ids)
        ids.update(
            Organisation.objects.filter(pk__in=scope.organisation_ids)
            .exclude(ports=None)
            .values_list("ports", flat=True)
        )
        cached = ids
        scope._cache["sharing_ports"] = cached
    assert isinstance(cached, set)  # noqa: S101 - narrows the cached type
    return cached


def bulletin_visibility(scope: Scope) -> Q:
    """Return the filter of the bulletins the caller may read (see the module doc)."""
    if scope.user_id is None or (not scope.grants and not committee_ids_of(scope)):
        return NOTHING if scope.user_id is None else Q(created_by_id=scope.user_id)
    D = Bulletin.Distribution
    strict = {Tlp.AMBER_STRICT, Tlp.RED}
    audience = Q(
        owner_organisation_id__in=scope.organisation_ids,
    ) & ~Q(tlp=Tlp.RED)
    audience |= Q(distribution=D.COMMITTEE, committee_id__in=committee_ids_of(scope))
    audience |= Q(
        distribution=D.GROUP,
        sharing_group_id__in=SharingGroup.objects.filter(
            organisations__in=scope.organisation_ids
        ).values("id"),
    ) & ~Q(tlp=Tlp.RED)
    # Port-wide and national distributions: AMBER+STRICT only for security officers.
    officer = bool(scope.roles & STRICT_ROLES)
    officer_ports = {
        g.port_id for g in scope.grants if g.role in STRICT_ROLES and g.port_id
    }
    national = Role.NATIONAL_AUTHORITY in scope.roles or any(
        g.role == Role.INSPECTOR and g.port_id is None for g in scope.grants
    )
    wide = Q(distribution=D.PORT, port_id__in=_port_ids_of(scope)) & ~Q(tlp__in=strict)
    wide |= Q(distribution=D.PORT, port_id__in=officer_ports, tlp=Tlp.AMBER_STRICT)
    if national:
        wide |= Q(distribution=D.PORT) & ~Q(tlp=Tlp.RED)
    wide |= Q(distribution=D.ALL_PORTS) & ~Q(tlp__in=strict)
    if officer:
        wide |= Q(distribution=D.ALL_PORTS, tlp=Tlp.AMBER_STRICT)
    audience |= wide
    cleared = Q(min_clearance__lte=scope.clearance)
    return Q(created_by_id=scope.user_id) | (audience & cleared)


def bulletin_list_for_user(
    *,
    actor: Actor,
    q: str = "",
    tlp: str = "",
    status: str = "",
) -> QuerySet[Bulletin]:
    """Return the bulletins the caller may read, newest first; ``q`` searches them."""
    scope = scope_for(actor)
    queryset = Bulletin.objects.filter(bulletin_visibility(scope)).select_related(
        "owner_organisation", "committee", "port", "sharing_group"
    )
    if tlp:
        queryset = queryset.filter(tlp=tlp)
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(_bulletin_text_filter(q))
    if scope.user_id is not None:
        queryset = queryset.annotate(
            read_by_me=Exists(
                BulletinRead.objects.filter(
                    bulletin=OuterRef("pk"), user_id=scope.user_id
                )
            )
        )
    return queryset.order_by("-created_at", "-pk")


def _bulletin_text_filter(q: str) -> Q:
    """Match words in the title or text, or an indicator in any of its written forms."""
    q = q.strip()[:200]
    condition = Q()
    for word in q.split()[:6]:
        condition &= Q(title__icontains=word) | Q(text__icontains=word)
    values = {q.upper(), q.lower()}
    for kind in ind.KINDS:
        try:
            values.add(ind.indicator_normalise(kind, q).value)
        except ValueError:
            continue
    values.add(ind.name_key(q))
    indicated = Indicator.objects.filter(value__in=values).values("bulletin_id")
    return condition | Q(pk__in=indicated)


def bulletin_get_for_user(*, actor: Actor, pk: Any) -> Bulletin:
    """Return a bulletin the caller may read, or raise ``NotFound``."""
    return get_scoped(
        Bulletin.objects.filter(bulletin_visibility(scope_for(actor)))
        .select_related("owner_organisation", "committee", "port", "sharing_group")
        .prefetch_related("indicators", "attachments"),
        pk,
        "Bulletin",
    )


def bulletin_may_manage(*, actor: Actor, bulletin: Bulletin) -> bool:
    """Return whether the caller speaks for the bulletin's owner (update, withdraw, receipts)."""
    scope = scope_for(actor)
    if scope.user_id is not None and bulletin.created_by_id == scope.user_id:
        return True
    return any(
        g.organisation_id == bulletin.owner_organisation_id and g.role in MANAGER_ROLES
        for g in scope.grants
    )


def bulletin_reads_for_owner(*, actor: Actor, bulletin: Bulletin) -> list[BulletinRead]:
    """Return who read and acknowledged the bulletin; only its owner may ask."""
    if not bulletin_may_manage(actor=actor, bulletin=bulletin):
        return []
    return list(
        BulletinRead.objects.filter(bulletin=bulletin)
        .select_related("user")
        .order_by("first_read_at")
    )


def attachment_get_for_user(*, actor: Actor, bulletin_pk: Any, pk: Any) -> Any:
    bulletin = bulletin_get_for_user(actor=actor, pk=bulletin_pk)
    return get_scoped(bulletin.attachments.all(), pk, "Attachment")


def sharing_group_list_for_user(*, actor: Actor) -> QuerySet[SharingGroup]:
    """Return the sharing groups the caller belongs to (the ones it may address)."""
    scope = scope_for(actor)
    return (
        SharingGroup.objects.filter(organisations__in=scope.organisation_ids)
        .distinct()
        .order_by("name")
    )


# Matches ------------------------------------------------------------------------------


def match_visibility(scope: Scope) -> Q:
    """Return the filter of the matches the caller may see.

    The owner sees the matches of its bulletins; a port's control room sees the
    matches in its port (whether or not it may read the bulletin behind them).
    """
    if scope.user_id is None:
        return NOTHING
    managing = {g.organisation_id for g in scope.grants if g.role in MANAGER_ROLES}
    owned = Bulletin.objects.filter(
        Q(owner_organisation_id__in=managing) | Q(created_by_id=scope.user_id),
        bulletin_visibility(scope),
    ).values("id")
    room_ports = {
        g.port_id for g in scope.grants if g.role in CONTROL_ROOM_ROLES and g.port_id
    }
    return Q(bulletin_id__in=owned) | Q(port_id__in=room_ports)


def match_list_for_user(
    *, actor: Actor, bulletin: Bulletin | None = None
) -> QuerySet[Match]:
    queryset = Match.objects.filter(match_visibility(scope_for(actor))).select_related(
        "indicator", "port"
    )
    if bulletin is not None:
        queryset = queryset.filter(bulletin=bulletin)
    return queryset.order_by("-at", "-pk")


def match_get_for_user(*, actor: Actor, pk: Any) -> Match:
    return get_scoped(match_list_for_user(actor=actor), pk, "Match")


def match_bulletin_for_user(*, actor: Actor, match: Match) -> Bulletin | None:
    """Return the match's bulletin if the caller may read it, else ``None``."""
    try:
        return bulletin_get_for_user(actor=actor, pk=match.bulletin_id)
    except NotFound:
        return None


# Committees ---------------------------------------------------------------------------


def committee_list_for_user(*, actor: Actor) -> QuerySet[Committee]:
    """Return the committees the caller sits on."""
    scope = scope_for(actor)
    return (
        Committee.objects.filter(pk__in=committee_ids_of(scope))
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name")
    )


def committee_get_for_user(*, actor: Actor, pk: Any) -> Committee:
    return get_scoped(committee_list_for_user(actor=actor), pk, "Committee")


def committee_seat(*, actor: Actor, committee: Committee) -> CommitteeMember | None:
    scope = scope_for(actor)
    if scope.user_id is None:
        return None
    return CommitteeMember.objects.filter(
        committee=committee, user_id=scope.user_id
    ).first()


def committee_detail(*, actor: Actor, committee: Committee) -> dict[str, Any]:
    """Return members, meetings with decisions and actions, documents, open actions."""
    scope = scope_for(actor)
    meetings = list(
        Meeting.objects.filter(committee=committee)
        .prefetch_related(
            "decisions", Prefetch("actions", ActionItem.objects.select_related("owner"))
        )
        .order_by("-starts_at")
    )
    for meeting in meetings:
        meeting.may_read = meeting.classification <= scope.clearance  # type: ignore[attr-defined]
    documents = list(CommitteeDocument.objects.filter(committee=committee))
    for document in documents:
        document.may_open = document.classification <= scope.clearance  # type: ignore[attr-defined]
    return {
        "members": list(
            CommitteeMember.objects.filter(committee=committee).select_related("user")
        ),
        "meetings": meetings,
        "documents": documents,
        "open_actions": list(
            ActionItem.objects.filter(
                meeting__committee=committee,
                meeting__classification__lte=scope.clearance,
                done_at=None,
            )
            .select_related("owner", "meeting")
            .order_by("due_on")
        ),
        "rhythm": committee_rhythm(committee=committee),
    }


def committee_rhythm(
    *, committee: Committee, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Return the meetings a year the committee owes and whether the next one is planned.

    A committee with a rhythm (four a year for an LCMB and the NAMB, three for
    the Think Tank) needs a reminder when no meeting is planned within one
    interval of its last one.
    """
    now = now or timezone.now()
    per_year = MEETINGS_PER_YEAR.get(committee.kind)  # type: ignore[call-overload]
    if per_year is None:
        return {"per_year": None, "reminder": False, "next": None, "last": None}
    meetings = Meeting.objects.filter(committee=committee)
    upcoming = meetings.filter(starts_at__gte=now).order_by("starts_at").first()
    last = meetings.filter(starts_at__lt=now).order_by("-starts_at").first()
    interval = dt.timedelta(days=365 / per_year)
    due_by = (last.starts_at if last else now) + interval
    reminder = upcoming is None or upcoming.starts_at > due_by
    return {
        "per_year": per_year,
        "reminder": reminder,
        "next": upcoming,
        "last": last,
        "due_by": due_by,
    }


def committee_may_manage(*, actor: Actor, committee: Committee) -> bool:
    """Return whether the caller chairs the committee or is its secretary."""
    seat = committee_seat(actor=actor, committee=committee)
    return seat is not None and seat.role in {
        CommitteeMember.Role.CHAIR,
        CommitteeMember.Role.SECRETARY,
    }


def committee_members(*, committee: Committee) -> QuerySet[User]:
    """Return the users who sit on the committee (the possible owners of an action)."""
    return User.objects.filter(committee_seats__committee=committee).order_by(
        "last_name", "first_name", "username"
    )


def meeting_detail(*, actor: Actor, meeting: Meeting) -> dict[str, Any]:
    """Return a meeting's decisions and actions, and whether the caller may read it."""
    scope = scope_for(actor)
    return {
        "may_read": meeting.classification <= scope.clearance,
        "decisions": list(meeting.decisions.all()),
        "actions": list(
            meeting.actions.select_related("owner").order_by("done_at", "due_on")
        ),
    }


def action_get_for_user(*, actor: Actor, pk: Any) -> ActionItem:
    """Return an action of one of the caller's committees."""
    scope = scope_for(actor)
    return get_scoped(
        ActionItem.objects.filter(
            meeting__committee_id__in=committee_ids_of(scope)
        ).select_related("meeting__committee", "owner"),
        pk,
        "Action",
    )


def meeting_get_for_user(*, actor: Actor, pk: Any) -> Meeting:
    scope = scope_for(actor)
    return get_scoped(
        Meeting.objects.filter(committee_id__in=committee_ids_of(scope)).select_related(
            "committee"
        ),
        pk,
        "Meeting",
    )


def document_get_for_user(*, actor: Actor, pk: Any) -> CommitteeDocument:
    """Return a committee document the caller is a member and cleared for."""
    scope = scope_for(actor)
    return get_scoped(
        CommitteeDocument.objects.filter(
            committee_id__in=committee_ids_of(scope),
            classification__lte=scope.clearance,
        ),
        pk,
        "Document",
    )


def committees_needing_a_meeting(*, actor: Actor) -> list[Committee]:
    """Return the caller's committees whose next meeting is not planned in time."""
    return [
        committee
        for committee in committee_list_for_user(actor=actor)
        if committee_rhythm(committee=committee)["reminder"]
    ]


# Library ------------------------------------------------------------------------------


def article_list(*, q: str = "", theme: str = "", port: str = "") -> list[Article]:
    """Return the best practices, by relevance when ``q`` searches them."""
    queryset = Article.objects.prefetch_related("ports")
    if theme:
        queryset = queryset.filter(theme=theme)
    if port:
        queryset = queryset.filter(ports__locode=port.upper())
    if not q.strip():
        return list(queryset.order_by("title"))
    ranked = search.article_search(q)
    found = {a.pk: a for a in queryset.filter(pk__in=ranked)}
    return [found[pk] for pk in ranked if pk in found]


def article_get(*, slug: str) -> Article:
    try:
        return Article.objects.prefetch_related("ports").get(slug=slug)
    except Article.DoesNotExist:
        raise NotFound("Article not found.") from None


# National overview --------------------------------------------------------------------


def may_see_overview(*, actor: Actor) -> bool:
    scope = scope_for(actor)
    return scope.user_id is not None and (
        Role.NATIONAL_AUTHORITY in scope.roles or scope.is_platform_admin
    )


def _suppress(value: int, threshold: int) -> int | None:
    return value if value == 0 or value >= threshold else None


def national_overview(*, actor: Actor, months: int = 12) -> dict[str, Any]:
    """Return cross-port counts by month, without personal data; small counts hidden.

    A cell below ``SHARING_STATS_MIN_CELL`` (other than zero) becomes ``None``,
    shown as "fewer than N", so that a figure cannot point at one person.
    """
    if not may_see_overview(actor=actor):
        raise NotFound("Not found.")
    from port2port.sharing import overview

    threshold = settings.SHARING_STATS_MIN_CELL
    now = timezone.now()
    start = (now - dt.timedelta(days=31 * (months - 1))).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    series = overview.series(start=start)
    month_keys = overview.month_keys(start, now)
    tables = []
    for key, title, rows in series:
        table_rows = []
        for label, counts in sorted(rows.items()):
            cells = [_suppress(counts.get(m, 0), threshold) for m in month_keys]
            total = _suppress(sum(counts.values()), threshold)
            table_rows.append({"label": label, "cells": cells, "total": total})
        tables.append({"key": key, "title": title, "rows": table_rows})
    training = []
    for port, subject, compliant in overview.training_by_port(today=now.date()):
        # The share is only shown for enough people: with few, it would tell
        # who is not trained.
        shown = subject >= threshold
        training.append(
            {
                "port": port.name,
                "people": _suppress(subject, threshold),
                "percent": round(100 * compliant / subject) if shown else None,
            }
        )
    return {
        "months": month_keys,
        "tables": tables,
        "training": training,
        "threshold": threshold,
    }


def indicator_counts(*, bulletin: Bulletin) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for indicator in bulletin.indicators.all():
        counts[indicator.kind] += 1
    return dict(counts)
