"""The command-line module that is running, for subcommand modules that reuse its helpers.

Under `python -m tui` the running module is `__main__`; importing `tui.__main__` again would load a second
copy, whose CliError the running main() would not catch.
"""

from __future__ import annotations

import sys
from types import ModuleType


def running_cli() -> ModuleType:
    running = sys.modules.get("__main__")
    if getattr(getattr(running, "__spec__", None), "name", None) == "tui.__main__":
        return running  # type: ignore[return-value]
    from . import __main__ as module

    return module
