"""The hub: committees and their work, security bulletins with indicators and
their matches, sharing groups and the best-practice library."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from port2port.core.models import (
    Clearance,
    Committee,
    Organisation,
    Port,
    TimeStampedModel,
)

# Committees -------------------------------------------------------------------------


class CommitteeMember(TimeStampedModel):
    """A user's seat on a committee; a committee's work is visible to its members only."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="committee_seats",
    )
    role = models.CharField(
        _("role"), max_length=12, choices=Role.choices, default=Role.MEMBER
    )
    represents = models.CharField(_("represents"), max_length=200, blank=True)

    class Meta:
        ordering = ["committee__name", "role", "user__username"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["committee", "user"], name="sharing_committee_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.committee}"


class Meeting(TimeStampedModel):
    """A meeting of a committee with its agenda and, afterwards, its minutes."""

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    starts_at = models.DateTimeField(_("starts"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Clearance.choices, default=Clearance.NONE
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.committee} {self.starts_at:%Y-%m-%d}"


class Decision(models.Model):
    """What a meeting decided."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    text = models.TextField(_("decision"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:60]


class ActionItem(models.Model):
    """A task a meeting gave to one member, due by a date."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.text[:60]


class CommitteeDocument(TimeStampedModel):
    """A document of a committee; only members cleared for its class may open it."""

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=200)
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Clearance.choices, default=Clearance.NONE
    )
    file = models.FileField(_("file"), upload_to="sharing/committees/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("committee document")
        verbose_name_plural = _("committee documents")

    def __str__(self) -> str:
        return self.title


# Bulletins --------------------------------------------------------------------------


class SharingGroup(TimeStampedModel):
    """A named set of organisations that a bulletin can be addressed to."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations"),
        related_name="sharing_groups",
    )
    releasability = models.CharField(_("releasability"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sharing group")
        verbose_name_plural = _("sharing groups")

    def __str__(self) -> str:
        return self.name


class Tlp(models.TextChoices):
    """The Traffic Light Protocol 2.0 labels."""

    CLEAR = "clear", _("TLP:CLEAR")
    GREEN = "green", _("TLP:GREEN")
    AMBER = "amber", _("TLP:AMBER")
    AMBER_STRICT = "amber+strict", _("TLP:AMBER+STRICT")
    RED = "red", _("TLP:RED")


class Bulletin(TimeStampedModel):
    """A security bulletin: a modus operandi, a warning or a lesson from an incident.

    ``distribution`` says who receives it; ``tlp`` how they may handle it and,
    for AMBER+STRICT and RED, narrows who may open it; ``min_clearance`` is the
    clearance a reader needs. See ``selectors.bulletin_visibility``.
    """

    class Distribution(models.TextChoices):
        ORGANISATION = "organisation", _("My organisation")
        COMMITTEE = "committee", _("A committee")
        PORT = "port", _("A port")
        ALL_PORTS = "all_ports", _("All ports")
        GROUP = "group", _("A sharing group")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices)
    distribution = models.CharField(
        _("distribution"), max_length=12, choices=Distribution.choices
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bulletins",
    )
    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sharing_group = models.ForeignKey(
        SharingGroup,
        verbose_name=_("sharing group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bulletins",
    )
    min_clearance = models.PositiveSmallIntegerField(
        _("minimum clearance"), choices=Clearance.choices, default=Clearance.NONE
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    owner_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="bulletins",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    origin = models.CharField(
        _("origin"), max_length=20, default="local", help_text=_("local, misp or stix")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=~models.Q(tlp="red", distribution__in=["port", "all_ports"]),
                name="sharing_bulletin_red_is_named",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tlp_label(self) -> str:
        return f"TLP:{self.tlp.upper()}"

    def active_at(self, moment: Any) -> bool:
        """Return whether the bulletin's indicators are watched at ``moment``."""
        return (
            self.status == self.Status.PUBLISHED
            and self.valid_from <= moment
            and (self.valid_until is None or moment < self.valid_until)
        )


class BulletinAttachment(models.Model):
    """A file attached to a bulletin, readable by whoever may read the bulletin."""

    bulletin = models.ForeignKey(
        Bulletin,
        verbose_name=_("bulletin"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="sharing/bulletins/")
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """A value named in a bulletin, normalised so that observations can match it."""

    class Kind(models.TextChoices):
        PLATE = "plate", _("Number plate")
        CONTAINER = "container", _("Container number")
        KBO = "kbo", _("Enterprise number (KBO/VAT)")
        EORI = "eori", _("EORI number")
        IMO = "imo", _("IMO number")
        MMSI = "mmsi", _("MMSI")
        PHONE = "phone", _("Phone number")
        EMAIL = "email", _("E-mail address")
        DOMAIN = "domain", _("Domain")
        PERSON = "person", _("Person (name and date of birth)")

    bulletin = models.ForeignKey(
        Bulletin,
        verbose_name=_("bulletin"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(
        _("value"), max_length=200, help_text=_("Normalised; a person's name key")
    )
    display = models.CharField(_("as written"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["kind", "value"], name="sharing_indicator_idx")
        ]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["bulletin", "kind", "value", "date_of_birth"],
                name="sharing_indicator_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.display}"


class BulletinRead(models.Model):
    """That a recipient opened a bulletin, and when they acknowledged it."""

    bulletin = models.ForeignKey(
        Bulletin,
        verbose_name=_("bulletin"),
        on_delete=models.CASCADE,
        related_name="reads",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    first_read_at = models.DateTimeField(_("first read"), default=timezone.now)
    read_version = models.PositiveIntegerField(_("version read"), default=1)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["first_read_at"]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["bulletin", "user"], name="sharing_bulletin_read_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.bulletin_id}"


class Match(models.Model):
    """An indicator seen in the platform's data: a gate, a camera, a release, a registry."""

    class Source(models.TextChoices):
        GATE = "gate", _("Gate decision")
        ANPR = "anpr", _("ANPR read")
        EVENT = "event", _("Sensor event")
        RELEASE = "release", _("Container release")
        PICKUP = "pickup", _("Container pick-up")
        VISIT = "visit", _("Visit")
        PERSON = "person", _("Person in the registry")
        ORGANISATION = "organisation", _("Organisation in the registry")
        VEHICLE = "vehicle", _("Vehicle in the registry")

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    bulletin = models.ForeignKey(
        Bulletin,
        verbose_name=_("bulletin"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    source = models.CharField(_("seen in"), max_length=12, choices=Source.choices)
    source_ref = models.CharField(_("reference"), max_length=80)
    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("seen"))
    where = models.CharField(_("where"), max_length=200, blank=True)
    live = models.BooleanField(_("live"), default=True)
    alert_id = models.BigIntegerField(_("control-room alert"), null=True, blank=True)
    created_at = models.DateTimeField(_("matched"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["indicator", "source", "source_ref"],
                name="sharing_match_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} @ {self.where}"


class Cursor(models.Model):
    """How far the live matcher has read one source table (its last id)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    last_id = models.BigIntegerField(_("last id"), default=0)

    class Meta:
        verbose_name = _("cursor")
        verbose_name_plural = _("cursors")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


# Best practices ----------------------------------------------------------------------


class Article(TimeStampedModel):
    """A best practice: what it is, where it runs, whom to contact, what it achieved."""

    class Theme(models.TextChoices):
        LEGISLATION = "legislation", _("Legislation and inspections")
        REPORTING = "reporting", _("Reporting and training")
        COLLABORATION = "collaboration", _("Collaboration")
        PERIMETER = "perimeter", _("Perimeter and access")
        DETECTION = "detection", _("Detection")
        OTHER = "other", _("Other projects")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=400)
    body = models.TextField(_("what it is"))
    where = models.CharField(_("where"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    results = models.TextField(_("results"), blank=True)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    ports = models.ManyToManyField(
        Port, verbose_name=_("ports"), blank=True, related_name="+"
    )
    document_url = models.URLField(_("document"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("best practice")
        verbose_name_plural = _("best practices")

    def __str__(self) -> str:
        return self.title

    def search_text(self) -> str:
        """Return the text the full-text index holds for the article."""
        return "\n".join(
            [self.summary, self.body, self.where, self.contact, self.results]
        )
