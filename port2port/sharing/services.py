"""Writes of the hub: bulletins, receipts, matches, committees and the library.

Every security-relevant change and every view of a bulletin goes into the audit
trail. Matches raise a control-room alert in the port where the value was seen;
the alert names the watched value and the place, never the bulletin.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from port2port.core.audit import audit_record
from port2port.core.errors import InvalidInput, NotPermitted
from port2port.core.models import (
    Clearance,
    Committee,
    Organisation,
    Port,
    Role,
    User,
)
from port2port.core.scopes import Actor, scope_for
from port2port.lib.identifiers import InvalidIdentifier
from port2port.release.models import ContainerWatch
from port2port.release.services import container_watch_sync
from port2port.sharing import indicators as ind
from port2port.sharing import matching, search
from port2port.sharing.models import (
    ActionItem,
    Article,
    Bulletin,
    BulletinAttachment,
    BulletinRead,
    CommitteeDocument,
    CommitteeMember,
    Cursor,
    Decision,
    Indicator,
    Match,
    Meeting,
    SharingGroup,
    Tlp,
)
from port2port.sharing.selectors import bulletin_may_manage, committee_ids_of

logger = logging.getLogger(__name__)

# Who may publish bulletins for their organisation.
AUTHOR_ROLES = frozenset(
    {
        Role.PORT_SECURITY_OFFICER,
        Role.PFSO,
        Role.NATIONAL_AUTHORITY,
        Role.REPORT_HANDLER,
        Role.INSPECTOR,
        Role.COMMITTEE_MEMBER,
        Role.PLATFORM_ADMIN,
    }
)
WATCH_RULE = "sharing.watchlist"
# The indicator checks refuse in English (no Django there); the services
# translate the messages when they raise. Marking them puts them in the catalogue.
INDICATOR_MESSAGES = (
    gettext_noop(
        "A phone number has 8 to 15 digits, e.g. +32 3 123 45 67 or 0470 12 34 56."
    ),
    gettext_noop("An e-mail address looks like name@example.be."),
    gettext_noop("A domain looks like example.be."),
    gettext_noop("An indicator needs a value of 1 to 200 characters."),
    gettext_noop("A person needs a name and a date of birth."),
    gettext_noop("A person needs a first name and a last name."),
    gettext_noop("Unknown kind of indicator."),
    gettext_noop("Write one indicator a line as kind: value, e.g. plate: 1-ABC-123."),
    gettext_noop("The date of birth is not a date."),
)


@dataclass(frozen=True)
class IndicatorInput:
    """An indicator as a person or a partner wrote it."""

    kind: str
    value: str
    date_of_birth: dt.date | None = None
    comment: str = ""


def _user(actor: Actor) -> User:
    if not isinstance(actor, User):
        raise NotPermitted(_("Bulletins are written and read by people, not tokens."))
    return actor


def indicators_clean(
    items: Sequence[IndicatorInput],
) -> list[tuple[ind.Normalised, str]]:
    """Return the normalised indicators, or refuse them all naming each bad one."""
    if len(items) > 500:
        raise InvalidInput(
            _("A bulletin has at most 500 indicators."),
            fields={"indicators": [_("At most 500.")]},
        )
    cleaned: list[tuple[ind.Normalised, str]] = []
    problems: list[str] = []
    seen: set[tuple[str, str, dt.date | None]] = set()
    for number, item in enumerate(items, start=1):
        try:
            found = ind.indicator_normalise(
                item.kind, item.value, date_of_birth=item.date_of_birth
            )
        except InvalidIdentifier as exc:
            problems.append(f"{number}: {item.value[:40]} – {_(str(exc))}")
            continue
        key = (found.kind, found.value, found.date_of_birth)
        if key not in seen:
            seen.add(key)
            cleaned.append((found, item.comment[:300]))
    if problems:
        raise InvalidInput(
            _("Some indicators are not valid."), fields={"indicators": problems}
        )
    return cleaned


def indicators_parse_text(text: str) -> list[IndicatorInput]:
    """Return the indicators of a text with one ``kind: value`` a line."""
    items: list[IndicatorInput] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            kind, value, born = ind.indicator_line_parse(line)
        except InvalidIdentifier as exc:
            problems.append(f"{number}: {line.strip()[:40]} – {_(str(exc))}")
            continue
        items.append(IndicatorInput(kind=kind, value=value, date_of_birth=born))
    if problems:
        raise InvalidInput(
            _("Some indicators are not valid."), fields={"indicators": problems}
        )
    return items


def _owner_for(actor: User, owner: Organisation | None) -> Organisation:
    scope = scope_for(actor)
    allowed = {g.organisation_id for g in scope.grants if g.role in AUTHOR_ROLES}
    if committee_ids_of(scope):
        allowed |= set(scope.organisation_ids)
    if owner is not None:
        if owner.pk not in allowed:
            raise NotPermitted(_("You may not publish for this organisation."))
        return owner
    if not allowed:
        raise NotPermitted(_("Your role may not publish bulletins."))
    return Organisation.objects.get(pk=min(allowed))


def _check_distribution(
    *,
    actor: User,
    owner: Organisation,
    tlp: str,
    distribution: str,
    committee: Committee | None,
    port: Port | None,
    sharing_group: SharingGroup | None,
    min_clearance: int,
) -> dict[str, Any]:
    D = Bulletin.Distribution
    if tlp not in Tlp.values:
        raise InvalidInput(_("Unknown TLP."), fields={"tlp": [_("Unknown TLP.")]})
    if distribution not in D.values:
        raise InvalidInput(
            _("Unknown distribution."), fields={"distribution": [_("Unknown.")]}
        )
    if min_clearance not in Clearance.values:
        raise InvalidInput(
            _("Unknown clearance."), fields={"min_clearance": [_("Unknown.")]}
        )
    if tlp == Tlp.RED and distribution != D.COMMITTEE:
        message = _("TLP:RED is for named people only: address it to a committee.")
        raise InvalidInput(message, fields={"distribution": [message]})
    scope = scope_for(actor)
    target: dict[str, Any] = {"committee": None, "port": None, "sharing_group": None}
    if distribution == D.COMMITTEE:
        if committee is None or committee.pk not in committee_ids_of(scope):
            message = _("Choose a committee you sit on.")
            raise InvalidInput(message, fields={"committee": [message]})
        target["committee"] = committee
    elif distribution == D.PORT:
        if port is None:
            message = _("Choose a port.")
            raise InvalidInput(message, fields={"port": [message]})
        target["port"] = port
    elif distribution == D.GROUP:
        if (
            sharing_group is None
            or not sharing_group.organisations.filter(pk=owner.pk).exists()
        ):
            message = _("Choose a sharing group your organisation belongs to.")
            raise InvalidInput(message, fields={"sharing_group": [message]})
        target["sharing_group"] = sharing_group
    if min_clearance > actor.clearance:
        message = _("You cannot require more clearance than you hold.")
        raise InvalidInput(message, fields={"min_clearance": [message]})
    return target


def _indicators_store(
    bulletin: Bulletin, cleaned: Iterable[tuple[ind.Normalised, str]]
) -> None:
    Indicator.objects.bulk_create(
        [
            Indicator(
                bulletin=bulletin,
                kind=found.kind,
                value=found.value,
                display=found.display[:200],
                date_of_birth=found.date_of_birth,
                comment=comment,
            )
            for found, comment in cleaned
        ]
    )


def _validity(valid_from: dt.datetime | None, valid_until: dt.datetime | None) -> None:
    if valid_from and valid_until and valid_until <= valid_from:
        message = _("The end of validity must follow its start.")
        raise InvalidInput(message, fields={"valid_until": [message]})


def _audit(
    actor: Actor | None, action: str, bulletin: Bulletin, **details: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=bulletin,
        port_id=bulletin.port_id,
        organisation_id=bulletin.owner_organisation_id,
        details={"tlp": bulletin.tlp, "version": bulletin.version, **details},
    )


@transaction.atomic
def bulletin_create(
    *,
    actor: Actor,
    title: str,
    text: str,
    tlp: str,
    distribution: str,
    committee: Committee | None = None,
    port: Port | None = None,
    sharing_group: SharingGroup | None = None,
    min_clearance: int = Clearance.NONE,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    indicators: Sequence[IndicatorInput] = (),
    owner: Organisation | None = None,
    origin: str = "local",
    uuid: Any = None,
) -> Bulletin:
    """Publish a bulletin with its indicators, then match them against the past."""
    user = _user(actor)
    owner = _owner_for(user, owner)
    title, text = title.strip(), text.strip()
    if not title or not text:
        message = _("A bulletin needs a title and a text.")
        raise InvalidInput(
            message, fields={"title" if not title else "text": [message]}
        )
    target = _check_distribution(
        actor=user,
        owner=owner,
        tlp=tlp,
        distribution=distribution,
        committee=committee,
        port=port,
        sharing_group=sharing_group,
        min_clearance=min_clearance,
    )
    _validity(valid_from, valid_until)
    cleaned = indicators_clean(indicators)
    extra = {"uuid": uuid} if uuid else {}
    if uuid and Bulletin.objects.filter(uuid=uuid).exists():
        from port2port.core.errors import Conflict

        raise Conflict(_("A bulletin with this UUID exists already."))
    bulletin = Bulletin.objects.create(
        title=title[:200],
        text=text,
        tlp=tlp,
        distribution=distribution,
        min_clearance=min_clearance,
        valid_from=valid_from or timezone.now(),
        valid_until=valid_until,
        owner_organisation=owner,
        created_by=user,
        origin=origin,
        **target,
        **extra,
    )
    _indicators_store(bulletin, cleaned)
    bulletin_watch_sync(bulletin=bulletin)
    _audit(
        user,
        "sharing.bulletin.create",
        bulletin,
        distribution=distribution,
        indicators=len(cleaned),
        origin=origin,
    )
    transaction.on_commit(lambda: bulletin_match_past(bulletin_id=bulletin.pk))
    return bulletin


@transaction.atomic
def bulletin_update(
    *,
    actor: Actor,
    bulletin: Bulletin,
    title: str | None = None,
    text: str | None = None,
    tlp: str | None = None,
    min_clearance: int | None = None,
    valid_until: dt.datetime | None = None,
    indicators: Sequence[IndicatorInput] | None = None,
) -> Bulletin:
    """Change a bulletin; readers see the new version and must acknowledge it again."""
    user = _user(actor)
    if not bulletin_may_manage(actor=user, bulletin=bulletin):
        raise NotPermitted(_("Only the bulletin's owner may change it."))
    if bulletin.status == Bulletin.Status.WITHDRAWN:
        raise NotPermitted(_("A withdrawn bulletin cannot be changed."))
    new_tlp = tlp or bulletin.tlp
    new_clearance = bulletin.min_clearance if min_clearance is None else min_clearance
    _check_distribution(
        actor=user,
        owner=bulletin.owner_organisation,
        tlp=new_tlp,
        distribution=bulletin.distribution,
        committee=bulletin.committee,
        port=bulletin.port,
        sharing_group=bulletin.sharing_group,
        min_clearance=new_clearance,
    )
    _validity(bulletin.valid_from, valid_until)
    changed = []
    for name, value in (
        ("title", title.strip() if title else None),
        ("text", text.strip() if text else None),
        ("tlp", tlp),
        ("min_clearance", min_clearance),
    ):
        if value is not None and value != getattr(bulletin, name):
            setattr(bulletin, name, value)
            changed.append(name)
    if valid_until != bulletin.valid_until and valid_until is not None:
        bulletin.valid_until = valid_until
        changed.append("valid_until")
    if indicators is not None:
        cleaned = indicators_clean(indicators)
        bulletin.indicators.all().delete()
        _indicators_store(bulletin, cleaned)
        changed.append("indicators")
    if not changed:
        return bulletin
    bulletin.version += 1
    bulletin.save()
    bulletin_watch_sync(bulletin=bulletin)
    BulletinRead.objects.filter(bulletin=bulletin).update(acknowledged_at=None)
    _audit(user, "sharing.bulletin.update", bulletin, changed=changed)
    transaction.on_commit(lambda: bulletin_match_past(bulletin_id=bulletin.pk))
    return bulletin


@transaction.atomic
def bulletin_withdraw(*, actor: Actor, bulletin: Bulletin, reason: str) -> Bulletin:
    """Withdraw a bulletin: recipients keep a tombstone, its indicators stop matching."""
    user = _user(actor)
    if not bulletin_may_manage(actor=user, bulletin=bulletin):
        raise NotPermitted(_("Only the bulletin's owner may withdraw it."))
    reason = reason.strip()
    if len(reason) < 3:
        message = _("Say why the bulletin is withdrawn.")
        raise InvalidInput(message, fields={"reason": [message]})
    if bulletin.status == Bulletin.Status.WITHDRAWN:
        return bulletin
    bulletin.status = Bulletin.Status.WITHDRAWN
    bulletin.withdrawn_at = timezone.now()
    bulletin.withdraw_reason = reason[:300]
    bulletin.version += 1
    bulletin.save()
    bulletin_watch_sync(bulletin=bulletin)
    _audit(user, "sharing.bulletin.withdraw", bulletin, reason=reason[:300])
    return bulletin


@transaction.atomic
def bulletin_view(
    *, actor: Actor, bulletin: Bulletin, how: str = "page"
) -> BulletinRead:
    """Record that the caller opened (or exported) the bulletin: receipt and audit entry."""
    user = _user(actor)
    receipt, created = BulletinRead.objects.get_or_create(
        bulletin=bulletin, user=user, defaults={"read_version": bulletin.version}
    )
    if not created and receipt.read_version != bulletin.version:
        receipt.read_version = bulletin.version
        receipt.save(update_fields=["read_version"])
    _audit(user, "sharing.bulletin.view", bulletin, how=how)
    return receipt


@transaction.atomic
def bulletin_acknowledge(*, actor: Actor, bulletin: Bulletin) -> BulletinRead:
    """Acknowledge the current version of a bulletin."""
    user = _user(actor)
    receipt, _created = BulletinRead.objects.get_or_create(
        bulletin=bulletin, user=user, defaults={"read_version": bulletin.version}
    )
    receipt.acknowledged_at = timezone.now()
    receipt.read_version = bulletin.version
    receipt.save(update_fields=["acknowledged_at", "read_version"])
    _audit(user, "sharing.bulletin.acknowledge", bulletin)
    return receipt


@transaction.atomic
def attachment_add(
    *, actor: Actor, bulletin: Bulletin, upload: UploadedFile
) -> BulletinAttachment:
    """Attach a file to a bulletin (owner only)."""
    user = _user(actor)
    if not bulletin_may_manage(actor=user, bulletin=bulletin):
        raise NotPermitted(_("Only the bulletin's owner may attach files."))
    if upload.size is None or upload.size > settings.SHARING_ATTACHMENT_MAX_BYTES:
        message = _("The file is too large.")
        raise InvalidInput(message, fields={"file": [message]})
    name = (upload.name or "attachment")[:200]
    attachment = BulletinAttachment.objects.create(
        bulletin=bulletin, name=name, file=upload, size=upload.size
    )
    _audit(user, "sharing.bulletin.attach", bulletin, file=name)
    return attachment


# Matching ---------------------------------------------------------------------------


def _active_indicators(
    pairs: set[tuple[str, str]], now: dt.datetime
) -> list[Indicator]:
    if not pairs:
        return []
    kinds = {k for k, _v in pairs}
    values = {v for _k, v in pairs}
    return [
        indicator
        for indicator in Indicator.objects.filter(
            kind__in=kinds,
            value__in=values,
            bulletin__status=Bulletin.Status.PUBLISHED,
            bulletin__valid_from__lte=now,
        )
        .filter(Q(bulletin__valid_until=None) | Q(bulletin__valid_until__gt=now))
        .select_related("bulletin")
        if (indicator.kind, indicator.value) in pairs
    ]


def matches_from(
    observations: Iterable[matching.Observation], *, live: bool, now: dt.datetime
) -> list[Match]:
    """Record the matches of the observations against the active indicators."""
    observations = list(observations)
    by_pair: dict[tuple[str, str], list[matching.Observation]] = defaultdict(list)
    for obs in observations:
        by_pair[(obs.kind, obs.value)].append(obs)
    created = []
    for indicator in _active_indicators(set(by_pair), now):
        for obs in by_pair[(indicator.kind, indicator.value)]:
            if (
                indicator.kind == "person"
                and obs.date_of_birth != indicator.date_of_birth
            ):
                continue
            match = _match_record(indicator, obs, live=live)
            if match is not None:
                created.append(match)
    return created


def _match_record(
    indicator: Indicator, obs: matching.Observation, *, live: bool
) -> Match | None:
    """Store one match (once) and raise its alert in the port's control room."""
    try:
        with transaction.atomic():
            match = Match.objects.create(
                indicator=indicator,
                bulletin_id=indicator.bulletin_id,
                source=obs.source,
                source_ref=obs.source_ref[:80],
                port_id=obs.port_id,
                at=obs.at,
                where=obs.where[:200],
                live=live,
            )
            audit_record(
                actor=None,
                action="sharing.match",
                obj=match,
                object_repr=f"{indicator.get_kind_display()} @ {obs.where}"[:200],
                port_id=obs.port_id,
                organisation_id=indicator.bulletin.owner_organisation_id,
                details={
                    "bulletin": indicator.bulletin_id,
                    "source": obs.source,
                    "ref": obs.source_ref,
                },
            )
            if obs.port_id is not None:
                match.alert_id = control_room_alert_raise(
                    match=match, indicator=indicator
                )
                match.save(update_fields=["alert_id"])
    except IntegrityError:
        return None
    return match


