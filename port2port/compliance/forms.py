"""Forms of the compliance pages.

They only check the shape of the input; the services decide whether a change is
allowed and answer with ``ApplicationError``s, which the views show on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from port2port.compliance.models import (
    ChecklistTemplate,
    Course,
    DeclarationOfSecurity,
    Exercise,
    FacilityProfile,
    Finding,
    Inspection,
    Scenario,
    SecurityDocument,
)
from port2port.core.errors import ApplicationError
from port2port.core.models import (
    Facility,
    Organisation,
    Port,
    Role,
    SecurityLevel,
    Zone,
)


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _datetime(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )


def _text(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def form_add_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: on its fields, or above them."""
    placed = False
    for name, messages in error.fields.items():
        field = name.split(".")[0]
        if field in form.fields:
            form.add_error(field, ValidationError(error.message))
            placed = True
            del messages
            break
    if not placed:
        form.add_error(None, ValidationError(error.message))


LEVEL_CHOICES = [(v, label) for v, label in SecurityLevel.choices]


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Security level"), choices=LEVEL_CHOICES, coerce=int
    )
    reason = _text(_("Reason"))
    valid_until = _datetime(_("Valid until"), required=False)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=SecurityDocument.Kind.choices)
    file = forms.FileField(label=_("File (PDF, DOCX, ODT)"))
    note = _text(_("What changed"), required=False, rows=2)


# The structured summary's parts, with their labels (ISPS B/15.3 and B/16.3).
SUMMARY_LABELS = {
    "physical_security": _("Physical security"),
    "structural_integrity": _("Structural integrity"),
    "personnel_protection": _("Personnel protection systems"),
    "procedures": _("Procedural policies"),
    "communications_and_it": _("Radio, telecommunication and computer systems"),
    "transport_infrastructure": _("Transport infrastructure"),
    "utilities": _("Utilities"),
    "other_risks": _("Other areas that could pose a risk"),
    "conclusion": _("Conclusion"),
    "organisation": _("Security organisation"),
    "authorities_and_communication": _("Links with authorities and communication"),
    "level_1_measures": _("Level 1 measures"),
    "level_2_3_measures": _("Additional measures for levels 2 and 3"),
    "review_and_audit": _("Review and audit"),
    "reporting": _("Reporting procedures"),
}


class SummaryForm(forms.Form):
    """The structured summary of a PFSA or PFSP, one text per part."""

    def __init__(self, *args: Any, parts: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in parts:
            self.fields[name] = _text(SUMMARY_LABELS[name], required=False, rows=2)


class AdviceForm(forms.Form):
    favourable = forms.TypedChoiceField(
        label=_("Advice"),
        choices=[("1", _("Favourable")), ("0", _("Unfavourable"))],
        coerce=lambda v: v == "1",
    )
    text = _text(_("Advice text"))


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
    )
    note = _text(_("Note"), required=False)


class ReasonForm(forms.Form):
    reason = _text(_("What changed"))


class RiskForm(forms.Form):
    risk = forms.ChoiceField(label=_("Risk"), choices=FacilityProfile.Risk.choices)
    note = forms.CharField(label=_("Why"), max_length=300, required=False)


class InspectionPlanForm(forms.Form):
    facility = forms.ModelChoiceField(
        label=_("Facility"), queryset=Facility.objects.none()
    )
    template = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Inspection.Kind.choices)
    planned_on = _date(_("Planned on"))


class FindingForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    item = forms.ChoiceField(label=_("Checklist item"), required=False)
    description = _text(_("Description"))
    deadline = _date(_("Deadline"), required=False)

    def __init__(
        self, *args: Any, items: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—"), *(items or [])]  # type: ignore[attr-defined]


class CompleteForm(forms.Form):
    summary = _text(_("Summary"), required=False)


class PlanForm(forms.Form):
    action = _text(_("Corrective action"))
    owner = forms.CharField(label=_("Owner"), max_length=200)
    deadline = _date(_("Deadline"))


class FollowUpForm(forms.Form):
    text = _text(_("Progress or evidence"))
    evidence = forms.BooleanField(
        label=_("This is the evidence that the finding is solved"), required=False
    )
    file = forms.FileField(label=_("File"), required=False)


class CloseForm(forms.Form):
    text = _text(_("Conclusion"))


class ExerciseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Exercise.Kind.choices)
    scenario = forms.ModelChoiceField(
        label=_("Scenario"),
        queryset=Scenario.objects.none(),
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", "—")]
        + [c for c in Exercise.Format.choices if c[0] != Exercise.Format.DRILL],
        required=False,
    )
    facilities = forms.ModelMultipleChoiceField(
        label=_("Facilities"),
        queryset=Facility.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    planned_on = _date(_("Planned on"))
    held_on = _date(_("Held on (if already held)"), required=False)
    exercise_mode = forms.BooleanField(
        label=_("Run on the live picture (exercise mode)"), required=False
    )


class HeldForm(forms.Form):
    held_on = _date(_("Held on"))


class ReportForm(forms.Form):
    summary = _text(_("Summary"))
    went_well = _text(_("What went well"), required=False)
    lessons = _text(_("Lessons learned"))
    actions = _text(_("Corrective actions"), required=False)
    detection_seconds = forms.IntegerField(
        label=_("Time to detect (s)"), min_value=0, max_value=604800, required=False
    )
    response_seconds = forms.IntegerField(
        label=_("Time to respond (s)"), min_value=0, max_value=604800, required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file of the training provider"))
    provider = forms.ModelChoiceField(
        label=_("Training provider"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    dry_run = forms.BooleanField(label=_("Check only, store nothing"), required=False)


class RuleForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    port = forms.ModelChoiceField(
        label=_("Port"), queryset=Port.objects.none(), required=False
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=Zone.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("Platform role"), choices=[("", "—"), *Role.choices], required=False
    )
    organisation_role = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", "—"), *Organisation.Role.choices],
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ShipCallForm(forms.Form):
    facility = forms.ModelChoiceField(
        label=_("Facility"), queryset=Facility.objects.none()
    )
    ship_name = forms.CharField(label=_("Ship"), max_length=70)
    imo = forms.CharField(label=_("IMO number"), max_length=12)
    mmsi = forms.CharField(label=_("MMSI"), max_length=11)
    call_sign = forms.CharField(label=_("Call sign"), max_length=7, required=False)
    flag = forms.CharField(label=_("Flag"), max_length=2, required=False)
    eta = _datetime(_("Estimated arrival"))


class PreArrivalForm(forms.Form):
    issc_number = forms.CharField(label=_("ISSC number"), max_length=40)
    issc_issuer = forms.CharField(label=_("ISSC issued by"), max_length=120)
    issc_expires_on = _date(_("ISSC expires on"))
    ship_level = forms.TypedChoiceField(
        label=_("Ship's security level"), choices=LEVEL_CHOICES, coerce=int
    )
    sso_contact = forms.CharField(label=_("Ship security officer"), max_length=200)
    port_calls = forms.CharField(
        label=_("Last 10 port calls"),
        help_text=_(
            "One per line: UN/LOCODE; facility; arrived YYYY-MM-DD; departed YYYY-MM-DD; level"
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    special_measures = _text(_("Special measures"), required=False, rows=2)

    def clean_port_calls(self) -> list[dict[str, Any]]:
        calls = []
        for line in self.cleaned_data["port_calls"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 5 or not parts[4].isdigit():
                raise ValidationError(
                    _("Each line is: UN/LOCODE; facility; arrived; departed; level.")
                )
            calls.append(
                {
                    "port": parts[0],
                    "facility": parts[1],
                    "arrived_on": parts[2],
                    "departed_on": parts[3],
                    "level": int(parts[4]),
                }
            )
        return calls


class DeclarationForm(forms.Form):
    ship_name = forms.CharField(label=_("Ship"), max_length=70)
    imo = forms.CharField(label=_("IMO number"), max_length=12)
    flag = forms.CharField(label=_("Flag"), max_length=2)
    reason = forms.ChoiceField(
        label=_("Reason"), choices=DeclarationOfSecurity.Reason.choices
    )
    valid_from = _datetime(_("Valid from"))
    valid_until = _datetime(_("Valid until"))
    ship_level = forms.TypedChoiceField(
        label=_("Ship's security level"), choices=LEVEL_CHOICES, coerce=int
    )
    activities = forms.CharField(
        label=_("Activities"),
        help_text=_("One per line: activity; ship, facility or both"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_activities(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data["activities"].splitlines():
            if not line.strip():
                continue
            activity, _sep, responsible = line.rpartition(";")
            rows.append(
                {
                    "activity": activity.strip(),
                    "responsible": responsible.strip().lower(),
                }
            )
        return rows


class SignForm(forms.Form):
    party = forms.ChoiceField(
        choices=[("facility", _("Facility")), ("ship", _("Ship"))],
        widget=forms.HiddenInput,
    )
    name = forms.CharField(
        label=_("Name of the master or SSO"), max_length=150, required=False
    )
    capacity = forms.CharField(label=_("Capacity"), max_length=60, required=False)
