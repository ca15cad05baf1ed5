"""Sources, events, rules, alerts and incidents of the control room."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from port2port.core.models import AccessPoint, Organisation, Port, Zone


class Source(models.Model):
    """A sensor, camera, reader or receiver of a port that emits events.

    ``geometry`` is GeoJSON: a LineString for a fence segment, a Polygon for a
    camera's field of view, a Point for the others. A camera ``covers`` the fence
    segments it looks at, which the correlation rules read both ways.
    """

    class Kind(models.TextChoices):
        FENCE_SEGMENT = "fence_segment", _("Fence segment")
        CAMERA = "camera", _("Camera")
        ANPR_CAMERA = "anpr_camera", _("ANPR camera")
        RADAR = "radar", _("Radar")
        DRONE_DETECTOR = "drone_detector", _("Drone detector")
        AIS_RECEIVER = "ais_receiver", _("AIS receiver")
        ACCESS_POINT = "access_point", _("Access point")

    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.PROTECT, related_name="+"
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("How devices and messages name the source"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    geometry = models.JSONField(_("geometry"), null=True, blank=True)
    sensor_ids = models.JSONField(_("sensor ids"), default=list, blank=True)
    covers = models.ManyToManyField(
        "self",
        verbose_name=_("covers"),
        symmetrical=False,
        blank=True,
        related_name="covered_by",
    )
    access_point = models.ForeignKey(
        AccessPoint,
        verbose_name=_("access point"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    heartbeat_seconds = models.PositiveIntegerField(
        _("heartbeat (seconds)"), null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["port__locode", "code"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def position(self) -> tuple[float, float] | None:
        """Return a representative (lon, lat): the point, or the first vertex."""
        geometry = self.geometry or {}
        coords: Any = geometry.get("coordinates")
        kind = geometry.get("type")
        try:
            if kind == "Point":
                return (float(coords[0]), float(coords[1]))
            if kind == "LineString":
                return (float(coords[0][0]), float(coords[0][1]))
            if kind == "Polygon":
                return (float(coords[0][0][0]), float(coords[0][0][1]))
        except (TypeError, IndexError, ValueError):
            return None
        return None


class Event(models.Model):
    """Something a source saw, as it was received.

    Partition-friendly: no foreign-key constraints (ids only) and ordered by
    ``time``, so that the table can be partitioned by time and old partitions
    dropped. Deduplicated by source and source event id.
    """

    time = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    source_id = models.BigIntegerField(_("source"))
    port_id = models.BigIntegerField(_("port"))
    zone_id = models.BigIntegerField(_("zone"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=60)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    source_event_id = models.CharField(_("source event id"), max_length=200)
    exercise = models.BooleanField(_("exercise"), default=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(
                fields=["source_id", "source_event_id"], name="detection_event_dedup"
            )
        ]
        indexes = [
            models.Index(fields=["time"], name="detection_event_time_idx"),
            models.Index(fields=["port_id", "time"], name="detection_event_port_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.time:%Y-%m-%d %H:%M:%S}"


class Rule(models.Model):
    """A correlation rule, stored in the engine's dict form (``definition``)."""

    code = models.CharField(_("code"), max_length=100, unique=True)
    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every port"),
    )
    definition = models.JSONField(_("definition"))
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return str(self.definition.get("name") or self.code)


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Incident(models.Model):
    """A security incident handled by the control room, with its ISPS log fields.

    A serious incident starts the clock of the written report, due 24 hours
    after it was declared serious (``report_due_at``).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISPATCHED = "dispatched", _("Dispatched")
        CONTAINED = "contained", _("Contained")
        CLOSED = "closed", _("Closed")

    class Kind(models.TextChoices):
        INTRUSION = "intrusion", _("Unauthorised access")
        STOWAWAY = "stowaway", _("Stowaway")
        THEFT = "theft", _("Theft")
        SMUGGLING = "smuggling", _("Smuggling")
        DRONE = "drone", _("Drone")
        SUSPICIOUS = "suspicious", _("Suspicious behaviour")
        BREACH = "breach", _("Breach of security measures")
        OTHER = "other", _("Other")

    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    exercise = models.BooleanField(_("exercise"), default=False)
    # The ISPS incident log.
    kind = models.CharField(
        _("type of incident"), max_length=20, choices=Kind.choices, default=Kind.OTHER
    )
    occurred_at = models.DateTimeField(_("occurred"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    actions_taken = models.TextField(_("actions taken"), blank=True)
    authorities_notified = models.CharField(
        _("authorities notified"), max_length=300, blank=True
    )
    vessel = models.CharField(_("vessel involved"), max_length=200, blank=True)
    serious = models.BooleanField(_("serious"), default=False)
    report_due_at = models.DateTimeField(_("written report due"), null=True, blank=True)
    report_submitted_at = models.DateTimeField(
        _("written report submitted"), null=True, blank=True
    )
    report_reminders = models.PositiveSmallIntegerField(
        _("written-report reminders sent"), default=0
    )
    event_ids = models.JSONField(_("events"), default=list, blank=True)
    snapshot_refs = models.JSONField(_("camera snapshots"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["port", "status"], name="detection_incident_idx")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class Alert(models.Model):
    """What a rule found: repeated matches fold into one alert (count, last seen).

    ``seq`` grows with every change, so that live pages ask "what changed since
    N" with one indexed query.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISMISSED = "dismissed", _("Dismissed")
        PROMOTED = "promoted", _("Promoted")

    rule = models.ForeignKey(
        Rule,
        verbose_name=_("rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    rule_code = models.CharField(_("rule code"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.PROTECT, related_name="+"
    )
    zone_id = models.BigIntegerField(_("zone"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    dismiss_reason = models.CharField(_("reason"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    dedup_key = models.CharField(_("dedup key"), max_length=400)
    event_ids = models.JSONField(_("events"), default=list, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    exercise = models.BooleanField(_("exercise"), default=False)
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    seq = models.BigIntegerField(_("sequence"), default=0, db_index=True)
    # The on-call level last notified (-1: none yet) and when: escalation moves
    # to the next level when the alert stays new for that level's delay.
    notify_level = models.SmallIntegerField(_("notified level"), default=-1)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(
                fields=["dedup_key", "status"], name="detection_alert_key_idx"
            ),
            models.Index(fields=["port", "status"], name="detection_alert_port_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def open(self) -> bool:
        return self.status in {self.Status.NEW, self.Status.ACKNOWLEDGED}


class IncidentEntry(models.Model):
    """One line of an incident's timeline: an action, a note or a change."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        ACTION = "action", _("Action")
        STATUS = "status", _("Status change")
        ALERT = "alert", _("Alert linked")

    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("incident entry")
        verbose_name_plural = _("incident entries")

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"


class Cursor(models.Model):
    """How far a consumer has read a table (the last id it processed)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    last_id = models.BigIntegerField(_("last id"), default=0)

    class Meta:
        verbose_name = _("cursor")
        verbose_name_plural = _("cursors")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


class Vessel(models.Model):
    """A vessel heard on AIS: its identity and its last position.

    Written by the AIS ingestion from the tracker's state (types 5, 19 and 24
    give the identity; 1, 2, 3, 18, 19 and 27 the position). ``track`` keeps the
    last positions, ``[unix seconds, lon, lat]``, for the map.
    """

    mmsi = models.PositiveIntegerField(_("MMSI"), unique=True)
    imo = models.PositiveIntegerField(_("IMO number"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=40, blank=True)
    callsign = models.CharField(_("call sign"), max_length=12, blank=True)
    ship_type = models.PositiveSmallIntegerField(_("ship type"), null=True, blank=True)
    length_m = models.FloatField(_("length (m)"), null=True, blank=True)
    port_id = models.BigIntegerField(_("port"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    sog = models.FloatField(_("speed (knots)"), null=True, blank=True)
    cog = models.FloatField(_("course"), null=True, blank=True)
    heading = models.PositiveSmallIntegerField(_("heading"), null=True, blank=True)
    nav_status = models.PositiveSmallIntegerField(
        _("navigational status"), null=True, blank=True
    )
    position_at = models.DateTimeField(_("position time"), null=True, blank=True)
    track = models.JSONField(_("track"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["mmsi"]
        verbose_name = _("vessel")
        verbose_name_plural = _("vessels")
        indexes = [
            models.Index(fields=["port_id", "position_at"], name="detection_vessel_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name or '?'} ({self.mmsi})"


SEVERITY_RANK = {value: rank for rank, value in enumerate(Severity.values)}


class OnCallRule(models.Model):
    """Who is told of a port's alerts, how, and when the next person is.

    Alerts of the port (of one zone, or of every zone when ``zone`` is empty) at
    ``min_severity`` or above first go to the rules of level 0; when nobody
    acknowledges the alert within ``escalate_after_minutes``, the rules of the
    next level are notified, and so on.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WEBHOOK = "webhook", _("Webhook")

    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.CASCADE, related_name="+"
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every zone of the port"),
    )
    min_severity = models.CharField(
        _("lowest severity"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.HIGH,
    )
    level = models.PositiveSmallIntegerField(
        _("escalation level"),
        default=0,
        help_text=_("0 is told first; each next level when nobody acknowledged"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person on call"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    target = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        help_text=_("E-mail address, phone number or webhook URL"),
    )
    escalate_after_minutes = models.PositiveIntegerField(
        _("escalate after (minutes)"), default=10
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["port__locode", "level", "pk"]
        verbose_name = _("on-call rule")
        verbose_name_plural = _("on-call rules")

    def __str__(self) -> str:
        return f"{self.level}: {self.get_channel_display()} {self.target}"


class Notification(models.Model):
    """One message sent about an alert, or the attempt."""

    alert = models.ForeignKey(
        Alert,
        verbose_name=_("alert"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    rule = models.ForeignKey(
        OnCallRule,
        verbose_name=_("on-call rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(_("escalation level"))
    channel = models.CharField(
        _("channel"), max_length=10, choices=OnCallRule.Channel.choices
    )
    target = models.CharField(_("address"), max_length=300)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.channel} {self.target} ({self.alert_id})"


class Broadcast(models.Model):
    """A message of a control room to the companies of a port or of an area.

    The Port Neighbourhood Information Network: every organisation affiliated
    with the port (or, with ``area``, those with a facility in the drawn
    polygon) receives it and acknowledges it.
    """

    class Level(models.TextChoices):
        PREVENTIVE = "preventive", _("Preventive")
        URGENT = "urgent", _("Urgent")

    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.PROTECT, related_name="+"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"))
    area = models.JSONField(_("area"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    exercise = models.BooleanField(_("exercise"), default=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("area broadcast")
        verbose_name_plural = _("area broadcasts")

    def __str__(self) -> str:
        return self.title


class BroadcastRecipient(models.Model):
    """One company that a broadcast reached, and whether it acknowledged it."""

    broadcast = models.ForeignKey(
        Broadcast,
        verbose_name=_("area broadcast"),
        on_delete=models.CASCADE,
        related_name="recipients",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("broadcast recipient")
        verbose_name_plural = _("broadcast recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["broadcast", "organisation"],
                name="detection_broadcast_recipient_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.broadcast_id} → {self.organisation_id}"