def control_room_alert_raise(*, match: Match, indicator: Indicator) -> int | None:
    """Raise a control-room alert for a match: the value and the place, not the bulletin."""
    from port2port.detection.services import alert_raise

    if not match.port_id or not Port.objects.filter(pk=match.port_id).exists():
        return None
    kind = indicator.get_kind_display()
    where = match.where or Port.objects.get(pk=match.port_id).locode
    alert = alert_raise(
        port_id=match.port_id,
        rule_code=WATCH_RULE,
        title=f"Watched {str(kind).lower()} {indicator.display} seen at {where}",
        severity="high",
        dedup_key=f"sharing.match:{match.pk}",
        at=match.at,
        details={
            "watch": "bulletin",
            "match": match.pk,
            "kind": indicator.kind,
            "value": indicator.display,
            "seen_in": match.source,
            "where": match.where,
        },
    )
    return alert.pk


def bulletin_match_past(*, bulletin_id: int, now: dt.datetime | None = None) -> int:
    """Match a bulletin's indicators against the last N days of data; return new matches."""
    now = now or timezone.now()
    bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
    if bulletin is None or not bulletin.active_at(now):
        return 0
    values: dict[str, set[str]] = defaultdict(set)
    people: set[tuple[str, dt.date | None]] = set()
    for indicator in bulletin.indicators.all():
        if indicator.kind == "person":
            people.add((indicator.value, indicator.date_of_birth))
        else:
            values[indicator.kind].add(indicator.value)
    since = now - dt.timedelta(days=settings.SHARING_MATCH_DAYS)
    observations: list[matching.Observation] = []
    for feed in matching.FEEDS:
        observations.extend(
            matching.observations_for(feed, values=values, people=people, since=since)
        )
    return len(matches_from(observations, live=False, now=now))


