"""Liaison: the app foreign police liaison officers carry during a mega-event."""

__version__ = "0.1.0"
