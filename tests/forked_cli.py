"""`python -m tui ARGV` as a process of its own, forked from a server that has already imported the command line.

A test that runs the command line a hundred times over (tests/stress/test_secrets.py) spent most of its CPU time
starting interpreters and importing the same modules again: ~0.15 s a run. Here each run is still a separate
process with its own environment, working directory, exit status and output files, but it is forked (by
multiprocessing's fork server, started once per test worker with every command module imported) instead of
started from scratch. The child then does what the interpreter does for `python -m tui`: it calls `tui.cli.main`
with the arguments, turns SystemExit into the exit status and prints an uncaught exception's traceback on stderr.

What differs from a fresh interpreter: the interpreter's own start-up (it read the environment of the test worker,
not the run's: PYTHON* variables and the locale; stdout and stderr are made here as a UTF-8 locale makes them) and
stdin, which is /dev/null. Nothing in `tui` reads the environment when it is imported (every read of os.environ
there is inside a function), so a run sees its own environment from the start.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

#: imported by the fork server once: tests/forked_cli_server.py imports every module of `tui` a command can use;
#: "__main__" is the test process's main script (pytest's, when it has one), which a child would otherwise run
#: again each time before it starts
PRELOAD = ["__main__", "tests.forked_cli", "tests.forked_cli_server"]


@dataclass(frozen=True)
class Done:
    """What a run left: its exit status and everything it wrote to stdout and stderr."""

    returncode: int
    stdout: str
    stderr: str


def _stream(fd: int, errors: str) -> io.TextIOWrapper:
    """A text stream over `fd` as the interpreter makes sys.stdout (errors "strict") and sys.stderr
    ("backslashreplace") under a UTF-8 locale, stderr line-buffered."""
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8", errors=errors,
                            line_buffering=errors == "backslashreplace", write_through=False)


def _child(argv: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout, sys.stderr = _stream(1, "strict"), _stream(2, "backslashreplace")
    sys.argv = [str(Path(sys.modules["tui"].__file__).parent / "__main__.py"), *argv]
    try:
        from tui.cli import main

        status = main(argv)
    except SystemExit as stop:  # argparse's --help, --version and usage errors; as the interpreter exits
        status = stop.code
    except BaseException:  # noqa: BLE001 - the interpreter prints it and exits 1: so does this
        traceback.print_exc()
        status = 1
    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)  # no atexit handlers and no waiting for threads: a run's own finalizers are not tested here


_context: multiprocessing.context.BaseContext | None = None


def _forkserver() -> multiprocessing.context.BaseContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _context = context
    return _context


def run_forked(argv: list[str], env: dict[str, str], *, cwd: Path, timeout: float = 90) -> Done:
    """Run `python -m tui *argv` in a forked process with exactly `env` in `cwd`; fails the test on a timeout."""
    context = _forkserver()
    with tempfile.TemporaryDirectory(prefix="forked-cli-") as folder:
        out, err = os.path.join(folder, "stdout"), os.path.join(folder, "stderr")
        process = context.Process(target=_child, args=(list(argv), dict(env), str(cwd), out, err), daemon=True)
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise AssertionError(f"wiro-voice {' '.join(argv)}: still running after {timeout} s")
        with open(out, encoding="utf-8", errors="replace") as o, open(err, encoding="utf-8", errors="replace") as e:
            return Done(process.exitcode, o.read(), e.read())
