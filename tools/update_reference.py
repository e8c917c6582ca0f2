"""Regenerate the kept reference run (tests/reference/astana_2017_seed1.json).

Run it only when a change of the model's behaviour is intended, and commit the diff with
a message that says why the behaviour changed."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.model.model import ArbiterModel  # noqa: E402
from sim.report import reference_summary  # noqa: E402

OUT = ROOT / "tests" / "reference" / "astana_2017_seed1.json"

if __name__ == "__main__":
    run = ArbiterModel(scenario="astana_2017", seed=1).run().to_json()
    OUT.write_text(json.dumps(reference_summary(run), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")