def matches_run_live(*, batch: int = 2000, now: dt.datetime | None = None) -> int:
    """Read every source after its cursor and record the matches (the periodic job).

    Rows older than the matching window are read but not matched (a first run
    over a long history does not flood the control rooms); the registry is
    always matched.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.SHARING_MATCH_DAYS)
    total = 0
    for feed in matching.FEEDS:
        while True:
            with transaction.atomic():
                cursor, _created = Cursor.objects.get_or_create(
                    name=f"match.{feed.name}"
                )
                cursor = Cursor.objects.select_for_update().get(pk=cursor.pk)
                observations, last_id = matching.observations_after(
                    feed, last_id=cursor.last_id, batch=batch
                )
                if last_id == cursor.last_id:
                    break
                recent = [
                    o for o in observations if feed.time_field is None or o.at >= since
                ]
                total += len(matches_from(recent, live=True, now=now))
                cursor.last_id = last_id
                cursor.save(update_fields=["last_id"])
    return total


def watch_reference(bulletin: Bulletin) -> str:
    """Return the reference under which the release watch list names a bulletin."""
    return f"bulletin:{bulletin.uuid}"


def bulletin_watch_sync(
    *, bulletin: Bulletin, now: dt.datetime | None = None
) -> list[str]:
    """Put the bulletin's container numbers on the release watch list while it is active.

    A pick-up of a watched container raises a fraud signal at the gate. The
    watch list carries only the container number and an opaque reference, so
    the gate and the control room learn that the container is watched, not the
    bulletin. Return the container numbers now watched for the bulletin.
    """
    now = now or timezone.now()
    containers: list[str] = []
    if bulletin.active_at(now):
        containers = list(
            bulletin.indicators.filter(kind=Indicator.Kind.CONTAINER).values_list(
                "value", flat=True
            )
        )
    return container_watch_sync(
        reference=watch_reference(bulletin), containers=containers
    )


def container_watches_refresh(*, now: dt.datetime | None = None) -> int:
    """Start and end the watches of bulletins whose validity began or ended.

    Every active bulletin naming a container is synced; every other bulletin
    reference still watched (expired, withdrawn, deleted) stops being watched.
    Return how many active bulletins name containers.
    """
    now = now or timezone.now()
    bulletins = {
        watch_reference(bulletin): bulletin
        for bulletin in Bulletin.objects.filter(
            status=Bulletin.Status.PUBLISHED,
            valid_from__lte=now,
            indicators__kind=Indicator.Kind.CONTAINER,
        )
        .filter(Q(valid_until=None) | Q(valid_until__gt=now))
        .distinct()
    }
    for bulletin in bulletins.values():
        bulletin_watch_sync(bulletin=bulletin, now=now)
    orphans = (
        ContainerWatch.objects.filter(reference__startswith="bulletin:", active=True)
        .exclude(reference__in=bulletins)
        .values_list("reference", flat=True)
        .distinct()
    )
    for reference in list(orphans):
        container_watch_sync(reference=reference, containers=[])
    return len(bulletins)


def matches_tick() -> None:
    """The periodic job: keep the watch list current, then match what arrived."""
    container_watches_refresh()
    matches_run_live()


# Sharing groups ---------------------------------------------------------------------


@transaction.atomic
def sharing_group_create(
    *,
    actor: Actor,
    name: str,
    organisations: Sequence[Organisation],
    releasability: str = "",
) -> SharingGroup:
    """Create a named sharing group that includes the creator's organisation."""
    user = _user(actor)
    scope = scope_for(user)
    if not scope.roles & AUTHOR_ROLES:
        raise NotPermitted(_("Your role may not create sharing groups."))
    name = name.strip()
    if not name or SharingGroup.objects.filter(name=name).exists():
        message = _("Choose a name that is not used yet.")
        raise InvalidInput(message, fields={"name": [message]})
    group = SharingGroup.objects.create(
        name=name[:200], releasability=releasability[:300]
    )
    own = Organisation.objects.filter(pk__in=scope.organisation_ids)
    group.organisations.set({*organisations, *own})
    audit_record(
        actor=user,
        action="sharing.group.create",
        obj=group,
        details={"organisations": sorted(o.pk for o in group.organisations.all())},
    )
    return group


