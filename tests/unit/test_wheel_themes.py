"""The built wheel carries the theme files: install it into a fresh venv and load them from there."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=180, cwd=cwd, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.long
def test_the_wheel_ships_the_themes_and_the_installed_app_loads_them(tmp_path):
    wheels = tmp_path / "wheels"
    # With hatchling at hand, build offline; otherwise pip fetches it into an isolated build env.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", wheels, ROOT)
    (wheel,) = wheels.glob("wiro_voice_tui-*.whl")

    # a plain venv: nothing of this checkout or of the test venv is visible in it
    fresh = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel)

    purelib = Path(run(python, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    shipped = purelib / "tui" / "themes_data"
    expected = sorted(p.name for p in (ROOT / "themes").glob("*.toml"))
    assert len(expected) >= 3
    assert sorted(p.name for p in shipped.glob("*.toml")) == expected

    # each file parses with the fresh interpreter's own tomllib, found through the installed package
    check = (
        "import json, tomllib, pathlib, importlib.util\n"
        "spec = importlib.util.find_spec('tui')\n"
        "folder = pathlib.Path(spec.origin).parent / 'themes_data'\n"
        "print(json.dumps({'package': spec.origin,"
        " 'themes': {p.name: tomllib.loads(p.read_text())['primary'] for p in sorted(folder.glob('*.toml'))}}))\n"
    )
    found = json.loads(run(python, "-I", "-c", check, cwd=tmp_path))
    assert Path(found["package"]).is_relative_to(fresh)
    assert found["themes"] == {name: tomllib.loads((ROOT / "themes" / name).read_text())["primary"] for name in expected}

    # the installed loader finds them too (Textual borrowed from the test venv, added *after* the fresh one)
    borrowed = sysconfig.get_paths()["purelib"]
    load = (
        f"import sys, json; sys.path.append({borrowed!r})\n"
        "import tui, tui.ui.themes as themes\n"
        "catalog = themes.load_catalog()\n"
        "print(json.dumps({'package': tui.__file__, 'dir': str(themes.bundled_themes_dir()),"
        " 'names': catalog.names(), 'problems': [p.message for p in catalog.problems]}))\n"
    )
    loaded = json.loads(run(python, "-I", "-c", load, cwd=tmp_path))
    assert Path(loaded["package"]).is_relative_to(fresh)
    assert Path(loaded["dir"]) == shipped
    assert loaded["problems"] == []
    assert {"wiro-dark", "wiro-light", "wiro-high-contrast"} <= set(loaded["names"])
