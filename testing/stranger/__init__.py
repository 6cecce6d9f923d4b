"""A Spaces API server written from the prose docs alone (see app.py's docstring): test
infrastructure for the contract suite, not shipped."""

from testing.stranger.app import BREACHES, Account, StrangerApp, create_app, two_accounts

__all__ = ["BREACHES", "Account", "StrangerApp", "create_app", "two_accounts"]
