"""Validate and normalise the identifiers used in ports.

Each ``*_normalise`` function returns the canonical form or raises
``InvalidIdentifier`` with a message that tells the user what is wrong. Where
python-stdnum covers a code it does the checking.
"""

from __future__ import annotations

import re

from stdnum import imo as stdnum_imo
from stdnum import iso6346
from stdnum.be import nn as be_nn
from stdnum.be import vat as be_vat
from stdnum.exceptions import ValidationError as StdnumError

__all__ = [
    "InvalidIdentifier",
    "container_number_normalise",
    "eori_normalise",
    "imo_normalise",
    "kbo_normalise",
    "locode_normalise",
    "mmsi_normalise",
    "national_register_number_normalise",
    "plate_normalise",
]

_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
_EORI = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,15}$")
_MMSI = re.compile(r"^[0-9]{9}$")
_PLATE_CHARS = re.compile(r"^[A-Z0-9]{1,10}$")
_BE_PLATE_FORMATS = (
    re.compile(r"^[1-9][A-Z]{3}[0-9]{3}$"),  # 1-ABC-123 since 2010
    re.compile(r"^[A-Z]{3}[0-9]{3}$"),  # ABC-123, 1973-2008
    re.compile(r"^[0-9]{3}[A-Z]{3}$"),  # 123-ABC, 2008-2010
    re.compile(r"^[A-Z][A-Z]{3}[0-9]{3}$"),  # Q-ABC-123 and other category series
)


class InvalidIdentifier(ValueError):
    """An identifier that does not have the form or check digit its standard asks."""


def _compact(value: str) -> str:
    return re.sub(r"[\s\-./]", "", value).upper()


def locode_normalise(value: str) -> str:
    """Return a UN/LOCODE as five upper-case characters, e.g. ``BEANR``."""
    code = _compact(value)
    if not _LOCODE.match(code):
        raise InvalidIdentifier(
            "A UN/LOCODE is a country code and three letters or digits 2-9, e.g. BEANR."
        )
    return code


def container_number_normalise(value: str) -> str:
    """Return an ISO 6346 container number with a correct check digit."""
    try:
        return str(iso6346.validate(_compact(value)))
    except StdnumError:
        raise InvalidIdentifier(
            "A container number is 4 letters, 6 digits and a check digit "
            "(ISO 6346), e.g. CSQU3054383."
        ) from None


def imo_normalise(value: str) -> str:
    """Return a 7-digit IMO ship number with a correct check digit."""
    try:
        return str(stdnum_imo.validate(value))
    except StdnumError:
        raise InvalidIdentifier(
            "An IMO number is 7 digits with a check digit, e.g. IMO 9074729."
        ) from None


def mmsi_normalise(value: str) -> str:
    """Return a 9-digit MMSI."""
    code = _compact(value)
    if not _MMSI.match(code):
        raise InvalidIdentifier("An MMSI is 9 digits, e.g. 205123000.")
    return code


def kbo_normalise(value: str) -> str:
    """Return a Belgian enterprise number (KBO/BCE) as 10 digits.

    A VAT number (``BE`` and the enterprise number) is accepted too.
    """
    try:
        return str(be_vat.validate(value))
    except StdnumError:
        raise InvalidIdentifier(
            "A Belgian enterprise number is 10 digits starting with 0 or 1 whose "
            "last two digits are a check, e.g. 0403.170.701."
        ) from None


def eori_normalise(value: str) -> str:
    """Return an EORI number; a Belgian one must wrap a valid enterprise number."""
    code = _compact(value)
    if not _EORI.match(code):
        raise InvalidIdentifier(
            "An EORI number is a country code and up to 15 letters or digits."
        )
    if code.startswith("BE"):
        return "BE" + kbo_normalise(code[2:])
    return code


def national_register_number_normalise(value: str) -> str:
    """Return a Belgian national register (or BIS) number as 11 digits."""
    try:
        return str(be_nn.validate(value))
    except StdnumError:
        raise InvalidIdentifier(
            "A national register number is 11 digits: birth date, a counter and "
            "two check digits."
        ) from None


def plate_normalise(value: str, *, country: str = "BE") -> str:
    """Return a number plate as ANPR reads it: upper case, no dashes or spaces.

    Belgian plates must have one of the Belgian formats; foreign plates only need
    to be letters and digits.
    """
    plate = _compact(value)
    if not _PLATE_CHARS.match(plate):
        raise InvalidIdentifier("A number plate has 1 to 10 letters and digits.")
    if country.upper() == "BE" and not any(f.match(plate) for f in _BE_PLATE_FORMATS):
        raise InvalidIdentifier(
            "A Belgian plate looks like 1-ABC-123 (or the older ABC-123 and 123-ABC)."
        )
    return plate


def plate_display(plate: str, *, country: str = "BE") -> str:
    """Return a normalised plate in its usual written form, e.g. ``1-ABC-123``."""
    if country.upper() == "BE":
        if len(plate) == 7 and plate[0].isdigit() and plate[1:4].isalpha():
            return f"{plate[0]}-{plate[1:4]}-{plate[4:]}"
        if len(plate) == 7 and plate[0].isalpha() and plate[1:4].isalpha():
            return f"{plate[0]}-{plate[1:4]}-{plate[4:]}"
        if len(plate) == 6:
            return f"{plate[:3]}-{plate[3:]}"
    return plate
