"""Webhook tools for receivers: `spaces listen`, the receiver test kit, secret rotation."""
