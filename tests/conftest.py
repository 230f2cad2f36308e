"""Shared fixtures: a real simulator on loopback, driven by a clock the test advances by hand; an environment
without the developer's own settings; retry waits recorded instead of slept.

The suite runs in parallel (`pytest -n auto`, pytest-xdist): every test gets its own temporary directory, free
ports and its own environment (monkeypatch), and each worker is its own process, so module-level state is never
shared between tests running at the same time. The benchmarks under tests/perf/ are the exception: they
measure ratios and must have the cores to themselves, so they run in their own serial step (`pytest -m perf`).
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import os
import signal
import sys
from pathlib import Path

import pytest

from tui.config import Secret, Settings
from tui.sim import Simulator
from tui.sim.testing import FakeClock

START_EPOCH = 1_777_000_000.0  # a fixed simulated "now" (2026-04-24 03:06 UTC), so runs are repeatable

#: Every environment variable the program reads. A developer's shell (or a CI runner) may set any of them.
PROGRAM_ENV = ("WIRO_API_KEY", "WIRO_API_SECRET", "WIRO_AGENT_GUID", "WIRO_API_BASE", "TWILIO_API_BASE",
               "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "WIRO_VOICE_CONFIG", "WIRO_VOICE_EXPORT_DIR")

#: Young-generation threshold for the functional tests. Textual allocates many short-lived objects; at CPython's
#: default (a young collection every 700 allocations) enough survive into the old generation that a full
#: collection, a ~0.3 s scan of ~300 000 objects, ran every one or two UI tests: a fifth of their CPU time
#: (measured on tests/ui: 70 full collections in 100 tests, 8 at this threshold).
FUNCTIONAL_GC_THRESHOLD = (10_000, 10, 10)

#: Parsed Textual CSS shared by every app a worker starts. A Textual stylesheet keeps what it parsed in a cache of
#: its own, so each app of each test parsed every widget's CSS again: a sixth of a UI test's CPU time (measured
#: with cProfile on tests/ui/test_calls.py: 3413 parses, 4.2 s of 24 s). The key is everything the parse reads
#: (the CSS, where it came from, its scope and priority, and the theme's variables); a CSS error is never kept,
#: so it is raised again the next time.
_PARSED_CSS: dict[tuple, list] = {}
_VARIABLE_SETS: dict[tuple, int] = {}  # each distinct set of CSS variables, numbered

PERF_DIR = Path(__file__).parent / "perf"
SERIAL_ONLY = ("benchmarks measure ratios and must not share the cores with other tests: "
               "they run in their own serial step (`pytest -m perf`)")


def pytest_configure(config):
    # Some tests press Ctrl-C on a child process (`sim`, `hold play`). A test run started in the background by a
    # non-interactive shell has SIGINT ignored, and children inherit that: give it back its default so the child
    # gets Ctrl-C as it would from a terminal.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # At its end each process runs full garbage collections, looking for exceptions raised in finalizers (pytest's
    # unraisableexception plugin): five by default, one is kept here. By then a worker holds ~400 000 objects and
    # each collection scans them all (0.2-0.5 s, measured at the end of every worker of the suite); a second one
    # only finds garbage that a finalizer made in the first. Tests are still checked one by one as they run.
    try:
        from _pytest.unraisableexception import gc_collect_iterations_key
    except ImportError:  # another pytest: its own number
        return
    config.stash[gc_collect_iterations_key] = 1


def pytest_sessionfinish(session, exitstatus):
    """A pytest-xdist worker leaves without tearing its interpreter down: once the controller lets it go, its last
    step (atexit, registered now so it runs first) flushes its streams and exits with the session's status. The
    teardown it skips freed a worker's ~400 000 objects after one more full collection: the controller waited
    3-4 s for the six workers at the end of the suite (measured from each worker's atexit to the controller's
    session end). Results were all reported already; nothing here writes files at exit."""
    if hasattr(session.config, "workerinput"):
        atexit.register(_leave_now, int(exitstatus))


def _leave_now(status: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def pytest_xdist_auto_num_workers(config):
    """`-n auto` starts three workers per core. Serially the suite keeps a core busy only ~55 % of the time (Pilot
    waits for the app to go idle, servers answer, retries time out), so one worker per core leaves half of each
    core unused. On the 2-core VM, from a clean clone: 4 workers 167 s, 6 workers 151 s, 8 workers 158 s (each
    more worker also collects the whole suite). PYTEST_XDIST_AUTO_NUM_WORKERS still decides when set; `-n
    logical` is left to pytest-xdist."""
    if config.option.numprocesses != "auto" or os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 3 * cores


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist starts the workers
def pytest_sessionstart(session):
    """Under pytest-xdist, the controller rewrites the test modules' assertions once and keeps the result where
    pytest keeps it (`__pycache__/*-pytest-*.pyc`), before the workers start. Otherwise every worker, finding no
    rewritten module on a fresh checkout, rewrote all of them at once: ~3.3 s of CPU each (measured: a cold
    collection 5.4 s, a warm one 2.1 s). Only a speed-up: if pytest's rewriting works differently, nothing is
    written and each worker rewrites as before."""
    config = session.config
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        _rewrite_test_modules(config, Path(__file__).parent)


def _rewrite_test_modules(config, folder: Path) -> None:
    try:
        from _pytest.assertion import rewrite
    except ImportError:
        return
    if sys.dont_write_bytecode or config.getoption("assertmode") != "rewrite":
        return
    for path in sorted(folder.rglob("*.py")):
        if not (path.name.startswith("test_") or path.name == "conftest.py"):
            continue
        cache = rewrite.get_cache_dir(path)
        pyc = cache / (path.name[:-3] + rewrite.PYC_TAIL)
        try:
            if rewrite._read_pyc(path, pyc, lambda *_: None) is not None:
                continue  # rewritten already, from this very source
            rewrite.try_makedirs(cache)
            source_stat, code = rewrite._rewrite_test(path, config)
            rewrite._write_pyc(config.stash[rewrite.assertstate_key], code, source_stat, pyc)
        except Exception:  # noqa: BLE001 - an optimisation only: the worker rewrites this module itself
            continue


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Everything under tests/perf/ is a benchmark (marked `perf`); under xdist benchmarks are skipped, saying why.
    Tests marked `long` go first (in their order), so that the workers end on short tests; every worker sorts the
    same collection the same way, as pytest-xdist requires."""
    parallel = hasattr(config, "workerinput")  # set in pytest-xdist workers only
    for item in items:
        if item.path.is_relative_to(PERF_DIR) and item.get_closest_marker("perf") is None:
            item.add_marker(pytest.mark.perf)
        if parallel and item.get_closest_marker("perf") is not None:
            item.add_marker(pytest.mark.skip(reason=SERIAL_ONLY))
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_collection_finish(session):
    """Fewer full garbage collections, CSS parsed once per worker, and no freezing of settled objects for the
    functional tests; benchmarks keep the interpreter's defaults, Textual and the app as they are, since they
    measure the program as it runs."""
    if not any(item.get_closest_marker("perf") for item in session.items):
        gc.set_threshold(*FUNCTIONAL_GC_THRESHOLD)
        _share_parsed_css()
        # The app freezes what it built once settled (tui/ui/app.py), after one full collection: in a test worker
        # that collection scans every earlier test's leftovers too (~0.3 s for each test that runs 3 s).
        # tests/ui/test_settled_objects.py turns it back on.
        from tui.ui import app

        app.SETTLED_SECONDS = None


