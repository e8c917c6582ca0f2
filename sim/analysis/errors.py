"""The one error a user of the analysis commands can fix: bad input, refused before any run."""

from __future__ import annotations


class AnalysisError(ValueError):
    """Bad arguments or files (an unknown path, a range out of bounds, a sample size a sampler
    cannot use...). The command line prints the message as one paragraph and exits 2."""
