"""Forms of the hub's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from port2port.core.models import Clearance, Committee, Port
from port2port.sharing.models import Bulletin, SharingGroup, Tlp


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    tlp = forms.ChoiceField(label=_("TLP"), choices=Tlp.choices, initial=Tlp.AMBER)
    distribution = forms.ChoiceField(
        label=_("Distribution"), choices=Bulletin.Distribution.choices
    )
    committee = forms.ModelChoiceField(
        label=_("Committee"), queryset=Committee.objects.none(), required=False
    )
    port = forms.ModelChoiceField(
        label=_("Port"), queryset=Port.objects.order_by("locode"), required=False
    )
    sharing_group = forms.ModelChoiceField(
        label=_("Sharing group"), queryset=SharingGroup.objects.none(), required=False
    )
    min_clearance = forms.TypedChoiceField(
        label=_("Minimum clearance"),
        choices=Clearance.choices,
        coerce=int,
        initial=Clearance.NONE,
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    indicators = forms.CharField(
        label=_("Indicators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "plate: 1-ABC-123"}),
        help_text=_(
            "One a line as kind: value. Kinds: plate, container, kbo, eori, imo, "
            "mmsi, phone, email, domain, person (name and date of birth, e.g. "
            "person: Jan Peeters 1980-04-12)."
        ),
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(
        self, *args: object, committees: object, groups: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]
        self.fields["sharing_group"].queryset = groups  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("MISP event or STIX 2.1 bundle (JSON)"))
    distribution = forms.ChoiceField(
        label=_("Distribution"), choices=Bulletin.Distribution.choices
    )
    port = forms.ModelChoiceField(
        label=_("Port"), queryset=Port.objects.order_by("locode"), required=False
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=3, max_length=300)
