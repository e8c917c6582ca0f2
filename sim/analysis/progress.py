"""A one-line progress bar on stderr: runs done, runs per second, time left.

Drawn only when the stream is a terminal (a log file or a pipe gets nothing), at most ten
times a second; no dependency.
"""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, done: int = 0, *, label: str = "runs", stream=None,
                 enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_tty(self.stream) if enabled is None else enabled
        self.total = total
        self.done = done
        self.start_done = done
        self.label = label
        self.t0 = time.monotonic()
        self._last = 0.0
        self._width = 0
        if self.enabled:
            self._draw(force=True)

    def update(self, n: int) -> None:
        self.done += n
        if self.enabled:
            self._draw()

    @property
    def rate(self) -> float:
        dt = time.monotonic() - self.t0
        return (self.done - self.start_done) / dt if dt > 0 else 0.0

    def line(self) -> str:
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(frac * 24)
        rate = self.rate
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = _clock(left) if left is not None else "--:--"
        return (f"[{bar:<24}] {self.done}/{self.total} {self.label} {frac:4.0%}  "
                f"{rate:7.1f} {self.label}/s  {eta} left")

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.1 and self.done < self.total:
            return
        self._last = now
        text = self.line()
        pad = max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
