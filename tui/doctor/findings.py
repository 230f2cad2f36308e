"""A finding: what was seen, how bad it is, and the fix in the user's words.

Severities: "error" (calls fail or never reach the agent), "warning" (something callers notice, or a trap),
"info" (context, or a check that was skipped and why). A diagnosis is healthy when it has no error and no
warning: notes alone do not make the doctor's exit code non-zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
_RANK = {name: i for i, name in enumerate(SEVERITIES)}
#: how each severity is named in a heading, singular and plural
SEVERITY_WORDS = {"error": ("error", "errors"), "warning": ("warning", "warnings"), "info": ("note", "notes")}


@dataclass(frozen=True)
class Finding:
    """One thing the doctor found. `id` is stable for scripts ("agent.stopped", "number.twiml_app:+1…");
    `detail` says what was seen, `fix` what to change ("" when there is nothing to do)."""

    id: str
    severity: Severity
    title: str
    detail: str
    fix: str = ""

    def __post_init__(self) -> None:
        if self.severity not in _RANK:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {self.severity!r}")

    @property
    def is_problem(self) -> bool:
        """An error or a warning: something to change."""
        return self.severity != "info"

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "title": self.title, "detail": self.detail, "fix": self.fix}


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes; within a severity the checks' own order is kept (it puts the
    likeliest cause of a silent phone first)."""
    return sorted(findings, key=lambda f: _RANK[f.severity])


def healthy(findings: Iterable[Finding]) -> bool:
    """True when nothing needs changing (notes only, or nothing at all)."""
    return not any(f.is_problem for f in findings)


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each severity, every severity present (0 when none)."""
    out = {name: 0 for name in SEVERITIES}
    for finding in findings:
        out[finding.severity] += 1
    return out


def count_text(findings: Sequence[Finding]) -> str:
    """"2 errors, 1 warning, 3 notes"; "nothing found" for an empty list."""
    parts = []
    for name, n in counts(findings).items():
        if n:
            one, many = SEVERITY_WORDS[name]
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "nothing found"


def to_document(findings: Sequence[Finding], **extra: Any) -> dict[str, Any]:
    """DESIGN.md's `doctor` JSON: `{"findings": [{id, severity, title, detail, fix}]}`, plus `extra` keys."""
    return {"findings": [f.to_json() for f in findings], **extra}
