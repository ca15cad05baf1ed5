"""Normalise and validate the indicators of a bulletin (no Django, no database).

Every kind has one canonical form, so that a plate written ``1-abc-123`` in a
bulletin and read ``1ABC123`` by a camera are the same value. A person is
matched on a name key (case, accents and word order ignored) and the date of
birth together.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from port2port.lib.identifiers import (
    InvalidIdentifier,
    container_number_normalise,
    eori_normalise,
    imo_normalise,
    kbo_normalise,
    mmsi_normalise,
    plate_normalise,
)

KINDS = (
    "plate",
    "container",
    "kbo",
    "eori",
    "imo",
    "mmsi",
    "phone",
    "email",
    "domain",
    "person",
)

_PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")
_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@([a-z0-9-]{1,63}\.)+[a-z]{2,63}$"
)
_DOMAIN = re.compile(
    r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
_PLATE_COUNTRY = re.compile(r"^([A-Za-z]{2}):(.+)$")


@dataclass(frozen=True, slots=True)
class Normalised:
    """An indicator in its canonical form, with the form people write."""

    kind: str
    value: str
    display: str
    date_of_birth: dt.date | None = None


def phone_normalise(value: str) -> str:
    """Return a phone number in international form (``+32…``); Belgian numbers may omit +32."""
    digits = re.sub(r"[\s().\-/]", "", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+32" + digits[1:]
    if not _PHONE.match(digits):
        raise InvalidIdentifier(
            "A phone number has 8 to 15 digits, e.g. +32 3 123 45 67 or 0470 12 34 56."
        )
    return digits


def email_normalise(value: str) -> str:
    """Return an e-mail address in lower case."""
    address = value.strip().lower()
    if len(address) > 200 or not _EMAIL.match(address):
        raise InvalidIdentifier("An e-mail address looks like name@example.be.")
    return address


def domain_normalise(value: str) -> str:
    """Return a domain name in lower case, without a trailing dot."""
    name = value.strip().lower().rstrip(".")
    if name.startswith("*."):
        name = name[2:]
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidIdentifier("A domain looks like example.be.") from None
    if not _DOMAIN.match(name):
        raise InvalidIdentifier("A domain looks like example.be.")
    return name


def name_key(name: str) -> str:
    """Return the key of a person's name: lower case, no accents, words sorted."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    words = re.findall(r"[a-z0-9]+", plain)
    return " ".join(sorted(words))


def indicator_normalise(
    kind: str, value: str, *, date_of_birth: dt.date | None = None
) -> Normalised:
    """Return the canonical form of one indicator or raise ``InvalidIdentifier``."""
    text = (value or "").strip()
    if not text or len(text) > 200:
        raise InvalidIdentifier("An indicator needs a value of 1 to 200 characters.")
    if kind == "plate":
        country = "BE"
        found = _PLATE_COUNTRY.match(text)
        if found:
            country, text = found.group(1).upper(), found.group(2)
        plate = plate_normalise(text, country=country)
        return Normalised(kind, plate, text.upper())
    if kind == "container":
        number = container_number_normalise(text)
        return Normalised(kind, number, number)
    if kind == "kbo":
        number = kbo_normalise(text)
        return Normalised(kind, number, f"{number[:4]}.{number[4:7]}.{number[7:]}")
    if kind == "eori":
        number = eori_normalise(text)
        return Normalised(kind, number, number)
    if kind == "imo":
        number = imo_normalise(text)
        return Normalised(kind, number, f"IMO {number}")
    if kind == "mmsi":
        number = mmsi_normalise(text)
        return Normalised(kind, number, number)
    if kind == "phone":
        number = phone_normalise(text)
        return Normalised(kind, number, number)
    if kind == "email":
        address = email_normalise(text)
        return Normalised(kind, address, address)
    if kind == "domain":
        name = domain_normalise(text)
        return Normalised(kind, name, name)
    if kind == "person":
        if date_of_birth is None:
            raise InvalidIdentifier("A person needs a name and a date of birth.")
        key = name_key(text)
        if len(key.split()) < 2:
            raise InvalidIdentifier("A person needs a first name and a last name.")
        return Normalised(kind, key, " ".join(text.split()), date_of_birth)
    raise InvalidIdentifier("Unknown kind of indicator.")


_LINE_DATE = re.compile(r"^(.*?)[\s,;]+(\d{4}-\d{2}-\d{2})$")


def indicator_line_parse(line: str) -> tuple[str, str, dt.date | None]:
    """Return (kind, value, date of birth) from a line such as ``plate: 1-ABC-123``.

    A person line ends with the date of birth: ``person: Jan Peeters 1980-04-12``.
    """
    kind, sep, rest = line.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS:
        raise InvalidIdentifier(
            "Write one indicator a line as kind: value, e.g. plate: 1-ABC-123."
        )
    rest = rest.strip()
    if kind == "person":
        found = _LINE_DATE.match(rest)
        if not found:
            raise InvalidIdentifier("A person needs a name and a date of birth.")
        try:
            born = dt.date.fromisoformat(found.group(2))
        except ValueError:
            raise InvalidIdentifier("The date of birth is not a date.") from None
        return kind, found.group(1).strip(), born
    return kind, rest, None
