"""Errors of the Docker engine verify talks to."""
from __future__ import annotations


class EngineError(Exception):
    """The engine or the client cannot be used: verify cannot run (exit 2)."""
