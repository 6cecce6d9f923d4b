"""What a change is: where (JSON pointer), what (one sentence), and whom it breaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CATEGORIES",
    "CATEGORY_LIST",
    "TITLES",
    "Category",
    "Change",
    "Direction",
    "Impact",
    "Presence",
    "impact_of",
    "presence_impact",
]

# Who writes a value, and so who is hurt when the set of allowed values moves:
# "request" — the client writes, the server reads (API request, webhook receiver's answer);
# "response" — the server writes, the client reads (API response, webhook payload Spaces sends).
Direction = Literal["request", "response"]


@dataclass(frozen=True)
class Category:
    """One class of change: its id, its title in `spaces diff` reports, its section heading in
    the generated changelog and docs, and whom it concerns (for `spaces diff --help`)."""

    id: str
    title: str
    heading: str
    meaning: str


# The classification, most severe first (the order of sections in every rendering).
CATEGORY_LIST = (
    Category(
        "breaking-for-clients",
        "Breaking for clients",
        "Breaking changes for clients",
        "programs using the API or the generated client stop working",
    ),
    Category(
        "breaking-for-servers",
        "Breaking for servers",
        "Breaking changes for servers",
        "implementations held to the contract no longer conform",
    ),
    Category("compatible", "Compatible", "Compatible changes", "valid before and after"),
    Category(
        "documentation-only", "Documentation only", "Documentation", "descriptions and examples"
    ),
)
CATEGORIES = tuple(c.id for c in CATEGORY_LIST)
TITLES = {c.id: c.title for c in CATEGORY_LIST}


@dataclass(frozen=True)
class Impact:
    """Whom a change breaks. Neither: compatible, or documentation only when `docs` is set."""

    clients: bool = False
    servers: bool = False
    docs: bool = False

    def __or__(self, other: Impact) -> Impact:
        return Impact(
            self.clients or other.clients,
            self.servers or other.servers,
            self.docs and other.docs,
        )


CLIENTS = Impact(clients=True)
SERVERS = Impact(servers=True)
BOTH = Impact(clients=True, servers=True)
COMPATIBLE = Impact()
DOCS = Impact(docs=True)


def impact_of(narrows: bool, widens: bool, direction: Direction) -> Impact:
    """Whom a change of the values a schema allows breaks, given who writes those values.

    Narrowing what the client writes breaks clients that send the old values and servers that
    the contract now requires to reject them; widening it breaks servers, which must now accept
    more. Narrowing what the server writes breaks servers that still send the old values;
    widening it breaks clients, which may now receive values they do not know.
    """
    if direction == "request":
        return Impact(clients=narrows, servers=narrows or widens)
    return Impact(clients=widens, servers=narrows)


@dataclass(frozen=True)
class Change:
    pointer: str  # JSON pointer into the NEW document (into the old one for removals)
    kind: str  # the id of its rule (rules.RULES), e.g. "property-removed"
    message: str  # one sentence
    impact: Impact

    @property
    def breaks_clients(self) -> bool:
        return self.impact.clients

    @property
    def breaks_servers(self) -> bool:
        return self.impact.servers

    @property
    def breaking(self) -> bool:
        return self.impact.clients or self.impact.servers

    @property
    def categories(self) -> tuple[str, ...]:
        """One or two of CATEGORIES (a change can break clients and servers at once)."""
        found = []
        if self.impact.clients:
            found.append("breaking-for-clients")
        if self.impact.servers:
            found.append("breaking-for-servers")
        if not found:
            found.append("documentation-only" if self.impact.docs else "compatible")
        return tuple(found)

    @property
    def category(self) -> str:
        """The most severe category (where renderings list it)."""
        return self.categories[0]


Presence = Literal["added-required", "added-optional", "removed", "made-required", "made-optional"]


def presence_impact(event: Presence, direction: Direction) -> Impact:
    """Whom adding, removing or (un)requiring a field, parameter, header or body breaks.

    Removing one breaks its readers (and the generated client's argument or attribute).
    Written by the client: a new required one breaks clients (must send it) and servers (must
    demand it); a new optional one is a new input servers must honour. Written by the server:
    only a newly required one matters, to servers, which must now always send it.
    """
    request = direction == "request"
    return {
        "removed": CLIENTS,
        "added-required": BOTH if request else SERVERS,
        "added-optional": SERVERS if request else COMPATIBLE,
        "made-required": BOTH if request else SERVERS,
        "made-optional": SERVERS if request else CLIENTS,
    }[event]
