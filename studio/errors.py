"""Domain errors. Messages are Vietnamese: they reach operators through the API, desk and CLI."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; ``code`` is a stable machine-readable identifier."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "permission_denied"


class Conflict(DomainError):
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class InvalidInput(DomainError):
    code = "invalid_input"
