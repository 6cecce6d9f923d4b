"""Error answers: every error the API sends is JSON `{"message": ...}` with a 4xx/5xx status
(the field's name is the spec's: `Spec.error_fields`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from starlette.responses import JSONResponse

__all__ = ["ApiError", "error_body", "error_response", "WWW_AUTHENTICATE"]

WWW_AUTHENTICATE = 'Basic realm="Spaces API"'


class ApiError(Exception):
    """Raised anywhere in request handling; becomes an error response with `message`."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    @classmethod
    def bad_request(cls, message: str) -> ApiError:
        return cls(400, message)

    @classmethod
    def not_found(cls, message: str) -> ApiError:
        return cls(404, message)

    @classmethod
    def unauthorized(cls, message: str) -> ApiError:
        return cls(401, message, {"WWW-Authenticate": WWW_AUTHENTICATE})


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(message), status_code=status, headers=dict(headers or {}))


def error_body(message: str) -> dict[str, str]:
    """An error answer's body: `{"message": message}`."""
    return {_message_field(): message}


@functools.cache
def _message_field() -> str:
    from ..spec import default_spec  # read at first use: loading the spec is not for imports

    return default_spec().error_fields.message
