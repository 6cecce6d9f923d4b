"""Spaces API contract toolkit: reference server, contract suite and CLI."""
