"""Arbiter: a seeded agent model of the great-power contest over Syria."""

__version__ = "0.1.0"
