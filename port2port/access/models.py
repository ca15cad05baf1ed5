"""Port passes, screening, port bans, access rights, visits and gate decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from port2port.core.models import (
    AccessPoint,
    Facility,
    Organisation,
    Person,
    Port,
    TimeStampedModel,
    User,
    Vehicle,
    Zone,
)


class PortPass(TimeStampedModel):
    """A person's port pass (badge): one credential valid in every port.

    Issued, then collected in person within the collection period (``active``);
    it can be suspended, reported lost, revoked, or expire. Each facility decides
    whether a valid pass opens anything there (``PassActivation``).
    """

    class Kind(models.TextChoices):
        CARD = "card", _("Card")
        MOBILE = "mobile", _("Mobile")

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued, not yet collected")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        LOST = "lost", _("Lost")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    number = models.CharField(_("credential number"), max_length=40, unique=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="passes",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.CARD
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.ISSUED
    )
    issued_by = models.ForeignKey(
        Organisation,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="issued_passes",
    )
    issued_at = models.DateTimeField(_("issued"))
    collect_by = models.DateField(_("collect by"))
    activated_at = models.DateTimeField(_("collected"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"))
    state_reason = models.CharField(
        _("reason of the state"), max_length=200, blank=True
    )
    photo_ref = models.CharField(
        _("photo reference"),
        max_length=120,
        blank=True,
        help_text=_(
            "Where the card photo is kept; the photo itself is not stored here."
        ),
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("port pass")
        verbose_name_plural = _("port passes")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state="active"),
                name="one_active_pass_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PassActivation(models.Model):
    """A facility's decision that a pass may open its gates (subject to grants)."""

    port_pass = models.ForeignKey(
        PortPass,
        verbose_name=_("pass"),
        on_delete=models.CASCADE,
        related_name="activations",
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        related_name="pass_activations",
    )
    activated_at = models.DateTimeField(_("activated"))
    activated_by = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pass activation")
        verbose_name_plural = _("pass activations")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["port_pass", "facility"], name="pass_activation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.port_pass} @ {self.facility}"


