"""Domain errors that the API and the pages turn into clear 4xx answers."""

from __future__ import annotations


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
