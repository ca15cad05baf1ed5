"""Secure container release: releases, transfers, assignments, pick-ups, notifications."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from port2port.core.models import (
    Facility,
    Organisation,
    Person,
    Port,
    TimeStampedModel,
    User,
)
from port2port.release.lights import Lights, commercial_value, lights_compute


class Release(TimeStampedModel):
    """The commercial release of one container, and its chain of custody.

    The shipping agent creates it and names the first holder of the release right.
    The right passes from holder to holder by transfers, each accepted by its
    receiver; ``holder`` is the current one (never empty: exactly one holder at
    any time). The terminal reports discharge and its own release, customs its
    status; the lights follow from those (``port2port.release.lights``).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Released")
        BLOCKED = "blocked", _("Blocked")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        PICKED_UP = "picked_up", _("Picked up")
        GATED_OUT = "gated_out", _("Gated out")
        CLOSED = "closed", _("Closed")

    class CustomsStatus(models.TextChoices):
        NOT_RELEASED = "notreleased", _("Not released")
        SELECTED_FOR_SCAN = "selectedforscan", _("Selected for scan")
        RELEASED = "released", _("Released")
        TRANSHIPMENT = "transhipment", _("Transhipment")
        PORT_EQUALISATION = "portequalisation", _("Port equalisation")
        FAVV = "favv", _("Food-safety control (FASFC)")
        DOCUMENTARY_CONTROL = "documentarycontrol", _("Documentary control")
        PARTIALLY_CLEARED = "partiallycleared", _("Partially cleared")
        GATE_OUT_RECEIVED = "gateoutreceived", _("Gate-out received")

    class Light(models.TextChoices):
        GREEN = "green", _("Green")
        YELLOW = "yellow", _("Yellow")
        RED = "red", _("Red")
        GREY = "grey", _("Waiting")

    class Source(models.TextChoices):
        API = "api", _("API")
        WEB = "web", _("Web form")
        CSV = "csv", _("CSV upload")
        COREOR = "coreor", _("EDIFACT COREOR")

    # The release is open while it can still be picked up.
    OPEN = (Status.ACTIVE, Status.BLOCKED)
    # One container has at most one release in these states (a database constraint).
    LIVE = (Status.ACTIVE, Status.BLOCKED, Status.PICKED_UP)

    public_id = models.UUIDField(
        _("public reference"), default=uuid.uuid4, unique=True, editable=False
    )
    reference = models.CharField(
        _("release reference"),
        max_length=35,
        help_text=_("The shipping agent's identification of the release."),
    )
    container_number = models.CharField(
        _("container number"), max_length=11, help_text="ISO 6346"
    )
    bills_of_lading = models.JSONField(_("bills of lading"), default=list)
    agent = models.ForeignKey(
        Organisation,
        verbose_name=_("shipping agent"),
        on_delete=models.PROTECT,
        related_name="releases_issued",
    )
    carrier = models.ForeignKey(
        Organisation,
        verbose_name=_("carrier"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.PROTECT, related_name="+"
    )
    terminal = models.ForeignKey(
        Facility,
        verbose_name=_("terminal"),
        on_delete=models.PROTECT,
        related_name="releases",
    )
    holder = models.ForeignKey(
        Organisation,
        verbose_name=_("holder of the release right"),
        on_delete=models.PROTECT,
        related_name="releases_held",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    block_reason = models.CharField(
        _("reason for blocking"), max_length=300, blank=True
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    discharged_at = models.DateTimeField(_("discharged"), null=True, blank=True)
    terminal_released_at = models.DateTimeField(
        _("released by the terminal"), null=True, blank=True
    )
    customs_status = models.CharField(
        _("customs status"),
        max_length=20,
        choices=CustomsStatus.choices,
        default=CustomsStatus.NOT_RELEASED,
    )
    light = models.CharField(
        _("lights"), max_length=6, choices=Light.choices, default=Light.RED
    )
    picked_up_at = models.DateTimeField(_("picked up"), null=True, blank=True)
    picked_up_by = models.ForeignKey(
        Person,
        verbose_name=_("picked up by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    gated_out_at = models.DateTimeField(_("gated out"), null=True, blank=True)
    closed_at = models.DateTimeField(_("chain closed"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.API
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("container release")
        verbose_name_plural = _("container releases")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["agent", "reference"], name="release_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["container_number"],
                condition=Q(status__in=["active", "blocked", "picked_up"]),
                name="release_one_live_per_container",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")),
                name="release_validity_window",
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["container_number"], name="release_container_idx"),
            models.Index(fields=["holder", "status"], name="release_holder_idx"),
            models.Index(fields=["terminal", "status"], name="release_terminal_idx"),
            models.Index(fields=["status", "valid_until"], name="release_expiry_idx"),
            models.Index(fields=["closed_at"], name="release_closed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.container_number} ({self.reference})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def lights(self, *, now: Any = None) -> Lights:
        """Return the lights of the release as they stand."""
        now = now or timezone.now()
        return lights_compute(
            commercial=commercial_value(
                status=self.status, expired=self.valid_until <= now
            ),
            discharged=self.discharged_at is not None,
            terminal_released=self.terminal_released_at is not None,
            customs=self.customs_status,
        )


class ReleaseTransfer(models.Model):
    """An offer of the release right from its holder to another party.

    The receiver accepts or denies; the sender can revoke it until it is accepted.
    A release has at most one pending transfer (a database constraint).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DENIED = "denied", _("Denied")
        REVOKED = "revoked", _("Revoked")

    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        on_delete=models.CASCADE,
        related_name="transfers",
    )
    sender = models.ForeignKey(
        Organisation,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="release_transfers_sent",
    )
    receiver = models.ForeignKey(
        Organisation,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="release_transfers_received",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("release-right transfer")
        verbose_name_plural = _("release-right transfers")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["release"],
                condition=Q(state="pending"),
                name="release_one_pending_transfer",
            ),
            models.CheckConstraint(
                condition=~Q(sender=models.F("receiver")),
                name="release_transfer_to_another_party",
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["receiver", "state"], name="transfer_receiver_idx"),
            models.Index(fields=["sender", "state"], name="transfer_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.release} → {self.receiver}"


class DriverAssignment(models.Model):
    """Who will pick the container up: a driver with a port pass, or a barge or train.

    The transport operator holding the release right assigns it; only the driver
    (identified by the person behind the pass) may take the container. For barge
    and rail the operator itself is the final holder and the visit reference
    identifies the pick-up. A release has at most one active assignment.
    """

    class Mode(models.TextChoices):
        TRUCK = "truck", _("Truck")
        BARGE = "barge", _("Barge")
        RAIL = "rail", _("Rail")

    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    transport_operator = models.ForeignKey(
        Organisation,
        verbose_name=_("transport operator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(
        _("mode"), max_length=5, choices=Mode.choices, default=Mode.TRUCK
    )
    driver = models.ForeignKey(
        Person,
        verbose_name=_("driver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="release_assignments",
    )
    pass_number = models.CharField(_("pass number"), max_length=40, blank=True)
    plate = models.CharField(_("plate"), max_length=10, blank=True)
    slot_from = models.DateTimeField(_("slot from"), null=True, blank=True)
    slot_until = models.DateTimeField(_("slot until"), null=True, blank=True)
    visit_reference = models.CharField(
        _("barge or train visit"), max_length=40, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    assigned_by = models.ForeignKey(
        User,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        verbose_name = _("driver assignment")
        verbose_name_plural = _("driver assignments")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["release"],
                condition=Q(active=True),
                name="release_one_active_assignment",
            ),
            models.CheckConstraint(
                condition=Q(mode="truck", driver__isnull=False)
                | (Q(mode__in=["barge", "rail"]) & ~Q(visit_reference="")),
                name="assignment_identifies_the_pickup",
            ),
        ]

    def __str__(self) -> str:
        who = self.driver or self.visit_reference
        return f"{self.release} – {who}"


class PickupAttempt(models.Model):
    """One pick-up check at a terminal gate, as it was answered: the pick-up log."""

    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attempts",
    )
    terminal = models.ForeignKey(
        Facility, verbose_name=_("terminal"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    container_number = models.CharField(_("container number"), max_length=11)
    credential = models.CharField(_("pass"), max_length=64, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    plate = models.CharField(_("plate"), max_length=10, blank=True)
    biometric = models.CharField(_("biometric"), max_length=12)
    visit_reference = models.CharField(_("visit"), max_length=40, blank=True)
    allowed = models.BooleanField(_("allowed"))
    reasons = models.CharField(_("reasons"), max_length=400, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    actor_label = models.CharField(_("asked by"), max_length=150)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("pick-up attempt")
        verbose_name_plural = _("pick-up attempts")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["terminal", "request_id"],
                condition=~Q(request_id=""),
                name="pickup_attempt_idempotent",
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["terminal", "at"], name="pickup_terminal_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.container_number} {self.allowed}"

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split(",") if r]

    @property
    def note_list(self) -> list[str]:
        return [r for r in self.notes.split(",") if r]


class PickupOverride(models.Model):
    """The terminal overruling a pick-up decision, with its written reason.

    The terminal has the final responsibility for letting a container leave: it
    may let it go although the platform refused (or stop it although the platform
    allowed). Every override is audited and shown to police and customs.
    """

    class Decision(models.TextChoices):
        ALLOW = "allow", _("Let the container go")
        DENY = "deny", _("Stop the container")

    attempt = models.ForeignKey(
        PickupAttempt,
        verbose_name=_("attempt"),
        on_delete=models.CASCADE,
        related_name="overrides",
    )
    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        on_delete=models.CASCADE,
        related_name="overrides",
    )
    decision = models.CharField(_("decision"), max_length=5, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("terminal operator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    by = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("terminal override")
        verbose_name_plural = _("terminal overrides")

    def __str__(self) -> str:
        return f"{self.get_decision_display()} – {self.release}"


class ReleaseEvent(models.Model):
    """One step in the timeline of a release: who did what, when, for which organisation."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Released by the shipping agent")
        UPDATED = "updated", _("Release changed")
        BLOCKED = "blocked", _("Blocked")
        UNBLOCKED = "unblocked", _("Unblocked")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        CLOSED = "closed", _("Chain closed")
        TRANSFER_REQUESTED = "transfer_requested", _("Transfer offered")
        TRANSFER_ACCEPTED = "transfer_accepted", _("Transfer accepted")
        TRANSFER_DENIED = "transfer_denied", _("Transfer denied")
        TRANSFER_REVOKED = "transfer_revoked", _("Transfer revoked")
        DRIVER_ASSIGNED = "driver_assigned", _("Driver assigned")
        DISCHARGED = "discharged", _("Discharge reported")
        TERMINAL_RELEASED = "terminal_released", _("Terminal release reported")
        CUSTOMS_STATUS = "customs_status", _("Customs status reported")
        LIGHT_CHANGED = "light_changed", _("Light changed")
        PICKUP_ALLOWED = "pickup_allowed", _("Pick-up allowed")
        PICKUP_REFUSED = "pickup_refused", _("Pick-up refused")
        OVERRIDE = "override", _("Terminal override")
        GATED_OUT = "gated_out", _("Gated out")

    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("who"), max_length=150)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("release event")
        verbose_name_plural = _("release events")
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["release", "at"], name="release_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind}"


class FraudSignal(models.Model):
    """A suspicious pick-up attempt, kept for the detection module and the control room."""

    class Kind(models.TextChoices):
        WRONG_DRIVER = "wrong_driver", _("Driver other than the assigned one")
        WRONG_TERMINAL = "wrong_terminal", _("Pick-up at another terminal")
        BLOCKED_RELEASE = "blocked_release", _("Pick-up of a blocked release")
        BULLETIN_MATCH = "bulletin_match", _("Container named in a bulletin")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signals",
    )
    attempt = models.ForeignKey(
        PickupAttempt,
        verbose_name=_("attempt"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signals",
    )
    terminal = models.ForeignKey(
        Facility, verbose_name=_("terminal"), on_delete=models.PROTECT, related_name="+"
    )
    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.PROTECT, related_name="+"
    )
    container_number = models.CharField(_("container number"), max_length=11)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("fraud signal")
        verbose_name_plural = _("fraud signals")
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["port", "at"], name="fraud_signal_port_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.container_number}"


class ContainerWatch(models.Model):
    """A container number named in a shared security bulletin.

    The sharing module fills this list from its bulletins; a pick-up attempt for a
    listed container becomes a fraud signal.
    """

    container_number = models.CharField(_("container number"), max_length=11)
    reference = models.CharField(_("bulletin reference"), max_length=80)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("listed"), default=timezone.now)

    class Meta:
        ordering = ["container_number"]
        verbose_name = _("watched container")
        verbose_name_plural = _("watched containers")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["container_number", "reference"], name="container_watch_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.container_number} ({self.reference})"


class TerminalContainerStatus(models.Model):
    """What a terminal reported of a container before any release of it existed.

    Containers are often discharged (and released by the terminal) before the
    shipping agent's commercial release: the terminal's report is kept here and
    carried onto the release when it is created at that terminal.
    """

    terminal = models.ForeignKey(
        Facility, verbose_name=_("terminal"), on_delete=models.CASCADE, related_name="+"
    )
    container_number = models.CharField(_("container number"), max_length=11)
    discharged_at = models.DateTimeField(_("discharged"), null=True, blank=True)
    terminal_released_at = models.DateTimeField(
        _("released by the terminal"), null=True, blank=True
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    reported_by = models.CharField(_("reported by"), max_length=150)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("container status reported before its release")
        verbose_name_plural = _("container statuses reported before their release")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["terminal", "container_number"],
                name="terminal_container_status_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.container_number} at {self.terminal_id}"


class WebhookSubscription(TimeStampedModel):
    """Where an organisation wants the events of the releases it is party to.

    The secret signs every notification (HMAC-SHA256); it is shown once when the
    subscription is created. ``events`` lists the event types wanted (empty: all).
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    events = models.JSONField(_("events"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.organisation} → {self.url}"

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one subscription, with its retries.

    ``event_id`` is the same for every attempt and unique per subscription, so
    that the same event is never queued twice and a receiver can ignore repeats.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event"), max_length=40)
    release = models.ForeignKey(
        Release,
        verbose_name=_("release"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last answer"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once"
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.subscription_id}"
