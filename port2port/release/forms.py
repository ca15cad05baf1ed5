"""Forms of the release pages.

They check the shape of the input only; the services decide whether a change is
allowed, and their refusals are attached to these forms by the views.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from port2port.core.errors import ApplicationError
from port2port.core.models import Facility, Organisation
from port2port.release.models import DriverAssignment, PickupOverride
from port2port.release.services import EVENT_TYPES, ReleaseInput

_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
CSV_COLUMNS = (
    "container_number",
    "bills_of_lading",
    "terminal",
    "holder",
    "valid_until",
    "reference",
)


def _datetime_field(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=_DATETIME_FORMAT
        ),
    )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
    field.queryset = queryset


def form_add_service_error(
    form: forms.Form, exc: ApplicationError, aliases: dict[str, str] | None = None
) -> None:
    """Attach a service's refusal to the fields it names, or to the whole form."""
    aliases = aliases or {}
    placed = False
    for name, messages in exc.fields.items():
        field = aliases.get(name, name)
        if field in form.fields:
            for message in messages:
                form.add_error(field, gettext(message))
            placed = True
    if not placed:
        form.add_error(None, gettext(exc.message))


class TerminalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


def terminals_of_ports(organisation: Organisation) -> QuerySet[Facility]:
    """Return the container and inland terminals of the ports where the agent works."""
    return (
        Facility.objects.filter(
            port__organisations=organisation,
            kind__in=[
                Facility.Kind.CONTAINER,
                Facility.Kind.INLAND,
                Facility.Kind.RORO,
            ],
        )
        .select_related("port")
        .distinct()
        .order_by("port__locode", "name")
    )


def release_parties_of_ports(organisation: Organisation) -> QuerySet[Organisation]:
    """Return the forwarders and transport operators active where ``organisation`` is."""
    ports = organisation.ports.all()
    return (
        Organisation.objects.filter(ports__in=ports)
        .filter(
            Q(roles__icontains=f'"{Organisation.Role.FORWARDER}"')
            | Q(roles__icontains=f'"{Organisation.Role.TRANSPORT_OPERATOR}"')
        )
        .exclude(pk=organisation.pk)
        .distinct()
        .order_by("name")
    )


def _bills(value: str) -> list[str]:
    return [b for b in value.replace(";", " ").replace(",", " ").split() if b]


