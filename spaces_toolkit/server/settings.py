"""Settings of one reference-server instance (what `spaces serve` flags and tests configure)."""

from __future__ import annotations

import dataclasses
import ipaddress
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sandbox.fault_injection import FaultPlan

__all__ = [
    "DOCS_INDEX",
    "LLMS_FILES",
    "SANDBOX_BASE_META",
    "Network",
    "Settings",
    "api_prefix",
    "parse_networks",
]


def api_prefix() -> str:
    """The path the API is served under: the spec's servers' URL path ("/api/v1"). Read at use,
    so that importing the server's settings does not load the spec."""
    from ..spec import default_spec

    return default_spec().api_prefix


# The sandbox helpers (server/sandbox/routes.py): outside the API's own paths, sandbox mode only.
SANDBOX_PREFIX = "/sandbox/v1"
# The API reference (generated/docs/index.html), shipped inside the package (`make` copies it).
DOCS_INDEX = Path(str(resources.files(__package__).joinpath("docs.html")))
# The page's empty slot for the sandbox's API path (its try-it panels send there when filled).
SANDBOX_BASE_META = '<meta name="spaces-sandbox-base" content="">'
# The reference for language models (llmstxt.org), generated with the page and served beside it.
LLMS_FILES = ("llms.txt", "llms-full.txt")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """Parse proxy addresses or CIDR ranges ("10.0.0.1", "10.0.0.0/8"); ValueError on junk."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything a server instance needs to know; immutable once the app is built."""

    db_path: Path = Path("spaces.db")
    # A postgresql:// URL to use instead of the SQLite file `db_path`.
    db_url: str = ""
    # Transport.
    require_https: bool = False
    trusted_proxies: tuple[Network, ...] = ()
    max_body_bytes: int = 65536
    # Webhooks.
    run_delivery_worker: bool = True
    allow_private_targets: bool = False
    webhook_retry_interval: float = 3600.0
    # webhook_delivery/retry.py: fixed | exponential[:BASE[:CAP]]
    webhook_retry_schedule: str = "fixed"
    webhook_max_attempts: int = 24
    webhook_timeout: float = 10.0
    webhook_concurrency: int = 16
    # Origins whose browser pages may call the API (CORS); empty: no CORS headers at all.
    cors_origins: tuple[str, ...] = ()
    # Check every JSON response against the spec before sending it (tests turn this on).
    validate_responses: bool = False
    docs_index: Path = DOCS_INDEX
    # `--faults`: misbehave on purpose (server/sandbox/fault_injection.py)
    faults: FaultPlan | None = None
    # Serve the sandbox helpers under /sandbox/v1 (sandbox/routes.py); off: production mode.
    sandbox: bool = True

    def __post_init__(self) -> None:
        # Accept plain strings from callers (paths, "10.0.0.0/8"); store the parsed forms.
        object.__setattr__(self, "db_path", Path(self.db_path))
        object.__setattr__(self, "docs_index", Path(self.docs_index))
        proxies = tuple(
            p if not isinstance(p, str) else parse_networks([p])[0] for p in self.trusted_proxies
        )
        object.__setattr__(self, "trusted_proxies", proxies)
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))

    @property
    def database(self) -> str:
        """What open_database() is given: the PostgreSQL URL, else the SQLite file."""
        return self.db_url or str(self.db_path)

    @property
    def delivery_poll_interval(self) -> float:
        """How often the worker looks for due deliveries written by other processes."""
        return max(0.02, min(1.0, self.webhook_retry_interval / 4))
