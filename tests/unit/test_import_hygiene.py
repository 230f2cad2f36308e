"""Only tui/ui imports Textual; the dashboard does not pull in heavy audio libraries at start; the command
line has one home (tui/cli) that no domain package imports, and the plain start builds no parsers."""

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import tui

from tui.cli import COMMANDS


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
    loaded = _modules_after_import("\n".join(f"import {m}" for m in modules) + "\nimport tui.__main__, tui.cli")
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_the_app_does_not_import_audio_libraries():
    loaded = _modules_after_import("import tui.ui.app")
    assert "textual" in loaded
    assert not loaded & {"numpy", "pydub", "sounddevice", "miniaudio", "scipy"}


def test_the_first_frame_imports_no_models_client_or_simulator():
    loaded = _modules_after_import("import tui.__main__, tui.cli, tui.ui.app, tui.ui.screens.overview")
    assert not loaded & {"tui.wiro.models", "tui.wiro.client", "httpx", "tui.sim", "tui.credential.rules"}


GUID = "11111111-1111-4111-8111-111111111111"
SUBCOMMAND_MODULES = {f"tui.cli.{name}" for name in COMMANDS.values()}


def test_import_tui_cli_loads_no_argparse_and_no_subcommand_module():
    loaded = _modules_after_import("import tui.cli, tui.__main__")
    assert "argparse" not in loaded and not loaded & SUBCOMMAND_MODULES
    assert {"tui.cli", "tui.cli.common", "tui.cli.dashboard"} <= loaded


def _plain_start(argv: list[str], tmp_path) -> dict:
    """main(argv) up to the app's run() (replaced by a recorder), in a fresh interpreter: what it loaded and
    what the app was given."""
    code = f"""
import json, sys
import tui.ui.app as app_module
seen = {{}}
def run(self, *args, **kwargs):
    seen.update(demo=bool(self.demo), theme=self.theme, agent=self.settings.agent)
app_module.WiroVoiceApp.run = run
from tui.cli import main
code = main({argv!r})
print(json.dumps({{"code": code, "seen": seen, "modules": sorted(sys.modules)}}))
"""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "WIRO_VOICE_CONFIG": str(tmp_path / "config.toml")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def test_the_plain_start_reads_its_options_without_argparse_or_subcommand_modules(tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text('theme = "wiro-dark"\n')
    for argv in ([], ["--demo"], ["--demo", "--theme", "wiro-light", "--config", str(config), "--seed", "3",
                                  "--speed", "2", "--agent", GUID]):
        started = _plain_start(argv, tmp_path)
        modules = set(started["modules"])
        assert started["code"] == 0 and started["seen"]["demo"] is True, argv
        assert "argparse" not in modules and not modules & SUBCOMMAND_MODULES, argv
    assert started["seen"]["theme"] == "wiro-light" and started["seen"]["agent"] == GUID


def _imported_names(path: Path, root: Path) -> set[str]:
    """Every module name `path` imports, relative imports resolved."""
    package = ("tui", *path.relative_to(root).parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names.add(module)
            names.update(f"{module}.{a.name}" for a in node.names)
    return names


def test_no_domain_package_holds_argparse_or_imports_the_command_line():
    root = Path(tui.__file__).parent
    offenders = sorted(
        str(path.relative_to(root)) for path in root.rglob("*.py")
        if path.relative_to(root).parts[0] not in ("cli", "__main__.py")
        and any(n == "argparse" or n == "tui.cli" or n.startswith("tui.cli.") for n in _imported_names(path, root)))
    assert offenders == []
    assert "tui.cli.common" in _imported_names(root / "cli" / "agents.py", root)  # the resolver sees relative imports
    assert not list(root.rglob("cli.py")) and not (root / "running_cli.py").exists()
    main_text = (root / "__main__.py").read_text()
    assert main_text.startswith("from tui.cli import main\n") and len(main_text.strip().splitlines()) <= 4


#: functions that write a file and fsync it: on the event loop they stall the screen (issue 15.7)
FSYNCING_WRITES = {"save_config", "save_report", "write_private"}


def test_the_ui_writes_config_and_reports_only_through_a_thread():
    """Inside tui/ui, a config or report write is never called directly, only handed to asyncio.to_thread
    (`to_thread(save_config, path, updates)` passes the function, it does not call it)."""
    direct = []
    for path in sorted((Path(tui.__file__).parent / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in FSYNCING_WRITES:
                    direct.append(f"{path.name}:{node.lineno} {name}()")
    assert not direct, f"fsyncing writes on the event loop: {direct}"
