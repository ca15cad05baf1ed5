"""The national registry, accounts and scopes, API tokens and the audit trail."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Add creation and last-change times to a model."""

    created_at = models.DateTimeField(
        _("created"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class SecurityLevel(models.IntegerChoices):
    NORMAL = 1, _("1 – normal")
    HEIGHTENED = 2, _("2 – heightened")
    EXCEPTIONAL = 3, _("3 – exceptional")


class Committee(TimeStampedModel):
    """A security committee: a local committee (LCMB), the national authority or another group.

    The ``sharing`` app adds members, meetings and documents; the registry needs the
    committee itself because every port belongs to one local committee.
    """

    class Kind(models.TextChoices):
        LCMB = "lcmb", _("Local committee for maritime security")
        NAMB = "namb", _("National authority for maritime security")
        THINK_TANK = "think_tank", _("Security think tank")
        TASKFORCE = "taskforce", _("Taskforce")
        STEERING = "steering", _("Steering committee")
        OTHER = "other", _("Other group")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name


class Region(models.TextChoices):
    FLANDERS = "BE-VLG", _("Flanders")
    WALLONIA = "BE-WAL", _("Wallonia")
    BRUSSELS = "BE-BRU", _("Brussels")


class Port(TimeStampedModel):
    """A sea or inland port, identified by its UN/LOCODE."""

    class Kind(models.TextChoices):
        SEAPORT = "seaport", _("Seaport")
        INLAND = "inland", _("Inland port")

    locode = models.CharField(_("UN/LOCODE"), max_length=5, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("local committee"),
        on_delete=models.PROTECT,
        related_name="ports",
        null=True,
        blank=True,
    )
    centre = models.JSONField(_("centre point"), help_text=_("GeoJSON Point"))
    boundary = models.JSONField(
        _("boundary"), null=True, blank=True, help_text=_("GeoJSON Polygon")
    )
    security_level = models.PositiveSmallIntegerField(
        _("security level"), choices=SecurityLevel.choices, default=SecurityLevel.NORMAL
    )
    region = models.CharField(
        _("region"),
        max_length=6,
        choices=Region.choices,
        default=Region.FLANDERS,
        help_text=_("Decides which public holidays apply to schedules."),
    )

    class Meta:
        ordering = ["locode"]
        verbose_name = _("port")
        verbose_name_plural = _("ports")
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(security_level__gte=1, security_level__lte=3),
                name="port_security_level_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.locode})"

    @property
    def name(self) -> str:
        """Return the name in the active language."""
        language = (get_language() or "en")[:2]
        return str(getattr(self, f"name_{language}", "") or self.name_en)


class Organisation(TimeStampedModel):
    """A company or authority that works in one or more ports."""

    class Role(models.TextChoices):
        TERMINAL_OPERATOR = "terminal_operator", _("Terminal operator")
        SHIPPING_AGENT = "shipping_agent", _("Shipping agent")
        FORWARDER = "forwarder", _("Forwarder")
        TRANSPORT_OPERATOR = "transport_operator", _("Transport operator")
        SECURITY_COMPANY = "security_company", _("Security company")
        PORT_AUTHORITY = "port_authority", _("Port authority")
        POLICE = "police", _("Police")
        CUSTOMS = "customs", _("Customs")
        OTHER_AUTHORITY = "other_authority", _("Other authority")

    name = models.CharField(_("name"), max_length=200)
    kbo_number = models.CharField(
        _("enterprise number (KBO/BCE)"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
    )
    eori = models.CharField(_("EORI number"), max_length=17, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    ports = models.ManyToManyField(
        Port,
        verbose_name=_("active in ports"),
        related_name="organisations",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def vat_number(self) -> str:
        return f"BE{self.kbo_number}" if self.kbo_number else ""

    def role_labels(self) -> list[str]:
        labels = dict(self.Role.choices)
        return [str(labels.get(role, role)) for role in self.roles]


class Facility(TimeStampedModel):
    """A port facility (ISPS or not) inside a port."""

    class Kind(models.TextChoices):
        CONTAINER = "container", _("Container terminal")
        RORO = "roro", _("Ro-ro terminal")
        LIQUID_BULK = "liquid_bulk", _("Liquid bulk")
        DRY_BULK = "dry_bulk", _("Dry bulk")
        CRUISE = "cruise", _("Cruise terminal")
        LOCK = "lock", _("Lock")
        INLAND = "inland", _("Inland terminal")
        OTHER = "other", _("Other")

    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.PROTECT,
        related_name="facilities",
    )
    code = models.CharField(
        _("identifier"),
        max_length=40,
        help_text=_("The facility's identifier, e.g. its IMO GISIS number."),
    )
    name = models.CharField(_("name"), max_length=200)
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="facilities",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    isps = models.BooleanField(_("ISPS facility"), default=True)
    pfso = models.ForeignKey(
        "Person",
        verbose_name=_("PFSO"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pfso_of",
    )
    boundary = models.JSONField(_("boundary"), help_text=_("GeoJSON Polygon"))
    security_level = models.PositiveSmallIntegerField(
        _("security level"),
        choices=SecurityLevel.choices,
        null=True,
        blank=True,
        help_text=_("Empty: the port's level applies."),
    )

    class Meta:
        ordering = ["port__locode", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["port", "code"], name="facility_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_security_level(self) -> int:
        """Return the facility's own level, or the port's when it has none."""
        return max(self.security_level or 1, self.port.security_level)


class Zone(TimeStampedModel):
    """An area of a facility or port with its own access regime."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public")
        CONTROLLED = "controlled", _("Controlled")
        RESTRICTED = "restricted", _("Restricted")

    port = models.ForeignKey(
        Port, verbose_name=_("port"), on_delete=models.PROTECT, related_name="zones"
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="zones",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    boundary = models.JSONField(_("boundary"), help_text=_("GeoJSON Polygon"))

    class Meta:
        ordering = ["port__locode", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class AccessPoint(TimeStampedModel):
    """A gate, door, turnstile, lane, rail gate or quay access into a zone."""

    class Kind(models.TextChoices):
        GATE = "gate", _("Gate")
        DOOR = "door", _("Door")
        TURNSTILE = "turnstile", _("Turnstile")
        VEHICLE_LANE = "vehicle_lane", _("Vehicle lane")
        RAIL_GATE = "rail_gate", _("Rail gate")
        QUAY_ACCESS = "quay_access", _("Quay access")

    class Direction(models.TextChoices):
        IN = "in", _("Entry")
        OUT = "out", _("Exit")
        BOTH = "both", _("Entry and exit")

    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        on_delete=models.PROTECT,
        related_name="access_points",
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.BOTH
    )
    location = models.JSONField(_("location"), help_text=_("GeoJSON Point"))

    class Meta:
        ordering = ["zone__port__locode", "code"]
        verbose_name = _("access point")
        verbose_name_plural = _("access points")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["zone", "code"], name="access_point_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Device(TimeStampedModel):
    """A reader or camera mounted at an access point."""

    class Kind(models.TextChoices):
        BADGE_READER = "badge_reader", _("Badge reader")
        BIOMETRIC_READER = "biometric_reader", _("Biometric reader")
        ANPR_CAMERA = "anpr_camera", _("ANPR camera")

    access_point = models.ForeignKey(
        AccessPoint,
        verbose_name=_("access point"),
        on_delete=models.CASCADE,
        related_name="devices",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    serial = models.CharField(_("serial number"), max_length=80, unique=True)

    class Meta:
        ordering = ["serial"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


class Person(TimeStampedModel):
    """A person known to the platform: worker, driver, visitor or officer.

    The national register number is never stored: only a keyed hash (HMAC-SHA256
    with ``P2P_IDENTITY_HASH_KEY``), enough to find the same person again and
    useless without the key.
    """

    class DocumentType(models.TextChoices):
        ID_CARD = "id_card", _("Identity card")
        PASSPORT = "passport", _("Passport")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        DRIVING_LICENCE = "driving_licence", _("Driving licence")
        SEAFARER = "seafarer", _("Seafarer's identity document")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    nationality = models.CharField(
        _("nationality"), max_length=2, help_text="ISO 3166-1"
    )
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="employees",
        null=True,
        blank=True,
    )
    document_type = models.CharField(
        _("identity document"), max_length=20, choices=DocumentType.choices
    )
    document_number = models.CharField(_("document number"), max_length=40)
    national_register_hash = models.CharField(
        _("national register number (keyed hash)"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Vehicle(TimeStampedModel):
    """A vehicle known by its number plate."""

    class Kind(models.TextChoices):
        TRUCK = "truck", _("Truck")
        VAN = "van", _("Van")
        CAR = "car", _("Car")
        TRAILER = "trailer", _("Trailer")
        OTHER = "other", _("Other")

    plate = models.CharField(_("plate"), max_length=10, help_text=_("As ANPR reads it"))
    country = models.CharField(_("country"), max_length=2, default="BE")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="vehicles",
    )

    class Meta:
        ordering = ["plate"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["country", "plate"], name="vehicle_plate_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.plate_display

    @property
    def plate_display(self) -> str:
        from port2port.lib.identifiers import plate_display

        return plate_display(self.plate, country=self.country)


class Clearance(models.IntegerChoices):
    NONE = 0, _("None")
    CONFIDENTIAL = 1, _("Confidential")
    SECRET = 2, _("Secret")


class User(AbstractUser):
    """An account; what it may do comes from its memberships."""

    clearance = models.PositiveSmallIntegerField(
        _("security clearance"), choices=Clearance.choices, default=Clearance.NONE
    )
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
    )
    language = models.CharField(_("language"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    """What a member may do, and which kind of scope the role takes."""

    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    NATIONAL_AUTHORITY = "national_authority", _("National authority")
    PORT_SECURITY_OFFICER = "port_security_officer", _("Port security officer")
    PFSO = "pfso", _("Port facility security officer")
    CONTROL_ROOM_OPERATOR = "control_room_operator", _("Control-room operator")
    GATE_OPERATOR = "gate_operator", _("Gate operator")
    COMPANY_ADMIN = "company_admin", _("Company administrator")
    TRANSPORT_DISPATCHER = "transport_dispatcher", _("Transport dispatcher")
    REPORT_HANDLER = "report_handler", _("Report handler")
    INSPECTOR = "inspector", _("Inspector")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    JUDICIAL_AUTHORITY = "judicial_authority", _("Judicial authority")


# The kind of scope each role is granted for.
PORT_ROLES = frozenset(
    {Role.PORT_SECURITY_OFFICER, Role.CONTROL_ROOM_OPERATOR, Role.INSPECTOR}
)
FACILITY_ROLES = frozenset({Role.PFSO, Role.GATE_OPERATOR})
NATIONAL_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.NATIONAL_AUTHORITY})


class Membership(TimeStampedModel):
    """A user's role in an organisation, limited to a port or a facility where the role asks.

    A port security officer, control-room operator or inspector works for one port
    (an inspector without a port is national); a PFSO or gate operator for one
    facility; the other roles act for their organisation.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "port", "facility"],
                name="membership_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.facility or self.port or self.organisation
        return f"{self.user} – {self.get_role_display()} – {where}"


class ApiToken(models.Model):
    """A secret for a device or an integration, acting for one organisation.

    Only the SHA-256 of the secret is stored; the secret is shown once. The
    token's reach is its organisation (or one of its facilities) and its
    permissions.
    """

    class Permission(models.TextChoices):
        REGISTRY_READ = "registry:read", _("Read the registry")
        REGISTRY_WRITE = "registry:write", _("Change the registry")
        AUDIT_READ = "audit:read", _("Read the audit trail")
        GATE_DECIDE = "gate:decide", _("Ask for gate decisions (gate controllers)")
        EVENTS_WRITE = "events:write", _("Send detection events (sensors)")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    permissions = models.JSONField(_("permissions"), default=list)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEntry(models.Model):
    """One link of the append-only, hash-chained audit trail.

    ``hash`` is the SHA-256 of the previous entry's hash and the canonical JSON of
    this entry's fields; ``port2port audit verify`` recomputes the chain. The scope
    columns (port, facility, organisation) decide who may read the entry.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    port_id = models.BigIntegerField(_("port"), null=True, blank=True, db_index=True)
    facility_id = models.BigIntegerField(_("facility"), null=True, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    details = models.TextField(_("details"), help_text=_("Canonical JSON"))
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class WorkerHeartbeat(models.Model):
    """The last time each background worker reported that it is alive."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class PeriodicJob(models.Model):
    """The last run of one periodic job (see ``port2port.core.periodic``).

    A worker runs a job only after claiming this row with a conditional update
    of ``started_at``, so that several workers never run it twice in one interval.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    succeeded = models.BooleanField(_("last run succeeded"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    runs = models.PositiveBigIntegerField(_("runs"), default=0)
    worker = models.CharField(_("last worker"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name