def _share_parsed_css() -> None:
    from textual.css.stylesheet import Stylesheet

    parse = Stylesheet._parse_rules

    def variables_key(self) -> int:
        """The stylesheet's variables as a number, found once per variables dict (Textual replaces the dict when
        the theme changes; sorting and hashing ~150 of them on every parse cost ~1 % of the suite)."""
        variables = self._variables
        made = self.__dict__.get("_shared_variables_key")
        if made is None or made[0] is not variables or made[1] != len(variables):
            number = _VARIABLE_SETS.setdefault(tuple(sorted(variables.items())), len(_VARIABLE_SETS))
            made = self.__dict__["_shared_variables_key"] = (variables, len(variables), number)
        return made[2]

    def shared(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):
        key = (css, read_from, is_default_rules, tie_breaker, scope, variables_key(self))
        rules = _PARSED_CSS.get(key)
        if rules is None:
            rules = _PARSED_CSS[key] = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
        return rules

    Stylesheet._parse_rules = shared


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock):
    with Simulator(seed=7, clock=clock, start_epoch=START_EPOCH, timeout_hold=0.5) as s:
        yield s


@pytest.fixture
def sim_settings(sim, tmp_path) -> Settings:
    """Settings pointing at the simulator, with a private config file and no agent chosen."""
    return Settings(
        api_key=Secret(sim.api_key),
        api_base=sim.wiro_base,
        twilio_base=sim.twilio_base,
        config_path=tmp_path / "config.toml",
    )


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """None of the program's variables from the developer's shell, and a config file of the test's own
    (`WIRO_VOICE_CONFIG` → tmp_path/config.toml, not there yet). Returns monkeypatch, to set more."""
    for name in PROGRAM_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WIRO_VOICE_CONFIG", str(tmp_path / "config.toml"))
    return monkeypatch


@pytest.fixture
def sim_env(clean_env, sim):
    """`clean_env` plus the simulator's API key in WIRO_API_KEY, as a configured user has it."""
    clean_env.setenv("WIRO_API_KEY", sim.api_key)
    return clean_env


@pytest.fixture
def retry_waits(monkeypatch) -> list[float]:
    """The backoff waits of every Wiro and Twilio client created during the test, recorded instead of slept.

    Commands build their own client, so the sleep is injected as the clients' default; a test can assert how
    many retries were made and how long each would have waited.
    """
    from tui.twilio.client import TwilioClient
    from tui.wiro.client import WiroClient

    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    for client in (WiroClient, TwilioClient):
        monkeypatch.setitem(client.__init__.__kwdefaults__, "sleep", record)
    return waits


@pytest.fixture(autouse=True, scope="session")
def _utc():
    """Times on screen are local: pin the zone so snapshots match on every machine."""
    import time

    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()
