"""tests/forked_cli.py runs the command line in a process forked from a server that has it imported: what a run
prints and its exit status must be what a fresh `python -m tui` gives, with the run's own environment and folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.forked_cli import run_forked

ROOT = Path(__file__).resolve().parents[2]
AGENT = "00000000-0000-4000-8000-000000000000"


def test_a_forked_run_prints_and_exits_as_a_fresh_interpreter(tmp_path):
    (tmp_path / "bad.json").write_text('{"accountsid": oops}')
    (tmp_path / "broken.toml").write_text("api_key = \n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT),
           "WIRO_VOICE_CONFIG": str(tmp_path / "broken.toml"), "WIRO_API_KEY": "wvkey-forked-test"}
    runs = [["--version"], ["status", "--bogus"], ["check", "bad.json"], ["check", "bad.json", "--json"],
            ["check", "missing.json"], ["status", "--json", "--agent", AGENT], ["themes"]]
    statuses = {}
    for argv in runs:
        fresh = subprocess.run([sys.executable, "-m", "tui", *argv], env=env, cwd=tmp_path, capture_output=True,
                               text=True, timeout=60, check=False)
        forked = run_forked(argv, env, cwd=tmp_path)
        assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr), argv
        statuses[tuple(argv)] = forked.returncode, forked.stderr
    assert statuses[("--version",)][0] == 0 and statuses[("status", "--bogus")][0] == 2  # real exits were compared
    code, said = statuses[("status", "--json", "--agent", AGENT)]
    assert code == 2 and "broken.toml" in said  # the run's own environment named the config file

