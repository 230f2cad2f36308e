"""Only tui/ui imports Textual; the dashboard does not pull in heavy audio libraries at start."""

import json
import pkgutil
import subprocess
import sys

import tui


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(tui.__path__, "tui."):
        if info.name.startswith("tui.ui") or info.name == "tui.__main__":
            continue
        names.append(info.name)
    return names


def _modules_after_import(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def test_core_modules_do_not_import_textual():
    modules = _core_modules()
    assert "tui.wiro.client" in modules and "tui.sim" in modules
    loaded = _modules_after_import("\n".join(f"import {m}" for m in modules) + "\nimport tui.__main__")
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_the_app_does_not_import_audio_libraries():
    loaded = _modules_after_import("import tui.ui.app")
    assert "textual" in loaded
    assert not loaded & {"numpy", "pydub", "sounddevice", "miniaudio", "scipy"}


def test_the_first_frame_imports_no_models_client_or_simulator():
    loaded = _modules_after_import("import tui.__main__, tui.ui.app, tui.ui.screens.overview")
    assert not loaded & {"tui.wiro.models", "tui.wiro.client", "httpx", "tui.sim", "tui.credential.rules"}
