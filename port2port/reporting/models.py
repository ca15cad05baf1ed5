"""Anonymous reports: channels, handler groups, keys, reports, messages and files.

What a report says is never stored in the clear: its content, its messages and
its files are sealed with the report's own key (see ``port2port.reporting.crypto``).
The columns in the clear are what routing, the inbox and the statistics need:
the channel, the category, the port, the status, the groups that may read it,
and times rounded down to the hour.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from port2port.core.models import Organisation, Port, User


class Category(models.TextChoices):
    DRUGS = "drugs", _("Drugs")
    CORRUPTION = "corruption", _("Corruption or a recruitment attempt")
    THEFT = "theft", _("Theft")
    SMUGGLING = "smuggling", _("Smuggling")
    TRESPASS = "trespass", _("Trespass")
    SUSPICIOUS = "suspicious", _("Suspicious vessel or vehicle")
    CYBER = "cyber", _("Cyber")
    OTHER = "other", _("Other")


class HandlerGroup(models.Model):
    """A team that receives reports: a police triage desk, a port's security unit, customs.

    A member reads the group's reports only while they also hold the report
    handler role in the group's organisation.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="handler_groups",
    )
    members = models.ManyToManyField(
        User, verbose_name=_("members"), related_name="handler_groups", blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("handler group")
        verbose_name_plural = _("handler groups")

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """A public reporting point (the national Portwatch, a port's own campaign)."""

    slug = models.SlugField(_("address"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_nl = models.TextField(_("introduction (Dutch)"), blank=True)
    intro_fr = models.TextField(_("introduction (French)"), blank=True)
    intro_de = models.TextField(_("introduction (German)"), blank=True)
    categories = models.JSONField(
        _("categories"), default=list, help_text=_("Category codes offered")
    )
    ports = models.ManyToManyField(
        Port,
        verbose_name=_("ports"),
        related_name="reporting_channels",
        blank=True,
        help_text=_("Empty: every port."),
    )
    triage_group = models.ForeignKey(
        HandlerGroup,
        verbose_name=_("triage group"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Receives every report of the channel; the routing rules add other "
            "groups by category and port."
        ),
    )
    is_active = models.BooleanField(_("open"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("reporting channel")
        verbose_name_plural = _("reporting channels")

    def __str__(self) -> str:
        return self.name

    @property
    def intro(self) -> str:
        language = (get_language() or "en")[:2]
        return str(getattr(self, f"intro_{language}", "") or self.intro_en)

    def category_choices(self) -> list[tuple[str, str]]:
        labels = dict(Category.choices)
        return [(c, str(labels[c])) for c in self.categories if c in labels]


class RoutingRule(models.Model):
    """Send a channel's reports of a category and/or a port to another group as well."""

    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=Category.choices,
        blank=True,
        help_text=_("Empty: every category."),
    )
    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every port."),
    )
    group = models.ForeignKey(
        HandlerGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="rules",
    )

    class Meta:
        ordering = ["channel", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.channel}: {self.category or '*'} / {self.port or '*'} → {self.group}"


class HandlerKey(models.Model):
    """A handler's X25519 key pair; the private half sealed under the password."""

    user = models.OneToOneField(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reporting_key",
    )
    public_key = models.BinaryField(_("public key"), max_length=32)
    sealed_private_key = models.BinaryField(_("sealed private key"))
    salt = models.BinaryField(max_length=16)
    kdf = models.CharField(max_length=60)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    changed_at = models.DateTimeField(_("last re-sealed"), default=timezone.now)

    class Meta:
        verbose_name = _("handler key")
        verbose_name_plural = _("handler keys")

    def __str__(self) -> str:
        return f"key of {self.user}"


class RecoveryKey(models.Model):
    """An organisation's recovery key: the public half here, the private half offline."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="reporting_recovery_keys",
    )
    public_key = models.BinaryField(_("public key"), max_length=32)
    fingerprint = models.CharField(_("fingerprint"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("recovery key")
        verbose_name_plural = _("recovery keys")

    def __str__(self) -> str:
        return f"{self.organisation} {self.fingerprint}"


class Report(models.Model):
    """One report. Everything it says is sealed in ``content`` and its messages."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGE = "triage", _("In triage")
        INVESTIGATION = "investigation", _("In investigation")
        FORWARDED = "forwarded", _("Forwarded")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        User,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    anonymous = models.BooleanField(_("anonymous"), default=True)
    # Times are kept to the hour: an exact time could be matched against the
    # records of a network the reporter used.
    received_at = models.DateTimeField(_("received"), db_index=True)
    activity_at = models.DateTimeField(_("last activity"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    unread = models.BooleanField(
        _("news from the reporter"),
        default=True,
        help_text=_("The reporter wrote since a handler last opened the report."),
    )
    receipt_lookup = models.CharField(max_length=64, unique=True, editable=False)
    receipt_salt = models.BinaryField(max_length=16, editable=False)
    receipt_kdf = models.CharField(max_length=60, editable=False)
    receipt_wrapped_key = models.BinaryField(editable=False)
    content = models.BinaryField(editable=False)
    groups: models.ManyToManyField[HandlerGroup, ReportAccess] = models.ManyToManyField(
        HandlerGroup, through="ReportAccess", related_name="reports"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["status", "closed_at"], name="report_status_closed"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.received_at:%Y}-{self.pk:05d}"

    def aad(self, part: str) -> bytes:
        """Return the associated data that ties a sealed blob to this report."""
        return f"report:{self.public_id}:{part}".encode()


class ReportAccess(models.Model):
    """A group that may read a report: routed to it, or forwarded to it later."""

    class Via(models.TextChoices):
        ROUTING = "routing", _("Routing")
        FORWARD = "forward", _("Forwarded")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="access")
    group = models.ForeignKey(
        HandlerGroup, on_delete=models.PROTECT, related_name="access"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["granted_at", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["report", "group"], name="report_access_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.group}"


class KeyWrap(models.Model):
    """A report's key, wrapped for one handler or one recovery key."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="key_wraps"
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recovery_key = models.ForeignKey(
        RecoveryKey,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wraps",
    )
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, recovery_key__isnull=True)
                | Q(user__isnull=True, recovery_key__isnull=False),
                name="key_wrap_one_holder",
            ),
            models.UniqueConstraint(
                fields=["report", "user"], name="key_wrap_user_unique"
            ),
            models.UniqueConstraint(
                fields=["report", "recovery_key"], name="key_wrap_recovery_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"key of {self.report} for {self.user or self.recovery_key}"


class Message(models.Model):
    """A question to the reporter, the reporter's answer, or a handlers' internal note."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question to the reporter")
        REPORTER = "reporter", _("From the reporter")
        NOTE = "note", _("Internal note")
        EVENT = "event", _("Event")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.report}"

    @property
    def reporter_sees(self) -> bool:
        return self.kind in (self.Kind.QUESTION, self.Kind.REPORTER)


class Attachment(models.Model):
    """A file of a report, sealed on disk; its name and type are sealed here."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    from_reporter = models.BooleanField(default=True)
    stored_name = models.CharField(max_length=64, unique=True)
    meta = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"file {self.pk} of {self.report}"


class ReporterSession(models.Model):
    """A reporter signed in with a receipt. The report key here opens only with the cookie."""

    token_hash = models.CharField(max_length=64, unique=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    sealed_key = models.BinaryField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"reporter session until {self.expires_at:%H:%M}"


class RateWindow(models.Model):
    """How many times one kind of request came in one window (counted for everyone)."""

    bucket = models.CharField(max_length=40)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["bucket", "window_start"], name="rate_window_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bucket} {self.window_start:%H:%M}: {self.count}"


class SpentChallenge(models.Model):
    """A proof-of-work challenge already used, kept until it would have expired."""

    nonce = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.nonce
