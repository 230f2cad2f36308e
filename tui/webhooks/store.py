"""The last webhook report per agent, kept on disk so the pane is not empty after a restart.

One JSON file per agent beside the config file (mode 0600, written atomically). A report holds numbers,
Wiro's reasons and the time it was made — never a token (server text is scrubbed when the report is
built). A missing file is "no report"; a damaged one is "no report" plus a warning, never an exception.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..common.atomic import write_private
from .report import SaveReport

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class LoadedReport:
    """What `load_report` found: a report, or None with an optional warning that says what to do."""

    report: SaveReport | None
    warning: str | None = None


def reports_dir(config_path: Path | None = None) -> Path:
    """Beside the config file when one is given (so `--config`/WIRO_VOICE_CONFIG move it too), else the
    platform's user state dir (~/.local/state/wiro-voice on Linux)."""
    if config_path is not None:
        return Path(config_path).expanduser().parent / "webhook-reports"
    from platformdirs import user_state_dir

    return Path(user_state_dir("wiro-voice")) / "webhook-reports"


def report_path(directory: Path, agent_guid: str) -> Path:
    """The file for one agent's report (the guid made safe as a file name)."""
    return Path(directory) / f"{_SAFE_NAME.sub('_', agent_guid) or 'agent'}.json"


def save_report(path: Path, report: SaveReport) -> None:
    """Write the report atomically, mode 0600. Raises OSError when the folder cannot be written."""
    document = {"version": 1, **report.to_json()}
    write_private(Path(path), json.dumps(document, ensure_ascii=False, indent=1).encode())


def load_report(path: Path) -> LoadedReport:
    """The stored report; no file means no report, a damaged file means no report and a warning."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedReport(None)
    except OSError as exc:
        return LoadedReport(None, f"Cannot read the last webhook report {path}: {exc.strerror or exc}. "
                            "Save the credential again to make a new one.")
    try:
        report = SaveReport.from_json(json.loads(raw.decode("utf-8")))
    except (ValueError, UnicodeDecodeError, RecursionError):
        report = None
    if report is None:
        return LoadedReport(None, f"The last webhook report {path} is damaged and was ignored; the next save "
                            "replaces it (or delete the file).")
    return LoadedReport(report)
