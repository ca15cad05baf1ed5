"""Template helpers of the compliance pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def duty(status: Any, code: str) -> Any:
    """Return a facility status's duty by its code (``status|duty:"drill"``)."""
    return status.duty(code) if status is not None else None


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """Return ``mapping[key]``, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