# Committees -------------------------------------------------------------------------


def _check_committee_officer(actor: User, committee: Committee) -> None:
    seat = CommitteeMember.objects.filter(committee=committee, user=actor).first()
    if seat is None or seat.role not in {
        CommitteeMember.Role.CHAIR,
        CommitteeMember.Role.SECRETARY,
    }:
        raise NotPermitted(_("Only the chair or the secretary may do this."))


def _check_meeting_officer(actor: User, meeting: Meeting) -> None:
    """Refuse an officer who is not cleared for a classified meeting's papers."""
    _check_committee_officer(actor, meeting.committee)
    if meeting.classification > actor.clearance:
        raise NotPermitted(_("Your clearance does not allow you to work on it."))


@transaction.atomic
def committee_member_add(
    *,
    actor: Actor | None,
    committee: Committee,
    user: User,
    role: str = CommitteeMember.Role.MEMBER,
    represents: str = "",
) -> CommitteeMember:
    """Give a user a seat on a committee (the chair or secretary, or the system)."""
    if actor is not None:
        _check_committee_officer(_user(actor), committee)
    seat, _created = CommitteeMember.objects.update_or_create(
        committee=committee,
        user=user,
        defaults={"role": role, "represents": represents},
    )
    audit_record(
        actor=actor if isinstance(actor, User) else None,
        action="sharing.committee.member",
        obj=seat,
        details={"committee": committee.code, "role": role, "user": user.pk},
    )
    return seat


