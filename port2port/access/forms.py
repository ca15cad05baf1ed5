"""Forms of the access pages.

The forms only check the shape of the input; the services decide whether the
change is allowed and answer with ``ApplicationError``s, which the views attach
to these forms (see ``form_add_service_error``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from port2port.access.models import PortBan, Schedule, Visit
from port2port.core.errors import ApplicationError
from port2port.core.models import (
    AccessPoint,
    Facility,
    Organisation,
    Person,
    Port,
    Zone,
)

_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=_DATETIME_FORMAT
        ),
    )


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
    field.queryset = queryset


class AccessPointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} – {obj.name} ({obj.zone.name})"


class FacilityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.port.locode})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.last_name}, {obj.first_name} ({obj.date_of_birth:%Y-%m-%d})"


class PortsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.locode})"


def form_add_service_error(
    form: forms.Form, exc: ApplicationError, aliases: dict[str, str] | None = None
) -> None:
    """Attach a service's refusal to the form fields it names, or to the whole form.

    Services name their fields as the API does (``zone_id``); ``aliases`` maps
    those names to the form's (``zone``). The services translate their messages
    when they raise them, into the language of the request.
    """
    aliases = aliases or {}
    placed = False
    for name, messages in exc.fields.items():
        field = aliases.get(name, name)
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# The PFSO's facility -------------------------------------------------------------------


class PassNumberForm(forms.Form):
    """Activate a pass at a facility: the PFSO types the number printed on the card."""

    number = forms.CharField(
        label=_("Pass number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}
        ),
    )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()


class GrantForm(PassNumberForm):
    """Grant the holder of a pass entry to one of the facility's zones."""

    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.none())
    schedule = forms.ModelChoiceField(
        label=_("Schedule"),
        queryset=Schedule.objects.none(),
        required=False,
        empty_label=_("At any time"),
    )
    valid_from = _datetime_field(_("Valid from"))
    valid_until = _datetime_field(_("Valid until"), required=False)

    def __init__(
        self,
        *args: Any,
        zones: QuerySet[Zone],
        schedules: QuerySet[Schedule],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial", {"valid_from": timezone.localtime().replace(second=0)}
        )
        super().__init__(*args, **kwargs)
        _set_queryset(self, "zone", zones)
        _set_queryset(self, "schedule", schedules)
        self.fields["valid_until"].help_text = _("Empty: until revoked.")


class VisitDecisionForm(forms.Form):
    """Approve or reject a visit; the service insists on a reason for a rejection.

    The terminal's PFSO decides for the terminal (the default), a shipping
    agent's administrator for the agent.
    """

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    party = forms.ChoiceField(
        choices=[("terminal", _("Terminal")), ("agent", _("Shipping agent"))],
        required=False,
    )


class VisitCancelForm(forms.Form):
    """Cancel a visit; the reason is optional and kept in the audit trail."""

    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


# The gates ---------------------------------------------------------------------------------


class ManualCheckForm(forms.Form):
    """Decide at an access point from the desk when its reader fails."""

    access_point = AccessPointChoiceField(
        label=_("Access point"), queryset=AccessPoint.objects.none()
    )
    credential = forms.CharField(
        label=_("Pass number"),
        max_length=64,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}
        ),
    )
    plate = forms.CharField(
        label=_("Number plate"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}
        ),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("in", _("Entry")), ("out", _("Exit"))],
        initial="in",
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, points: QuerySet[AccessPoint], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "access_point", points)
        field = self.fields["access_point"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.empty_label = gettext("Choose an access point")

    def clean_credential(self) -> str:
        return "".join(self.cleaned_data["credential"].split()).upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("credential") and not data.get("plate"):
            raise forms.ValidationError(
                _("Type a pass number, a number plate, or both.")
            )
        return data


# The company -------------------------------------------------------------------------------


class PassStateForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("suspend", _("Suspend")), ("reinstate", _("Reinstate"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class VisitForm(forms.Form):
    """Announce a visit to a facility of a port where the company is active."""

    facility = FacilityChoiceField(
        label=_("Facility"), queryset=Facility.objects.none()
    )
    zone = forms.ChoiceField(label=_("Zone"), required=False)
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=[("", "---------"), *Visit.Purpose.choices]
    )
    starts_at = _datetime_field(_("From"))
    ends_at = _datetime_field(_("Until"))
    visitors = PeopleChoiceField(
        label=_("Visitors"),
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose several people."),
    )
    vessel_name = forms.CharField(label=_("Vessel"), max_length=100, required=False)
    vessel_imo = forms.CharField(
        label=_("IMO number"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "mono"}),
    )
    agent = forms.ModelChoiceField(
        label=_("Shipping agent"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("For a ship visit: the vessel's agent approves it too."),
    )
    plate = forms.CharField(
        label=_("Vehicle plate"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "mono"}),
    )
    escort = forms.BooleanField(label=_("Escorted visit"), required=False)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        facilities: QuerySet[Facility],
        people: QuerySet[Person],
        agents: QuerySet[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "facility", facilities)
        _set_queryset(self, "visitors", people)
        _set_queryset(
            self,
            "agent",
            agents if agents is not None else Organisation.objects.none(),
        )
        # The zones are grouped by facility; the service checks that the zone chosen
        # lies in the facility chosen.
        groups: dict[str, list[tuple[str, str]]] = {}
        self._zones: dict[str, Zone] = {}
        for zone in Zone.objects.filter(facility__in=facilities).select_related(
            "facility"
        ):
            assert zone.facility is not None  # noqa: S101 - filtered on the facility
            groups.setdefault(zone.facility.name, []).append((str(zone.pk), zone.name))
            self._zones[str(zone.pk)] = zone
        zone_field = self.fields["zone"]
        assert isinstance(zone_field, forms.ChoiceField)  # noqa: S101
        zone_field.choices = [
            ("", gettext("Any zone of the facility")),
            *groups.items(),
        ]

    def clean_zone(self) -> Zone | None:
        value = self.cleaned_data.get("zone") or ""
        return self._zones.get(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agent") and not (
            data.get("vessel_name") or data.get("vessel_imo")
        ):
            self.add_error(
                "vessel_name",
                _("Name the vessel: a shipping agent approves ship visits only."),
            )
        return data


# Bans ----------------------------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    born = _date_field(_("Date of birth"), required=False)


class BanForm(forms.Form):
    """A judicial port ban of at most 20 years, in every port or in some."""

    starts_on = _date_field(_("From"))
    ends_on = _date_field(_("Until"))
    legal_reference = forms.CharField(
        label=_("Legal reference"),
        max_length=120,
        help_text=_("The court's or the prosecutor's reference."),
    )
    all_ports = forms.BooleanField(
        label=_("All Belgian ports"), required=False, initial=True
    )
    ports = PortsChoiceField(
        label=_("Ports"),
        queryset=Port.objects.order_by("locode"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when the ban does not apply to all ports."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"starts_on": today, "all_ports": True})
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].help_text = gettext(
            "At most %(years)s years after the start."
        ) % {"years": PortBan.MAX_YEARS}


class BanLiftForm(forms.Form):
    reason = forms.CharField(label=_("Reason for lifting"), max_length=300)