class ReleaseForm(forms.Form):
    container_number = forms.CharField(
        label=_("Container number"),
        max_length=20,
        help_text=_("ISO 6346, with its check digit, e.g. CSQU3054383."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    bills_of_lading = forms.CharField(
        label=_("Bills of lading"),
        max_length=400,
        help_text=_("One or more, separated by spaces or commas."),
    )
    terminal = TerminalChoiceField(
        label=_("Terminal"), queryset=Facility.objects.none()
    )
    holder = forms.ModelChoiceField(
        label=_("Release to"),
        queryset=Organisation.objects.none(),
        help_text=_("The first holder of the release right: a forwarder or a haulier."),
    )
    valid_until = _datetime_field(_("Valid until"))
    reference = forms.CharField(
        label=_("Release reference"), max_length=35, required=False
    )

    def __init__(self, *args: Any, agent: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "terminal", terminals_of_ports(agent))
        _set_queryset(self, "holder", release_parties_of_ports(agent))
        if not self.is_bound:
            self.initial.setdefault(
                "valid_until",
                (timezone.localtime() + dt.timedelta(days=14)).replace(
                    hour=23, minute=59, second=0, microsecond=0
                ),
            )

    def to_input(self) -> ReleaseInput:
        data = self.cleaned_data
        return ReleaseInput(
            container_number=data["container_number"],
            terminal_id=data["terminal"].pk,
            holder_id=data["holder"].pk,
            valid_until=data["valid_until"],
            bills_of_lading=_bills(data["bills_of_lading"]),
            reference=data["reference"],
        )


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: container_number, bills_of_lading, terminal (its code), holder "
            "(VAT or EORI number), valid_until (YYYY-MM-DD HH:MM), reference."
        ),
    )
    MAX_BYTES = 2_000_000

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload

    def parse(
        self, *, agent: Organisation, limit: int
    ) -> tuple[list[ReleaseInput], list[str]]:
        """Return the rows of the file as releases, and the problems found reading it."""
        raw = self.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [gettext("The file is not UTF-8 text.")]
        sample = text[:2048]
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        missing = [c for c in CSV_COLUMNS[:5] if c not in (reader.fieldnames or [])]
        if missing:
            return [], [
                gettext("Missing columns: %(columns)s.")
                % {"columns": ", ".join(missing)}
            ]
        terminals = {f.code.upper(): f for f in terminals_of_ports(agent)}
        parties: dict[str, Organisation] = {}
        for party in release_parties_of_ports(agent):
            for key in (party.kbo_number, party.vat_number, party.eori):
                if key:
                    parties[key.upper()] = party
        rows: list[ReleaseInput] = []
        problems: list[str] = []
        tz = timezone.get_current_timezone()
        for line, record in enumerate(reader, start=2):
            if len(rows) >= limit:
                problems.append(
                    gettext("At most %(limit)d releases per file.") % {"limit": limit}
                )
                break
            terminal = terminals.get((record.get("terminal") or "").strip().upper())
            holder_key = "".join(
                ch for ch in (record.get("holder") or "").upper() if ch.isalnum()
            )
            holder = parties.get(holder_key)
            until_text = (record.get("valid_until") or "").strip()
            until = parse_datetime(until_text)
            if until is None and parse_date(until_text) is not None:
                until = dt.datetime.combine(parse_date(until_text), dt.time(23, 59))  # type: ignore[arg-type]
            if until is not None and timezone.is_naive(until):
                until = timezone.make_aware(until, tz)
            if terminal is None:
                problems.append(
                    gettext("Line %(line)d: unknown terminal.") % {"line": line}
                )
            if holder is None:
                problems.append(
                    gettext("Line %(line)d: unknown release party.") % {"line": line}
                )
            if until is None:
                problems.append(
                    gettext("Line %(line)d: the validity is not a date.")
                    % {"line": line}
                )
            if terminal is None or holder is None or until is None:
                continue
            rows.append(
                ReleaseInput(
                    container_number=record.get("container_number") or "",
                    terminal_id=terminal.pk,
                    holder_id=holder.pk,
                    valid_until=until,
                    bills_of_lading=_bills(record.get("bills_of_lading") or ""),
                    reference=(record.get("reference") or "").strip(),
                )
            )
        if not rows and not problems:
            problems.append(gettext("The file holds no release."))
        return rows, problems


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, min_length=3)


class DenyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class TransferForm(forms.Form):
    receiver = forms.ModelChoiceField(
        label=_("Pass on to"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, candidates: QuerySet[Organisation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_queryset(self, "receiver", candidates)


class AssignForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Transport"),
        choices=DriverAssignment.Mode.choices,
        initial=DriverAssignment.Mode.TRUCK,
    )
    pass_number = forms.CharField(
        label=_("Driver's pass number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    plate = forms.CharField(label=_("Truck plate"), max_length=20, required=False)
    slot_from = _datetime_field(_("Slot from"), required=False)
    slot_until = _datetime_field(_("Slot until"), required=False)
    visit_reference = forms.CharField(
        label=_("Barge or train visit"), max_length=40, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("mode")
        if mode == DriverAssignment.Mode.TRUCK and not data.get("pass_number"):
            self.add_error("pass_number", _("Give the driver's pass number."))
        if mode in ("barge", "rail") and not data.get("visit_reference"):
            self.add_error("visit_reference", _("Give the visit reference."))
        return data


class GateCheckForm(forms.Form):
    terminal = TerminalChoiceField(
        label=_("Terminal"), queryset=Facility.objects.none()
    )
    container_number = forms.CharField(
        label=_("Container"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    credential = forms.CharField(
        label=_("Pass (scan)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    plate = forms.CharField(label=_("Plate (ANPR)"), max_length=20, required=False)
    biometric = forms.ChoiceField(
        label=_("Fingerprint"),
        choices=[
            ("match", _("Matched")),
            ("no_match", _("Did not match")),
            ("not_checked", _("Not checked")),
        ],
        initial="match",
        widget=forms.RadioSelect,
    )
    visit_reference = forms.CharField(
        label=_("Barge or train visit"), max_length=40, required=False
    )

    def __init__(self, *args: Any, terminals: QuerySet[Facility], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_queryset(self, "terminal", terminals)
        if not self.is_bound and len(terminals) == 1:
            self.initial.setdefault("terminal", terminals[0].pk)


class OverrideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=PickupOverride.Decision.choices
    )
    reason = forms.CharField(
        label=_("Written reason"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("Address (https)"), max_length=500, assume_scheme="https"
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(e, e) for e in EVENT_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )
