"""Forms of the account and registry pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from port2port.core.models import ApiToken, Organisation


class LoginForm(AuthenticationForm):
    """Sign in with user name and password; throttling is django-axes' work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autofocus": True}
        )
        self.fields["password"].widget.attrs.update(
            {"autocomplete": "current-password"}
        )


class TwoFactorForm(forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
            }
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=ApiToken.Permission.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = organisations