@transaction.atomic
def meeting_plan(
    *,
    actor: Actor,
    committee: Committee,
    starts_at: dt.datetime,
    location: str = "",
    agenda: str = "",
    classification: int = Clearance.NONE,
) -> Meeting:
    """Plan a committee meeting with its agenda."""
    user = _user(actor)
    _check_committee_officer(user, committee)
    if classification > user.clearance:
        message = _("You cannot classify a meeting above your own clearance.")
        raise InvalidInput(message, fields={"classification": [message]})
    meeting = Meeting.objects.create(
        committee=committee,
        starts_at=starts_at,
        location=location[:200],
        agenda=agenda,
        classification=classification,
    )
    audit_record(actor=user, action="sharing.meeting.plan", obj=meeting)
    return meeting


@transaction.atomic
def meeting_minutes_save(*, actor: Actor, meeting: Meeting, minutes: str) -> Meeting:
    """Record the minutes of a meeting."""
    user = _user(actor)
    _check_meeting_officer(user, meeting)
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes", "updated_at"])
    audit_record(actor=user, action="sharing.meeting.minutes", obj=meeting)
    return meeting


@transaction.atomic
def decision_add(*, actor: Actor, meeting: Meeting, text: str) -> Decision:
    """Record what a meeting decided."""
    user = _user(actor)
    _check_meeting_officer(user, meeting)
    if not text.strip():
        raise InvalidInput(_("Write the decision."), fields={"text": [_("Required.")]})
    decision = Decision.objects.create(meeting=meeting, text=text.strip())
    audit_record(actor=user, action="sharing.meeting.decision", obj=decision)
    return decision


