#!/usr/bin/env python3
"""Arbiter's entry point: `python run_sim.py COMMAND` (the same as the `arbiter` command)."""

from sim.cli import entry

if __name__ == "__main__":
    entry()
