"""The kit as a whole: the shared statement is in the teachers' guide, and nothing in
sim.teach pulls in the game window or the command line."""

import subprocess
import sys
from pathlib import Path

from sim.teach.common import SIMPLIFICATION

ROOT = Path(__file__).resolve().parents[2]


def test_the_guide_carries_the_simplification_statement():
    text = (ROOT / "docs" / "classroom.md").read_text()
    quoted = " ".join(line.lstrip("> ").strip() for line in text.splitlines() if line.startswith(">"))
    assert SIMPLIFICATION in " ".join(quoted.split())
    for needle in ("astana_2017", "iran_for_ukraine_2018", "--as", "arbiter briefing", "arbiter predict",
                   "turning points", "reproducibility stamp", "45 minutes"):
        assert needle in text


def test_the_kit_imports_no_window_and_no_command_line():
    code = ("import sys; import sim.teach.commands, sim.teach.briefing, sim.teach.predictions, "
            "sim.teach.turning_points; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'pygame' or m.startswith(('sim.ui', 'sim.cli'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
