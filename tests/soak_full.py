"""The full-length soak in one command: `python tests/soak_full.py` (from the checkout; extra arguments go to pytest).

Runs tests/stress/test_soak.py with 400 polls per screen (Calls, Overview, Logs: 1200 polls) instead of the
CI's trimmed length, and prints each screen's tally (polls, failures shown stale, faults injected). Takes a few
minutes. Set WIRO_VOICE_SOAK_POLLS to choose another length.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FULL_POLLS = 400  # per screen


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ)
    env.setdefault("WIRO_VOICE_SOAK_POLLS", str(FULL_POLLS))
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "tests/stress/test_soak.py", *argv]
    print(f"soak: {env['WIRO_VOICE_SOAK_POLLS']} polls per screen: {' '.join(command[1:])}", flush=True)
    return subprocess.call(command, cwd=root, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
