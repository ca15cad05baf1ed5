"""ISPS compliance: security levels, assessments and plans, inspections, drills and
exercises, training, Declarations of Security and pre-arrival information.

Training courses and records were the first part; the access engine reads them
for its training requirements (``person_id``, ``course__code``, ``expires_on``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from port2port.core.models import (
    Facility,
    Organisation,
    Person,
    Port,
    SecurityLevel,
    TimeStampedModel,
    User,
    Zone,
)

# Training -------------------------------------------------------------------------------


class Course(TimeStampedModel):
    """A training course that zones, roles or ports can make mandatory."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), default=36, help_text=_("0: does not expire")
    )
    description = models.TextField(_("description"), blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TrainingImport(models.Model):
    """One CSV file of training records from a provider, with a result per row."""

    uploaded_by = models.ForeignKey(
        User,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("training provider"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=200)
    at = models.DateTimeField(_("time"))
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_imported = models.PositiveIntegerField(_("imported"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    results = models.JSONField(_("results per row"), default=list)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("training import")
        verbose_name_plural = _("training imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.at:%Y-%m-%d %H:%M})"


class TrainingRecord(TimeStampedModel):
    """That a person completed a course, and until when it counts."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="trainings",
    )
    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("training provider"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    certificate = models.CharField(_("certificate number"), max_length=60, blank=True)
    imported_by = models.ForeignKey(
        TrainingImport,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
    )

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        indexes: ClassVar[list[Any]] = [
            models.Index(
                fields=["person", "course"], name="training_person_course_idx"
            ),
            models.Index(fields=["expires_on"], name="training_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.course.code}"


class TrainingRule(TimeStampedModel):
    """A rule that makes a course mandatory for a group of people.

    The group is narrowed by every field that is set: the staff of organisations
    active in a port, the holders of a platform role, the staff of organisations
    of a kind (security companies), the people with an access right to a zone. A
    zone rule is also written into the zone's access policy, so that the gates
    refuse whoever lacks the course.
    """

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="rules",
    )
    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("platform role"), max_length=30, blank=True)
    organisation_role = models.CharField(
        _("kind of organisation"), max_length=30, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["course__code", "pk"]
        verbose_name = _("training rule")
        verbose_name_plural = _("training rules")

    def __str__(self) -> str:
        return f"{self.course.code}: {self.describe()}"

    def describe(self) -> str:
        """Return who the rule applies to, in words."""
        from port2port.core.models import Role

        parts = []
        if self.role:
            parts.append(str(dict(Role.choices).get(self.role, self.role)))
        if self.organisation_role:
            labels = dict(Organisation.Role.choices)
            parts.append(
                str(labels.get(self.organisation_role, self.organisation_role))
            )
        if self.zone_id:
            parts.append(str(_("zone %(name)s") % {"name": self.zone}))
        if self.port is not None:
            parts.append(str(_("port %(locode)s") % {"locode": self.port.locode}))
        return " · ".join(parts) or str(_("everyone"))


# Security levels ----------------------------------------------------------------------


class SecurityLevelChange(models.Model):
    """A security level set for a port or one facility, with its reason and validity.

    The registry keeps the level in force (``Port.security_level``,
    ``Facility.security_level``), which the access engine reads; these rows are
    its history. A change ends when another replaces it or its validity lapses.
    """

    class End(models.TextChoices):
        SUPERSEDED = "superseded", _("Replaced by a later change")
        LAPSED = "lapsed", _("Validity ended")

    port = models.ForeignKey(
        Port,
        verbose_name=_("port"),
        on_delete=models.PROTECT,
        related_name="level_changes",
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="level_changes",
    )
    level = models.PositiveSmallIntegerField(
        _("security level"), choices=SecurityLevel.choices
    )
    previous_level = models.PositiveSmallIntegerField(
        _("previous level"), choices=SecurityLevel.choices, null=True, blank=True
    )
    reason = models.TextField(_("reason"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    set_by = models.ForeignKey(
        User,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_by_label = models.CharField(_("set by"), max_length=150)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end = models.CharField(
        _("how it ended"), max_length=12, choices=End.choices, blank=True
    )

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("security level change")
        verbose_name_plural = _("security level changes")
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3),
                name="level_change_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility or self.port}: {self.level}"

    @property
    def target_name(self) -> str:
        return str(self.facility or self.port)


class LevelAcknowledgement(models.Model):
    """That the PFSO of a facility has taken note of a security level change."""

    change = models.ForeignKey(
        SecurityLevelChange,
        verbose_name=_("change"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        related_name="level_acknowledgements",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["change", "facility__name"]
        verbose_name = _("level acknowledgement")
        verbose_name_plural = _("level acknowledgements")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["change", "facility"], name="level_ack_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change} – {self.facility}"


# Facility profile, assessments, plans and certificates -------------------------------


class FacilityProfile(TimeStampedModel):
    """What the compliance module keeps about a facility: its risk."""

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    facility = models.OneToOneField(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        related_name="compliance_profile",
    )
    risk = models.CharField(
        _("risk"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM
    )
    risk_note = models.CharField(_("why this risk"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("facility profile")
        verbose_name_plural = _("facility profiles")

    def __str__(self) -> str:
        return f"{self.facility}: {self.risk}"


class SecurityDocument(TimeStampedModel):
    """A facility's security assessment (PFSA) or plan (PFSP), across its versions."""

    class Kind(models.TextChoices):
        PFSA = "pfsa", _("Port facility security assessment")
        PFSP = "pfsp", _("Port facility security plan")

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="security_documents",
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    last_approved_on = models.DateField(_("last approved"), null=True, blank=True)
    major_change_on = models.DateField(_("major change on"), null=True, blank=True)
    major_change_reason = models.TextField(_("major change"), blank=True)
    review_due_on = models.DateField(_("review due"), null=True, blank=True)

    class Meta:
        ordering = ["facility__name", "kind"]
        verbose_name = _("security document")
        verbose_name_plural = _("security documents")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["facility", "kind"], name="security_document_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind.upper()} {self.facility}"


class DocumentVersion(models.Model):
    """One version of an assessment or plan: a file, a structured summary, a workflow.

    The PFSO drafts and submits it; the port's local committee (LCMB) gives its
    advice; the national authority (NAMB) approves or rejects it. Approving a plan
    issues the facility's certificate.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for the LCMB's advice")
        ADVISED = "advised", _("Waiting for the NAMB's decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    class Advice(models.TextChoices):
        FAVOURABLE = "favourable", _("Favourable")
        UNFAVOURABLE = "unfavourable", _("Unfavourable")

    document = models.ForeignKey(
        SecurityDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    file = models.FileField(_("file"), upload_to="compliance/documents/")
    file_name = models.CharField(_("file name"), max_length=200)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    summary = models.JSONField(_("summary"), default=dict)
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("drafted by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    advice = models.CharField(
        _("LCMB advice"), max_length=12, choices=Advice.choices, blank=True
    )
    advice_text = models.TextField(_("LCMB advice text"), blank=True)
    advised_at = models.DateTimeField(_("advised"), null=True, blank=True)
    advised_by = models.ForeignKey(
        User,
        verbose_name=_("advised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["document", "number"], name="document_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class Certificate(models.Model):
    """A facility's statement of compliance, issued on the approval of its plan."""

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    version = models.OneToOneField(
        DocumentVersion,
        verbose_name=_("approved plan"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number


# Inspections ---------------------------------------------------------------------------


class ChecklistTemplate(models.Model):
    """A version of an inspection checklist; a new version is a new row."""

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sources = models.JSONField(_("sources"), default=list)
    active = models.BooleanField(_("offered for new inspections"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["code", "version"], name="checklist_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class ChecklistItem(models.Model):
    """One question of a checklist, with the clause it comes from."""

    class AnswerType(models.TextChoices):
        YES_NO_NA = "yes_no_na", _("Yes / no / not applicable")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Text")
        PHOTO = "photo", _("Photo")

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveIntegerField(_("position"))
    section = models.CharField(_("section"), max_length=120)
    text = models.TextField(_("question"))
    guidance = models.TextField(_("guidance"), blank=True)
    source = models.CharField(_("source"), max_length=200)
    answer_type = models.CharField(
        _("answer type"), max_length=10, choices=AnswerType.choices
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["template", "key"], name="checklist_item_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text[:60]}"


class Inspection(TimeStampedModel):
    """An inspection of a facility by an LCMB or NAMB inspector."""

    class Kind(models.TextChoices):
        ANNOUNCED = "announced", _("Announced")
        UNANNOUNCED = "unannounced", _("Unannounced")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant")
        MINOR = "minor", _("Minor shortcomings")
        MAJOR = "major", _("Major shortcomings")
        CRITICAL = "critical", _("Critical shortcomings")

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    planned_on = models.DateField(_("planned on"))
    inspector = models.ForeignKey(
        User,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("planned by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["facility", "status"], name="inspection_fac_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.planned_on:%Y-%m-%d}"


class Answer(models.Model):
    """The answer to one checklist item in one inspection.

    One row per item: saving again replaces it, and a save older (by the time the
    inspector made it on the device) than the stored one is ignored, so that a
    queue of saves replayed after a lost connection ends in the latest answer.
    """

    class Choice(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NA = "na", _("Not applicable")

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    choice = models.CharField(
        _("answer"), max_length=3, choices=Choice.choices, blank=True
    )
    number = models.DecimalField(
        _("number"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    text = models.TextField(_("text"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    client_saved_at = models.DateTimeField(_("made on the device at"))
    saved_at = models.DateTimeField(_("saved"))
    saved_by = models.ForeignKey(
        User,
        verbose_name=_("saved by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        ordering = ["inspection", "item__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["inspection", "item"], name="answer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} {self.item.key}"


class InspectionPhoto(models.Model):
    """A photo taken during an inspection; the device's id makes uploads idempotent."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    client_id = models.UUIDField(_("device reference"))
    file = models.FileField(_("file"), upload_to="compliance/photos/")
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        User,
        verbose_name=_("taken by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["inspection", "client_id"], name="photo_client_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} photo {self.pk}"


class Finding(TimeStampedModel):
    """A shortcoming found in an inspection, followed up until the inspector closes it.

    The facility answers with a corrective action plan (what, who, by when), then
    reports progress and evidence; only an inspector closes the finding.
    """

    class Severity(models.TextChoices):
        OBSERVATION = "observation", _("Observation")
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an action plan")
        PLANNED = "planned", _("Action planned")
        EVIDENCE = "evidence", _("Evidence submitted")
        CLOSED = "closed", _("Closed")

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.PositiveIntegerField(_("number"))
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    description = models.TextField(_("description"))
    source = models.CharField(_("requirement"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    action = models.TextField(_("corrective action"), blank=True)
    action_owner = models.CharField(_("action owner"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("found by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["inspection", "number"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["inspection", "number"], name="finding_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} #{self.number}"


class FindingUpdate(models.Model):
    """One step in the follow-up of a finding: a plan, progress, evidence, closure."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Action plan")
        PROGRESS = "progress", _("Progress")
        EVIDENCE = "evidence", _("Evidence")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"))
    file = models.FileField(
        _("file"),
        upload_to="compliance/evidence/",
        blank=True,
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    author = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("finding update")
        verbose_name_plural = _("finding updates")

    def __str__(self) -> str:
        return f"{self.finding} {self.kind}"


# Drills and exercises ---------------------------------------------------------------


class Scenario(models.Model):
    """A drill or exercise scenario of the library, written by us."""

    class Kind(models.TextChoices):
        DRILL = "drill", _("Drill")
        EXERCISE = "exercise", _("Exercise")

    class Threat(models.TextChoices):
        INTRUSION = "intrusion", _("Intrusion")
        UNAUTHORISED_ACCESS = "unauthorised_access", _("Unauthorised access")
        SUSPICIOUS_PACKAGE = "suspicious_package", _("Suspicious package")
        BOMB_THREAT = "bomb_threat", _("Bomb threat")
        DRUG_SMUGGLING = "drug_smuggling", _("Drug smuggling via a container")
        INSIDER = "insider", _("Insider recruitment attempt")
        CYBER = "cyber", _("Cyber incident at a terminal")
        LEVEL_CHANGE = "level_change", _("Security level change")
        SMALL_CRAFT = "small_craft", _("Small craft approach")
        COMMUNICATION = "communication", _("Alarm and communication")

    code = models.CharField(_("code"), max_length=10, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    threat = models.CharField(_("threat"), max_length=24, choices=Threat.choices)
    summary = models.TextField(_("summary"))
    objectives = models.JSONField(_("objectives"), default=list)
    participants = models.JSONField(_("participants"), default=list)
    injects = models.JSONField(_("injects"), default=list)
    expected_actions = models.JSONField(_("expected actions"), default=list)
    evaluation_criteria = models.JSONField(_("evaluation criteria"), default=list)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    references = models.JSONField(_("references"), default=list)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Exercise(TimeStampedModel):
    """A drill or an exercise, for one facility or several (port-wide, cross-border)."""

    class Kind(models.TextChoices):
        DRILL = "drill", _("Drill")
        EXERCISE = "exercise", _("Exercise")

    class Format(models.TextChoices):
        DRILL = "drill", _("Drill")
        TABLETOP = "tabletop", _("Tabletop")
        LIVE = "live", _("Live (field)")
        COMMAND_POST = "command_post", _("Command post")
        SEMINAR = "seminar", _("Seminar")
        COMBINED = "combined", _("Combined with another exercise")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=14, choices=Format.choices)
    scenario = models.ForeignKey(
        Scenario,
        verbose_name=_("scenario"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exercises",
    )
    title = models.CharField(_("title"), max_length=200)
    port = models.ForeignKey(
        Port,
        verbose_name=_("lead port"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    facilities = models.ManyToManyField(
        Facility, verbose_name=_("facilities"), related_name="exercises"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    planned_on = models.DateField(_("planned on"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    exercise_mode = models.BooleanField(
        _("run on the live picture (exercise mode)"), default=False
    )
    notes = models.TextField(_("notes"), blank=True)
    organiser = models.ForeignKey(
        User,
        verbose_name=_("organiser"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("drill or exercise")
        verbose_name_plural = _("drills and exercises")

    def __str__(self) -> str:
        return self.title


class AfterActionReport(models.Model):
    """What a drill or exercise showed, shared with the port's local committee."""

    exercise = models.OneToOneField(
        Exercise,
        verbose_name=_("drill or exercise"),
        on_delete=models.CASCADE,
        related_name="report",
    )
    summary = models.TextField(_("summary"))
    went_well = models.TextField(_("what went well"), blank=True)
    lessons = models.TextField(_("lessons learned"))
    actions = models.TextField(_("corrective actions"), blank=True)
    # Filled in by exercise mode (the detection module) when the scenario ran on
    # the live picture; empty otherwise.
    detection_seconds = models.PositiveIntegerField(
        _("time to detect (s)"), null=True, blank=True
    )
    response_seconds = models.PositiveIntegerField(
        _("time to respond (s)"), null=True, blank=True
    )
    written_by = models.ForeignKey(
        User,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written"))
    shared_at = models.DateTimeField(_("shared with the LCMB"), null=True, blank=True)
    shared_by = models.ForeignKey(
        User,
        verbose_name=_("shared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("after-action report")
        verbose_name_plural = _("after-action reports")

    def __str__(self) -> str:
        return f"{self.exercise}"


# Ships: Declarations of Security and pre-arrival information -----------------------


class DeclarationOfSecurity(TimeStampedModel):
    """An agreement between a ship and a facility on who does what for security.

    The facility's PFSO signs in the platform; the master or ship security officer
    signs on paper or on board, and the PFSO records that signature.
    """

    class Reason(models.TextChoices):
        SHIP_HIGHER_LEVEL = (
            "ship_higher_level",
            _("The ship operates at a higher level"),
        )
        AGREEMENT = "agreement", _("Agreement between governments")
        THREAT = "threat", _("Security threat or incident")
        NO_PLAN = "no_plan", _("Port without an approved plan")
        SHIP_TO_SHIP = "ship_to_ship", _("Ship-to-ship activity")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for signatures")
        SIGNED = "signed", _("Signed by both")
        CANCELLED = "cancelled", _("Cancelled")

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    ship_name = models.CharField(_("ship"), max_length=70)
    imo = models.CharField(_("IMO number"), max_length=7)
    flag = models.CharField(_("flag"), max_length=2)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    ship_level = models.PositiveSmallIntegerField(
        _("ship's security level"), choices=SecurityLevel.choices
    )
    facility_level = models.PositiveSmallIntegerField(
        _("facility's security level"), choices=SecurityLevel.choices
    )
    activities = models.JSONField(_("activities"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    ship_signatory = models.CharField(_("ship's signatory"), max_length=150, blank=True)
    ship_signatory_capacity = models.CharField(_("capacity"), max_length=60, blank=True)
    ship_signed_at = models.DateTimeField(_("ship signed"), null=True, blank=True)
    facility_signatory = models.ForeignKey(
        User,
        verbose_name=_("facility's signatory"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    facility_signatory_name = models.CharField(
        _("facility's signatory"), max_length=150, blank=True
    )
    facility_signed_at = models.DateTimeField(
        _("facility signed"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("Declaration of Security")
        verbose_name_plural = _("Declarations of Security")

    def __str__(self) -> str:
        return f"{self.ship_name} – {self.facility}"


class ShipCall(TimeStampedModel):
    """A ship's call at a facility and its pre-arrival security information.

    The information is due 24 hours before the estimated arrival. A call whose
    information is late or missing is flagged once to the facility's PFSO and the
    port's security officer.
    """

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="ship_calls",
    )
    ship_name = models.CharField(_("ship"), max_length=70)
    imo = models.CharField(_("IMO number"), max_length=7)
    mmsi = models.CharField(_("MMSI"), max_length=9)
    call_sign = models.CharField(_("call sign"), max_length=7, blank=True)
    flag = models.CharField(_("flag"), max_length=2, blank=True)
    eta = models.DateTimeField(_("estimated arrival"))
    agent = models.ForeignKey(
        Organisation,
        verbose_name=_("shipping agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The pre-arrival security information, once received.
    received_at = models.DateTimeField(_("information received"), null=True, blank=True)
    issc_number = models.CharField(_("ISSC number"), max_length=40, blank=True)
    issc_issuer = models.CharField(_("ISSC issued by"), max_length=120, blank=True)
    issc_expires_on = models.DateField(_("ISSC expires on"), null=True, blank=True)
    ship_level = models.PositiveSmallIntegerField(
        _("ship's security level"),
        choices=SecurityLevel.choices,
        null=True,
        blank=True,
    )
    sso_contact = models.CharField(
        _("ship security officer"), max_length=200, blank=True
    )
    port_calls = models.JSONField(_("last 10 port calls"), default=list)
    special_measures = models.TextField(_("special measures"), blank=True)
    flagged_at = models.DateTimeField(_("flagged"), null=True, blank=True)
    flag_state = models.CharField(_("flagged as"), max_length=10, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["eta"]
        verbose_name = _("ship call")
        verbose_name_plural = _("ship calls")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["facility", "imo", "eta"], name="ship_call_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ship_name} ({self.imo}) {self.eta:%Y-%m-%d %H:%M}"


# Reminders -----------------------------------------------------------------------------


class Reminder(models.Model):
    """Something that falls due soon or is late, told once to one user.

    ``key`` names the duty and its due date, so that running the reminders again
    tells nobody twice; a new due date is a new reminder.
    """

    class Kind(models.TextChoices):
        LEVEL = "level", _("Security level to acknowledge")
        REVIEW = "review", _("Assessment or plan review")
        CERTIFICATE = "certificate", _("Certificate expiry")
        DRILL = "drill", _("Drill")
        EXERCISE = "exercise", _("Exercise")
        INSPECTION = "inspection", _("Inspection")
        FINDING = "finding", _("Corrective action deadline")
        TRAINING = "training", _("Training expiry")
        PRE_ARRIVAL = "pre_arrival", _("Pre-arrival information")

    recipient = models.ForeignKey(
        User,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="compliance_reminders",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200)
    message = models.CharField(_("message"), max_length=300)
    due_on = models.DateField(_("due on"))
    late = models.BooleanField(_("late"), default=False)
    link = models.CharField(_("link"), max_length=200, blank=True)
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="reminder_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.message}"
