"""Webhook delivery: the worker, its pinned transport, target checks and retry schedules."""
