"""The error types calfcare raises on purpose.

Callers catch these to show a message; anything else escaping is a bug.
"""

from __future__ import annotations


class CalfcareError(Exception):
    """Base of every error calfcare raises deliberately."""


class KnowledgeBaseError(CalfcareError):
    """The knowledge files are malformed or inconsistent; the message names file and field."""


class RequestError(CalfcareError, ValueError):
    """A request to the assessment API is invalid.

    `field` is the path of the offending value in the request, e.g. ``evidence[2].choice_id``,
    so that an API client or a form can point at it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(CalfcareError, LookupError):
    """A named thing (condition, finding...) does not exist."""


class FormError(CalfcareError, ValueError):
    """Submitted values are invalid. `errors` maps each field (or row and field) to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