@transaction.atomic
def action_add(
    *, actor: Actor, meeting: Meeting, text: str, owner: User, due_on: dt.date
) -> ActionItem:
    """Give a member an action with a due date."""
    user = _user(actor)
    _check_meeting_officer(user, meeting)
    if not CommitteeMember.objects.filter(
        committee=meeting.committee, user=owner
    ).exists():
        message = _("The owner of an action must be a member of the committee.")
        raise InvalidInput(message, fields={"owner": [message]})
    item = ActionItem.objects.create(
        meeting=meeting, text=text.strip()[:500], owner=owner, due_on=due_on
    )
    audit_record(actor=user, action="sharing.meeting.action", obj=item)
    return item


@transaction.atomic
def action_done(*, actor: Actor, item: ActionItem) -> ActionItem:
    """Mark an action done (its owner, the chair or the secretary)."""
    user = _user(actor)
    if item.owner_id != user.pk:
        _check_committee_officer(user, item.meeting.committee)
    if item.done_at is None:
        item.done_at = timezone.now()
        item.save(update_fields=["done_at"])
        audit_record(actor=user, action="sharing.meeting.action_done", obj=item)
    return item


@transaction.atomic
def document_add(
    *,
    actor: Actor,
    committee: Committee,
    title: str,
    classification: int,
    upload: UploadedFile,
) -> CommitteeDocument:
    """File a classified document with a committee."""
    user = _user(actor)
    _check_committee_officer(user, committee)
    if classification > user.clearance:
        message = _("You cannot file a document above your own clearance.")
        raise InvalidInput(message, fields={"classification": [message]})
    document = CommitteeDocument.objects.create(
        committee=committee,
        title=title.strip()[:200] or (upload.name or "document")[:200],
        classification=classification,
        file=upload,
        uploaded_by=user,
    )
    audit_record(
        actor=user,
        action="sharing.document.add",
        obj=document,
        details={"classification": classification},
    )
    return document


