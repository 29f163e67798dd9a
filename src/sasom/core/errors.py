"""Domain errors: every refusal a service makes carries a stable machine-readable code.

The API turns a :class:`DomainError` into ``{"code", "message", "field"}`` with its HTTP status;
forms show ``message`` on ``field``. Tests assert on the codes defined next to each service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    status = 400

    def __init__(
        self, code: str, message: StrOrPromise, *, field: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


# The code of input that does not match the schema or the form (core.inputs, the API).
E_INVALID_INPUT = "invalid_input"

# the scheduler (core.jobs)
DATE_IN_FUTURE = "date_in_future"
DATE_TOO_OLD = "date_too_old"
JOB_UNKNOWN = "job_unknown"
JOB_NOT_RERUNNABLE = "job_not_rerunnable"
