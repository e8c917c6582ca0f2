"""Errors a scenario author reads: each names the file, the line, the field and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    file: str
    line: int | None
    path: str  # dotted field path, e.g. actors.russia.preferences.arbiter.weight
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class ScenarioError(ValueError):
    """A scenario (or an override of one) that cannot be used, with every problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.issues)
        head = "scenario is invalid" if n == 1 else f"scenario is invalid ({n} problems)"
        return head + ":\n" + "\n".join(f"  {i}" for i in self.issues)


def dotted(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)
