# Generated from spec/openapi.yaml (sha256 306778f641634dc469368ec571533f12e75c3c435caa34b857bd49e88afaf895) by the generator.
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
    "ENV_BASE_URL",
    "ENV_LOG",
    "LOGGER_NAME",
    "SPEC_SHA256",
    "__version__",
]

__version__: Final = "0.1.0"
DISTRIBUTION: Final = "spaces-client"
CLIENT_CLASS: Final = "SpacesClient"
API_VERSION: Final = "04-09-2014"
SPEC_SHA256: Final = "306778f641634dc469368ec571533f12e75c3c435caa34b857bd49e88afaf895"
DEFAULT_BASE_URL: Final = "https://spaces.pe/api/v1"
AUTH_SCHEME: Final[str] = "basic"  # "basic", "bearer" or "none"
ENV_ACCESS_TOKEN: Final = "SPACES_ACCESS_TOKEN"
ENV_BASE_URL: Final = "SPACES_BASE_URL"
ENV_LOG: Final = "SPACES_LOG"
LOGGER_NAME: Final = "spaces_client"
