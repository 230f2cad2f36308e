"""Every stored SVG snapshot belongs to a test that still exists.

syrupy reports unused snapshots only in a serial run: under pytest-xdist each worker sees a share of the tests,
so syrupy leaves the check out. A renamed or deleted snapshot test would otherwise leave its SVG behind.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent


def test_every_stored_snapshot_has_its_test():
    snapshots = sorted((HERE / "__snapshots__").glob("*/*.svg"))  # __snapshots__/<test module>/<test>[<id>].svg
    assert snapshots, "no snapshots found: did the folder move?"
    orphans = []
    for svg in snapshots:
        module = HERE / f"{svg.parent.name}.py"
        test = svg.stem.split("[")[0]
        source = module.read_text() if module.exists() else ""
        if not re.search(rf"^(?:async )?def {re.escape(test)}\(", source, re.M):
            orphans.append(str(svg.relative_to(HERE)))
    # a serial `pytest tests/ui --snapshot-update` deletes them too
    assert orphans == [], f"snapshots without a test, delete them: {orphans}"
