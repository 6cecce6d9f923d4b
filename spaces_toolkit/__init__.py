"""Spaces API contract toolkit: spec model, reference server, contract suite and CLI."""

__version__ = "0.1.0"