class IdentityProofing(models.Model):
    """That an external identity provider verified the person; only the fact is kept."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="proofings",
    )
    provider = models.CharField(_("identity provider"), max_length=80)
    level_of_assurance = models.CharField(_("level of assurance"), max_length=20)
    verified_at = models.DateTimeField(_("verified"))

    class Meta:
        ordering = ["-verified_at"]
        verbose_name = _("identity proofing")
        verbose_name_plural = _("identity proofings")

    def __str__(self) -> str:
        return f"{self.person} via {self.provider}"


class SecurityVerification(TimeStampedModel):
    """A security verification of a person for a category of critical functions."""

    class Category(models.TextChoices):
        CARGO = "cargo", _("1 – access to cargo or cargo information")
        FREE_ACCESS = (
            "free_access",
            _("2 – free access to a facility without being its staff"),
        )
        SECURITY = "security", _("3 – security functions")
        OTHER = "other", _("4 – other critical functions")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        Organisation,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    authority = models.CharField(_("deciding authority"), max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("security verification")
        verbose_name_plural = _("security verifications")

    def __str__(self) -> str:
        return f"{self.person} – {self.category} – {self.status}"


class CriminalRecordExtract(TimeStampedModel):
    """That an employer checked a special criminal-record extract: the fact and the date.

    The extract's content is never stored; only whether it showed a relevant
    conviction, as the employer judged it.
    """

    VALIDITY_YEARS = 3

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="extracts",
    )
    checked_by = models.ForeignKey(
        Organisation,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("extract date"))
    relevant_conviction = models.BooleanField(_("showed a relevant conviction"))

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("criminal-record extract check")
        verbose_name_plural = _("criminal-record extract checks")

    def __str__(self) -> str:
        return f"{self.person} – {self.issued_on}"

    @property
    def valid_until(self) -> dt.date:
        try:
            return self.issued_on.replace(
                year=self.issued_on.year + self.VALIDITY_YEARS
            )
        except ValueError:  # 29 February
            return self.issued_on.replace(
                year=self.issued_on.year + self.VALIDITY_YEARS, day=28
            )


class PortBan(TimeStampedModel):
    """A judicial port ban: the person may enter no port (or the named ports) until it ends."""

    MAX_YEARS = 20

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LIFTED = "lifted", _("Lifted")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="bans"
    )
    issued_by = models.ForeignKey(
        Organisation,
        verbose_name=_("judicial authority"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    legal_reference = models.CharField(_("legal reference"), max_length=120)
    all_ports = models.BooleanField(_("all Belgian ports"), default=True)
    ports = models.ManyToManyField(Port, verbose_name=_("ports"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    entered_by = models.ForeignKey(
        User,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_reason = models.CharField(
        _("reason for lifting"), max_length=300, blank=True
    )
    enforced_at = models.DateTimeField(
        _("enforced"),
        null=True,
        blank=True,
        help_text=_(
            "When the person's passes were suspended and the facilities alerted: "
            "at once, or on the first day of a ban issued ahead of time."
        ),
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("port ban")
        verbose_name_plural = _("port bans")

    def __str__(self) -> str:
        return f"{self.person} {self.starts_on}–{self.ends_on}"


class Schedule(TimeStampedModel):
    """Weekly time windows, e.g. days 06:00–18:00 Monday to Friday.

    ``windows`` is a list of ``{"days": [0..6], "from": "HH:MM", "to": "HH:MM"}``
    (0 is Monday); a window whose end is before its start crosses midnight.
    """

    name = models.CharField(_("name"), max_length=100)
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
        help_text=_("Empty: a schedule every facility can use."),
    )
    windows = models.JSONField(_("windows"), default=list)
    closed_on_holidays = models.BooleanField(
        _("closed on public holidays"), default=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return self.name


class PublicHoliday(models.Model):
    """A public holiday of a region (BE for the whole country, BE-VLG, BE-WAL, BE-BRU)."""

    region = models.CharField(_("region"), max_length=10, default="BE")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["region", "date"], name="holiday_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ZonePolicy(TimeStampedModel):
    """What a zone demands of everyone entering it, and its anti-passback mode."""

    class AntiPassback(models.TextChoices):
        NONE = "none", _("None")
        SOFT = "soft", _("Soft: allow and raise an event")
        HARD = "hard", _("Hard: deny")

    zone = models.OneToOneField(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="policy"
    )
    verification_categories = models.JSONField(
        _("verification categories"), default=list
    )
    courses = models.JSONField(_("mandatory courses"), default=list)
    biometric = models.BooleanField(_("biometric match required"), default=False)
    escort = models.BooleanField(_("escort required"), default=False)
    extract = models.BooleanField(
        _("valid criminal-record extract required"), default=False
    )
    anti_passback = models.CharField(
        _("anti-passback"),
        max_length=4,
        choices=AntiPassback.choices,
        default=AntiPassback.NONE,
    )

    class Meta:
        verbose_name = _("zone policy")
        verbose_name_plural = _("zone policies")

    def __str__(self) -> str:
        return f"Policy of {self.zone}"


class AccessGrant(TimeStampedModel):
    """A right to enter a zone on a schedule for a date range.

    It is held by one person, by every employee of an organisation, or by one
    vehicle. ``requirements`` adds to the zone's own demands:
    ``{"verification_categories": [...], "courses": [...], "biometric": bool,
    "escort": bool, "extract": bool}``.
    """

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="grants"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("every employee of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )
    vehicle = models.ForeignKey(
        Vehicle,
        verbose_name=_("vehicle"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )
    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("schedule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: at any time."),
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    requirements = models.JSONField(_("extra requirements"), default=dict, blank=True)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=(
                    Q(
                        person__isnull=False,
                        organisation__isnull=True,
                        vehicle__isnull=True,
                    )
                    | Q(
                        person__isnull=True,
                        organisation__isnull=False,
                        vehicle__isnull=True,
                    )
                    | Q(
                        person__isnull=True,
                        organisation__isnull=True,
                        vehicle__isnull=False,
                    )
                ),
                name="grant_has_one_holder",
            ),
        ]

    def __str__(self) -> str:
        holder = self.person or self.organisation or self.vehicle
        return f"{holder} → {self.zone}"


class EssentialPerson(models.Model):
    """A person the PFSO marks essential: the only people let in at security level 3."""

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        related_name="essential_people",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    designated_by = models.ForeignKey(
        User, verbose_name=_("designated by"), on_delete=models.SET_NULL, null=True
    )
    designated_at = models.DateTimeField(_("designated"))

    class Meta:
        verbose_name = _("essential person")
        verbose_name_plural = _("essential people")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["facility", "person"], name="essential_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} essential at {self.facility}"


class Visit(TimeStampedModel):
    """A pre-announced visit to a ship or a location (Prean-like).

    The terminal (the facility's operator) and, for a ship visit, the shipping
    agent both approve it; a rejection needs a reason.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        NOT_NEEDED = "not_needed", _("Not needed")

    class Purpose(models.TextChoices):
        CREW_CHANGE = "crew_change", _("Crew change")
        REPAIR = "repair", _("Repair or maintenance")
        SUPPLIES = "supplies", _("Supplies and provisions")
        INSPECTION = "inspection", _("Inspection or survey")
        DELIVERY = "delivery", _("Delivery or pick-up")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    requester = models.ForeignKey(
        Organisation,
        verbose_name=_("announced by"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: the facility's zones."),
    )
    vessel_name = models.CharField(_("vessel"), max_length=100, blank=True)
    vessel_imo = models.CharField(_("IMO number"), max_length=7, blank=True)
    ship_call = models.CharField(_("ship-call number"), max_length=40, blank=True)
    eta = models.DateTimeField(_("ETA"), null=True, blank=True)
    etd = models.DateTimeField(_("ETD"), null=True, blank=True)
    agent = models.ForeignKey(
        Organisation,
        verbose_name=_("shipping agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agent_visits",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    plate = models.CharField(_("vehicle plate"), max_length=10, blank=True)
    escort = models.BooleanField(_("escorted visit"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    terminal_decision = models.CharField(
        _("terminal"), max_length=12, choices=Decision.choices, default=Decision.PENDING
    )
    agent_decision = models.CharField(
        _("shipping agent"),
        max_length=12,
        choices=Decision.choices,
        default=Decision.NOT_NEEDED,
    )
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=500, blank=True
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="visit_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} – {self.facility} – {self.starts_at:%Y-%m-%d}"


class Visitor(models.Model):
    """One person on a visit, with their ban screening and day pass."""

    class Screening(models.TextChoices):
        CLEAR = "clear", _("Clear")
        ACTIVE_BAN = "active_ban", _("Active port ban")
        NOT_CHECKED = "not_checked", _("Not checked")

    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        related_name="visitors",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    screening = models.CharField(
        _("screening"),
        max_length=12,
        choices=Screening.choices,
        default=Screening.NOT_CHECKED,
    )
    screened_at = models.DateTimeField(_("screened"), null=True, blank=True)
    day_pass_id = models.CharField(
        _("day pass"), max_length=32, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["visit", "person"], name="visitor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.visit}"


class TruckAppointment(TimeStampedModel):
    """A truck's slot at a facility: its plate may pass the vehicle lanes in the window."""

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        related_name="truck_appointments",
    )
    plate = models.CharField(_("plate"), max_length=10)
    haulier = models.ForeignKey(
        Organisation,
        verbose_name=_("haulier"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("truck appointment")
        verbose_name_plural = _("truck appointments")

    def __str__(self) -> str:
        return f"{self.plate} @ {self.facility} {self.starts_at:%Y-%m-%d %H:%M}"


class AccessEvent(models.Model):
    """One gate decision, as it was answered: the access log.

    Append-only and partition-friendly: no foreign-key constraints, so that a
    PostgreSQL deployment can partition it by month on ``at``.
    """

    at = models.DateTimeField(_("time"))
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    access_point = models.ForeignKey(
        AccessPoint,
        verbose_name=_("access point"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    facility_id = models.BigIntegerField(_("facility"), null=True, blank=True)
    port_id = models.BigIntegerField(_("port"))
    zone_id = models.BigIntegerField(_("zone"))
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    credential = models.CharField(_("credential"), max_length=64, blank=True)
    plate = models.CharField(_("plate"), max_length=10, blank=True)
    direction = models.CharField(_("direction"), max_length=3)
    biometric = models.CharField(_("biometric"), max_length=12)
    allowed = models.BooleanField(_("allowed"))
    reasons = models.CharField(_("reasons"), max_length=400, blank=True)
    via = models.CharField(_("via"), max_length=20, blank=True)
    policy_version = models.BigIntegerField(_("policy version"))
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["at"], name="access_event_at_idx"),
            models.Index(fields=["access_point", "at"], name="access_event_point_idx"),
            models.Index(fields=["person", "at"], name="access_event_person_idx"),
            models.Index(
                fields=["facility_id", "at"], name="access_event_facility_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.credential or self.plate} {self.allowed}"

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split(",") if r]


class PolicyChange(models.Model):
    """A change that the gate snapshots of every process must take in.

    Services append a row in the same transaction as the change; each process
    polls for rows after the last it applied and patches its snapshot: only the
    person or vehicle concerned, or everything for a structural change.
    """

    class Scope(models.TextChoices):
        PERSON = "person", _("Person")
        VEHICLE = "vehicle", _("Vehicle")
        ALL = "all", _("Everything")

    at = models.DateTimeField(_("time"), auto_now_add=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    ref = models.CharField(_("reference"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("policy change")
        verbose_name_plural = _("policy changes")

    def __str__(self) -> str:
        return f"#{self.pk} {self.scope} {self.ref}"


class LateBanAlert(models.Model):
    """A ban that arrived for someone a facility had already let in.

    Raised for the PFSO of each facility concerned and for its port security
    officer; the detection module turns these into control-room alerts.
    """

    class Kind(models.TextChoices):
        PASS = "pass", _("Active pass activated here")
        VISIT = "visit", _("Approved or announced visit")
        GRANT = "grant", _("Access grant")

    ban = models.ForeignKey(
        PortBan, verbose_name=_("ban"), on_delete=models.CASCADE, related_name="alerts"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="+"
    )
    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("what was open"), max_length=10, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("late-ban alert")
        verbose_name_plural = _("late-ban alerts")

    def __str__(self) -> str:
        return f"Late ban: {self.person} at {self.facility}"
