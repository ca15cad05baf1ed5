"""Forms of the hub's pages."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from port2port.core.models import Clearance, Committee, Port, User
from port2port.sharing.models import Bulletin, CommitteeMember, SharingGroup, Tlp


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


# Committees ---------------------------------------------------------------------------


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    classification = forms.TypedChoiceField(
        label=_("Classification"),
        choices=Clearance.choices,
        coerce=int,
        initial=Clearance.NONE,
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class MemberForm(forms.Form):
    user = forms.CharField(
        label=_("User name or e-mail address"),
        max_length=254,
        help_text=_("The person needs an account on the platform."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CommitteeMember.Role.choices,
        initial=CommitteeMember.Role.MEMBER,
    )
    represents = forms.CharField(label=_("Represents"), max_length=200, required=False)

    def clean_user(self) -> User:
        value = self.cleaned_data["user"].strip()
        user = (
            User.objects.filter(is_active=True)
            .filter(Q(username__iexact=value) | Q(email__iexact=value))
            .first()
        )
        if user is None:
            raise forms.ValidationError(_("No active account has this name."))
        return user


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    classification = forms.TypedChoiceField(
        label=_("Classification"),
        choices=Clearance.choices,
        coerce=int,
        initial=Clearance.NONE,
    )
    file = forms.FileField(label=_("File"))


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(
        label=_("Due"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, members: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].queryset = members  # type: ignore[attr-defined]
