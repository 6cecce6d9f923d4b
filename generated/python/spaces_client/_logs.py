# Generated from spec/openapi.yaml (sha256 306778f641634dc469368ec571533f12e75c3c435caa34b857bd49e88afaf895) by the generator.
# Do not edit: change the spec and run `make`.
"""Logging: what the client does, never the access token."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from ._metadata import ENV_LOG, LOGGER_NAME

__all__ = ["logger", "redact_headers", "setup_logging"]

logger = logging.getLogger(LOGGER_NAME)
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_configured = False


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as they may be logged: credentials replaced by '<redacted>'."""
    return {k: "<redacted>" if k.lower() in _SECRET_HEADERS else v for k, v in headers.items()}


def setup_logging() -> None:
    """Log to stderr when the environment variable asks for it (`debug` or `info`)."""
    global _configured
    level = os.environ.get(ENV_LOG, "").strip().lower()
    if _configured or level not in ("debug", "info"):
        return
    _configured = True
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
