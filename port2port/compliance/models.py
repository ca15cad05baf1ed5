"""Training courses and records.

The ISPS compliance module (levels, plans, inspections, drills) builds on these;
the access engine reads them now for its training requirements.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from port2port.core.models import Organisation, Person, TimeStampedModel


class Course(TimeStampedModel):
    """A training course that zones, roles or ports can make mandatory."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), default=36, help_text=_("0: does not expire")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


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

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        indexes: ClassVar[list[Any]] = [
            models.Index(
                fields=["person", "course"], name="training_person_course_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.course.code}"
