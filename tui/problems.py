"""A finding about one input: an error blocks saving, a warning informs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    level: Level
    message: str
    field: str = ""

    @property
    def blocks(self) -> bool:
        return self.level == "error"


def error(message: str, field: str = "") -> Problem:
    return Problem("error", message, field)


def warning(message: str, field: str = "") -> Problem:
    return Problem("warning", message, field)