def document_open(*, actor: Actor, document: CommitteeDocument) -> None:
    """Record that a member opened a classified document."""
    audit_record(
        actor=_user(actor),
        action="sharing.document.open",
        obj=document,
        details={"classification": document.classification},
    )


# Library ----------------------------------------------------------------------------


@transaction.atomic
def article_save(
    *,
    actor: Actor | None,
    title: str,
    summary: str,
    body: str,
    theme: str,
    where: str = "",
    contact: str = "",
    results: str = "",
    ports: Sequence[Port] = (),
    slug: str = "",
    document_url: str = "",
) -> Article:
    """Create or update a best-practice article and keep the search index in step."""
    if actor is not None:
        scope = scope_for(actor)
        if not scope.roles & AUTHOR_ROLES:
            raise NotPermitted(_("Your role may not edit the library."))
    if theme not in Article.Theme.values:
        raise InvalidInput(_("Unknown theme."), fields={"theme": [_("Unknown.")]})
    slug = slug or slugify(title)[:80]
    article, _created = Article.objects.update_or_create(
        slug=slug,
        defaults={
            "title": title[:200],
            "summary": summary[:400],
            "body": body,
            "theme": theme,
            "where": where[:200],
            "contact": contact[:200],
            "results": results,
            "document_url": document_url,
        },
    )
    article.ports.set(ports)
    search.article_index(article)
    return article
