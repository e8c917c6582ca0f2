"""Argument types shared by every command's parser, so the same mistake gets the same message."""

from __future__ import annotations

import argparse


def at_least(minimum: int):
    """An argparse type: a whole number no smaller than `minimum`."""

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"expected a number of at least {minimum}, got {n}")
        return n

    parse.__name__ = f"whole number >= {minimum}"  # argparse names the type in its messages
    return parse


positive_int = at_least(1)
nonneg_int = at_least(0)
