# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
"""Facts about this package and the spec it was generated from."""

from typing import Final

__all__ = [
    "API_VERSION",
    "AUTH_SCHEME",
    "CLIENT_CLASS",
    "DEFAULT_BASE_URL",
    "DISTRIBUTION",
    "ENV_ACCESS_TOKEN",
    "ENV_ALLOW_HTTP",
    "ENV_BASE_URL",
    "ENV_LOG",
    "LOGGER_NAME",
    "REQUEST_ID_HEADER",
    "SPEC_SHA256",
    "__version__",
]

__version__: Final = "1.0.0"
DISTRIBUTION: Final = "spaces-client"
CLIENT_CLASS: Final = "SpacesClient"
API_VERSION: Final = "04-09-2014"
SPEC_SHA256: Final = "bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593"
DEFAULT_BASE_URL: Final = "https://spaces.pe/api/v1"
AUTH_SCHEME: Final[str] = "basic"  # "basic", "bearer" or "none"
ENV_ACCESS_TOKEN: Final = "SPACES_ACCESS_TOKEN"
ENV_BASE_URL: Final = "SPACES_BASE_URL"
ENV_LOG: Final = "SPACES_LOG"
ENV_ALLOW_HTTP: Final = "SPACES_ALLOW_HTTP"
# The response header with the server's id of a request (None: the spec declares none).
REQUEST_ID_HEADER: Final[str | None] = "Request-Id"
LOGGER_NAME: Final = "spaces_client"
