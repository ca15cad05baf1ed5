"""Forms of the public reporting pages and of the handlers' pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from port2port.core.models import Port, User
from port2port.reporting.models import Channel, Report

TEXTAREA = {"rows": 5}


class PortChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class HandlerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class GroupChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} – {obj.organisation.name}"


class ReportForm(forms.Form):
    """What a reporter tells: the form of a channel, in the reporter's language."""

    category = forms.ChoiceField(label=_("What is it about?"), widget=forms.RadioSelect)
    port = PortChoiceField(
        label=_("Port"),
        queryset=Port.objects.none(),
        required=False,
        empty_label=_("I do not know / elsewhere"),
    )
    place = forms.CharField(
        label=_("Where exactly?"),
        required=False,
        max_length=500,
        help_text=_("A quay, a terminal, a street, a gate, a berth…"),
    )
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    when = forms.CharField(
        label=_("When did it happen?"),
        required=False,
        max_length=200,
        help_text=_("A date and time, or roughly: “last week, at night”."),
    )
    what = forms.CharField(
        label=_("What happened?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Describe what you saw or heard, as precisely as you can."),
    )
    people = forms.CharField(
        label=_("People or vehicles involved"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_(
            "Descriptions, number plates, container numbers, vessel names, companies."
        ),
    )
    contact_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, channel: Channel, ports: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)  # noqa: S101
        category.choices = channel.category_choices()
        port_field = self.fields["port"]
        assert isinstance(port_field, forms.ModelChoiceField)  # noqa: S101
        port_field.queryset = ports

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, _("Text may not contain NUL characters."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            data["latitude"] = data["longitude"] = None
        return data


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
        help_text=_("The 16 digits you received when you sent the report."),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer or new information"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


# Handlers ---------------------------------------------------------------------------------


class UnlockForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two passwords differ."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Report.Status.choices)


class AssignForm(forms.Form):
    assignee = HandlerChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = users


class MessageForm(forms.Form):
    KIND_QUESTION = "question"
    KIND_NOTE = "note"
    kind = forms.ChoiceField(
        choices=[
            (KIND_QUESTION, _("Question to the reporter")),
            (KIND_NOTE, _("Internal note")),
        ],
        widget=forms.RadioSelect,
        initial=KIND_QUESTION,
        label=_("Kind"),
    )
    text = forms.CharField(
        label=_("Text"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ForwardForm(forms.Form):
    group = GroupChoiceField(label=_("Forward to"), queryset=Report.objects.none())
    note = forms.CharField(
        label=_("Note for the group"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = groups


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("", _("All")), *Report.Status.choices],
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("nobody", _("Nobody"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from port2port.reporting.models import Category

        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)  # noqa: S101
        category.choices = [("", _("All")), *Category.choices]
