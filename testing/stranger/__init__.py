"""A Spaces API server written from the prose docs alone (see app.py's docstring): test
infrastructure for the contract suite, not shipped. `READINGS` holds its profiles: each a set of
choices a docs-only implementer may take where the docs are silent."""

from testing.stranger.app import (
    BREACHES,
    READINGS,
    Account,
    Readings,
    StrangerApp,
    create_app,
    two_accounts,
)

__all__ = [
    "BREACHES",
    "READINGS",
    "Account",
    "Readings",
    "StrangerApp",
    "create_app",
    "two_accounts",
]
