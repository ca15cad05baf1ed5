"""Domain errors that the API and the pages turn into clear 4xx answers.

Services raise them with messages already translated (``gettext`` at the time of
the raise), so that the API and the pages show them in the caller's language.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop


class ApplicationError(Exception):
    """A request that the platform refuses, with a stable code and a message."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(ApplicationError):
    """Input that does not have the form the platform needs."""

    status = 400
    code = "invalid"


def field_error(name: str, message: str) -> InvalidInput:
    """Return an ``InvalidInput`` that names the one field at fault."""
    return InvalidInput(message, fields={name: [message]})


class NotPermitted(ApplicationError):
    """The caller may see the object but not make this change."""

    status = 403
    code = "forbidden"


class NotFound(ApplicationError):
    """The object does not exist or the caller may not see it."""

    status = 404
    code = "not_found"


class Conflict(ApplicationError):
    """The change clashes with the current state (a duplicate, a used name)."""

    status = 409
    code = "conflict"


# The framework-free helpers (``port2port.lib``) refuse in English; the services
# pass their messages through ``gettext`` when they raise. Marking the messages
# here puts them in the translation catalogue.
LIB_MESSAGES = (
    gettext_noop(
        "A UN/LOCODE is a country code and three letters or digits 2-9, e.g. BEANR."
    ),
    gettext_noop("An MMSI is 9 digits, e.g. 205123000."),
    gettext_noop("An EORI number is a country code and up to 15 letters or digits."),
    gettext_noop("A number plate has 1 to 10 letters and digits."),
    gettext_noop(
        "A Belgian plate looks like 1-ABC-123 (or the older ABC-123 and 123-ABC)."
    ),
    gettext_noop(
        "A container number is 4 letters, 6 digits and a check digit "
        "(ISO 6346), e.g. CSQU3054383."
    ),
    gettext_noop("An IMO number is 7 digits with a check digit, e.g. IMO 9074729."),
    gettext_noop(
        "A Belgian enterprise number is 10 digits starting with 0 or 1 whose "
        "last two digits are a check, e.g. 0403.170.701."
    ),
    gettext_noop(
        "A national register number is 11 digits: birth date, a counter and "
        "two check digits."
    ),
    gettext_noop("A position is [longitude, latitude]."),
    gettext_noop("Longitude must be within ±180 and latitude within ±90."),
    gettext_noop("A point must be a GeoJSON object of type Point."),
    gettext_noop("A boundary must be a GeoJSON object of type Polygon."),
    gettext_noop("A polygon needs at least one ring of positions."),
    gettext_noop("A polygon ring is a list of positions."),
    gettext_noop("A polygon ring needs at least three distinct corners."),
)
