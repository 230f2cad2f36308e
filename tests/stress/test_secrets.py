"""Secrets never show: a recognisable Wiro API key, API secret and Twilio auth token are set, then every
subcommand runs (text and --json, each in a process of its own, against the simulator), every screen is exported
as SVG (with the token typed into the Credentials form and the Webhooks token field), every error path that can be
provoked is (401, 500, timeouts, garbage, dropped connections, bad config, broken credential files), and all of
that output plus every file written (config, drafts, webhook reports, renders) is searched. Nothing may show
any 8 characters of a secret: the documented mask (`tui.common.masking.mask`) shows the last 4 at most.

The config file may hold the Wiro key and secret when the user saves them on the Connection screen (that is
what it is for, hence mode 0600); it must never get them from the environment, and never the Twilio token.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from textual.widgets import Input

from tui.cli import build_parser
from tui.common.masking import mask
from tui.sim import auth
from tui.ui.app import WiroVoiceApp
from tui.ui.navigation import DESTINATIONS

from ..forked_cli import run_forked
from ..ui.helpers import notifications
from ..unit.credential_audio import write_wav
from .soak import SoakApp

pytestmark = pytest.mark.long

KEY = "wvkey-SECRETKEY-7f3a9c1e5b2d4860"
SECRET = "wvsec-SECRETSEC-91b7e2d4c6a8f035"
TOKEN = "5ec12e7a0c0ffee5ec12e7a0c0ffee99"  # 32 hex, as Twilio auth tokens are
WRONG_KEY = "wvkey-WRONGKEY-0d8e6f4a2c1b9735"
WRONG_TOKEN = "0badc0de5ec7e70badc0de5ec7e7f00d"
SECRETS = (KEY, SECRET, TOKEN, WRONG_KEY, WRONG_TOKEN)
ROOT = Path(__file__).resolve().parents[2]
WINDOW = 8


def leaks(text: str | bytes, where: str) -> list[str]:
    """Every place a secret (any 8 characters of it in a row) shows up in `text`."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    found = []
    for secret in SECRETS:
        for i in range(len(secret) - WINDOW + 1):
            if secret[i:i + WINDOW] in text:
                at = text.index(secret[i:i + WINDOW])
                found.append(f"{where}: {secret[:6]}… as {text[max(0, at - 40):at + 40]!r}")
                break
    return found


def files_under(folder: Path) -> Iterable[Path]:
    return (p for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def world(sim, monkeypatch, tmp_path):
    """The simulator knows the recognisable key (signature mode) and the demo Twilio account has the token."""
    monkeypatch.setitem(auth.PROJECTS, KEY, SECRET)
    with sim.world.lock:
        sim.world.twilio.accounts[sim.twilio_account_sid].auth_token = TOKEN
        sim.world.agents[sim.demo_agent_guid].twilio["authtoken"] = TOKEN
    sim.timeout_hold = 0.5
    home = tmp_path / "home"
    home.mkdir()
    return sim, home


# -- every subcommand, in a process of its own ---------------------------------------------------------------


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")  # argparse's table of subcommands
    return sorted(action.choices)


def run(argv: list[str], env: dict[str, str], *, cwd: Path, timeout: float = 90, fresh: bool = False) -> str:
    """`wiro-voice ARGV` in a process of its own: forked from a server that has the command line imported
    (tests/forked_cli.py), or with `fresh` a new interpreter, as a person starts it."""
    if fresh:
        done = subprocess.run([sys.executable, "-m", "tui", *argv], env=env, cwd=cwd, capture_output=True, text=True,
                              timeout=timeout, check=False)
    else:
        done = run_forked(argv, env, cwd=cwd, timeout=timeout)  # exit codes 1 and 2 are part of what is tested
    assert "Traceback" not in done.stderr, f"{argv}: {done.stderr[-2000:]}"
    return f"$ wiro-voice {' '.join(argv)} (exit {done.returncode})\n{done.stdout}\n{done.stderr}"


def run_until(argv: list[str], env: dict[str, str], marker: str, *, cwd: Path) -> str:
    """A command that serves until stopped (sim, serve): read until `marker`, then stop it."""
    proc = subprocess.Popen([sys.executable, "-m", "tui", *argv], env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if marker in line or len(lines) > 200:
                break
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return f"$ wiro-voice {' '.join(argv)}\n{''.join(lines)}"


def base_env(home: Path, **more: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8", "TERM": "dumb",
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_STATE_HOME": str(home / ".state"),
           "XDG_CACHE_HOME": str(home / ".cache"), "XDG_DATA_HOME": str(home / ".data"),
           "WIRO_VOICE_CONFIG": str(home / "config" / "config.toml"), "PYTHONPATH": str(ROOT),
           "WIRO_API_KEY": KEY, "WIRO_API_SECRET": SECRET, "TWILIO_AUTH_TOKEN": TOKEN}
    env.update(more)
    return env


def argv_for(name: str, sim, home: Path, cred: Path) -> list[list[str]]:
    """The ways to run each subcommand; an unknown (new) one gets --help and a plain run."""
    conn = ["--api-base", sim.wiro_base, "--twilio-base", sim.twilio_base, "--agent", sim.demo_agent_guid]
    music = home / "music.wav"
    session = "00000000-0000-4000-8000-000000000000"
    table = {
        "agents": [["agents", *conn], ["agents", "--json", *conn]],
        "status": [["status", *conn], ["status", "--json", *conn], ["status", "--demo", "--json"]],
        "calls": [["calls", *conn], ["calls", "--json", *conn], ["calls", "--csv", *conn]],
        "session": [["session", session, *conn], ["session", session, "--json", *conn]],
        "start": [["start", *conn[:4], "--agent", sim.stopped_agent_guid], ["start", "--json", *conn]],
        "stop": [["stop", *conn[:4], "--agent", sim.setup_agent_guid, "--json"]],
        "webhooks": [["webhooks", *conn], ["webhooks", "--json", *conn], ["webhooks", "--demo", "--json"]],
        "check": [["check", str(cred)], ["check", str(cred), "--json"]],
        "save": [["save", str(cred), *conn], ["save", str(cred), "--json", *conn]],
        "hold": [["hold", "render", "--config", str(cred), "--music", str(music), "--strategy", "text_then_music",
                  "--out", str(home / "render.wav")],
                 ["hold", "premix", "--voice", str(music), "--music", str(music), "--out", str(home / "premix.wav")]],
        "logs": [["logs", *conn], ["logs", "--json", *conn]],
        "doctor": [["doctor", *conn], ["doctor", "--json", *conn]],
        "themes": [["themes"], ["themes", "--json"]],
        "insights": [["insights", *conn], ["insights", "--json", *conn], ["insights", "--csv", "--since", "30d", *conn]],
        "history": [["history", "path"], ["history", "export", *conn], ["history", "prune", "--json", *conn],
                    ["history", "export", "--csv", "--out", str(home / "calls.csv"), *conn]],
        "sim": [],  # served until stopped: run_until below
        # the Pilot Line has no credits: an alert, so the hook runs and writes its environment and stdin
        # (its own config: the runs go side by side, and a second watcher on one state file is refused)
        "watch": [["watch", "--once", *conn], ["watch", "--once", "--json", *conn[:4], "--agent", sim.nocredit_agent_guid,
                   "--config", str(home / "watch" / "config.toml"),
                   "--on-alert", f'env > "{home}/hook-env.txt"; cat > "{home}/hook-stdin.json"']],
        "serve": [],
    }
    return table.get(name, [[name, "--help"], [name, *conn]])


def credential_file(sim, home: Path) -> Path:
    path = home / "credential.json"
    path.write_text(json.dumps({
        "accountsid": sim.twilio_account_sid, "authtoken": TOKEN, "phonenumbers": ["+14155550142", "+14155550163"],
        "holdstrategy": "text", "holdtext": "Please hold while we connect you.", "holdvoice": "Polly.Joanna-Neural"}))
    return path


def test_no_subcommand_shows_a_secret(world, monkeypatch):
    sim, home = world
    write_wav(home / "music.wav", 3)
    cred = credential_file(sim, home)
    env = base_env(home, TWILIO_ACCOUNT_SID=sim.twilio_account_sid)
    names = subcommands()
    runs = [argv for name in names for argv in argv_for(name, sim, home, cred)]
    assert {"agents", "status", "calls", "save", "check", "webhooks", "doctor", "logs"} <= set(names)
    transcripts: list[str] = []

    def batch(argvs: list[list[str]], env: dict[str, str]) -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:  # most runs wait on the network (retry backoff)
            transcripts.extend(pool.map(lambda argv: run(argv, env, cwd=home), argvs))

    batch(runs, env)
    if "watch" in names:  # the alert hook ran, with the watcher's environment minus the secrets
        assert "WIRO_VOICE_ALERT_RULE=credits_low" in (home / "hook-env.txt").read_text()
    transcripts.append(run_until(["sim", "--port", "0"], env, "Press Ctrl-C", cwd=home))
    transcripts.append(run_until(["watch", "--metrics", "127.0.0.1:0", "--api-base", sim.wiro_base], env,
                                 "metrics on", cwd=home))
    if "serve" in names:
        transcripts.append(run_until(["serve", "--port", "0"], env, "http", cwd=home))
    for argv in (["--version"], ["--help"], argv_for("status", sim, home, cred)[1], argv_for("check", sim, home, cred)[0]):
        transcripts.append(run(argv, env, cwd=home, fresh=True))  # a new interpreter: what a person runs

    # the error paths: the server failing in every way the simulator can, then refusing the key or the token
    network = [argv for name in ("agents", "status", "calls", "session", "start", "save", "logs", "doctor", "webhooks")
               for argv in argv_for(name, sim, home, cred)[:2]]
    as_json = [argv for argv in network if "--json" in argv]
    # each fault over every command's --json (and some text); timeouts and 429 back off for seconds, so a
    # read and a write only
    texts = [argv for argv in network if "--json" not in argv and argv[0] in ("agents", "save", "webhooks")]
    for faults, argvs in (("500:1.0", as_json + texts), ("garbage:1.0", as_json), ("drop:1.0", as_json),
                          ("timeout:1.0", [network[2], network[9]]), ("429:1.0", [network[3], network[8]])):
        sim.set_faults(faults)
        batch(argvs, env)
    sim.set_faults(None)
    batch(network, base_env(home, WIRO_API_KEY=WRONG_KEY, TWILIO_AUTH_TOKEN=WRONG_TOKEN,
                            TWILIO_ACCOUNT_SID=sim.twilio_account_sid))  # 401 from Wiro and from Twilio
    batch(network[:6], base_env(home, WIRO_API_SECRET=WRONG_KEY))  # signature does not match
    batch([["status", "--json", *network[0][1:]], ["agents", *network[0][1:]]],
          base_env(home, WIRO_API_KEY=KEY + " " + SECRET))  # a pasted key with a space: refused before sending

    # bad configuration: files that hold the key and are broken in every way a person manages
    config = home / "bad" / "config.toml"
    config.parent.mkdir()
    broken = [f'api_key = "{KEY}"\napi_secret = "{SECRET}"\nagent = \n', f'api_kee = "{KEY}"\n', f"api_key = {KEY}\n",
              f'api_key = ["{KEY}"]\n', f'api_key = "{KEY}"\napi_base = "ftp://nowhere"\n', f"{KEY}\n",
              f'api_key = "{KEY} {SECRET}"\n']
    for text in broken:
        config.write_text(text)
        config.chmod(0o644)  # readable by others: a warning too
        env_bad = {k: v for k, v in base_env(home, WIRO_VOICE_CONFIG=str(config)).items()
                   if k not in ("WIRO_API_KEY", "WIRO_API_SECRET")}
        batch([["status", "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid],
               ["status", "--json", "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid]], env_bad)
    batch([["calls", "--demo"]], env_bad)  # the demo goes on without the broken config
    # broken credential files that hold the token (in its own field, malformed)
    inputs = {cred, config}
    for name, text in (("c1.json", f'{{"authtoken": "{TOKEN}", "accountsid": oops}}'),
                       ("c2.toml", f'authtoken = "{TOKEN}"\naccountsid = \n'),
                       ("c3.json", json.dumps({"authtoken": TOKEN + "x"})),
                       ("c4.json", json.dumps({"authtoken": "SK" + TOKEN[2:], "accountsid": sim.twilio_account_sid}))):
        bad = home / name
        bad.write_text(text)
        inputs.add(bad)
        batch([["check", str(bad)], ["check", str(bad), "--json"], ["save", str(bad), "--json", *network[0][1:]]], env)

    found = [leak for t in transcripts for leak in leaks(t, t.splitlines()[0])]
    for path in files_under(home):
        if path not in inputs:  # what the commands wrote (the inputs above hold the secrets on purpose)
            found += leaks(path.read_bytes(), str(path.relative_to(home)))
    assert not found, "\n".join(found)
    assert len(transcripts) > 100  # the runs above really ran
    everything = "\n".join(transcripts)
    assert mask(TOKEN) in everything  # the documented mask is what shows instead (check --json's normalized)
    assert "401" in everything or "refused" in everything.lower()


# -- every screen, exported as SVG -------------------------------------------------------------------------


async def settle(app, pilot, rounds: int = 3) -> None:
    """Let workers finish; switching screens cancels some (exclusive polls), which is fine here."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            pass
        await pilot.pause()


async def shots_of_every_screen(app, pilot) -> dict[str, str]:
    shots = {}
    for destination in DESTINATIONS:
        await app.switch_mode(destination.mode)
        await settle(app, pilot, rounds=4)
        shots[destination.mode] = app.export_screenshot()
    return shots


async def test_no_screen_shows_a_secret(world, sim_settings):
    sim, home = world
    from tui.config import Secret

    # TWILIO_AUTH_TOKEN set, as load_settings reads it
    settings = sim_settings.with_(api_key=Secret(KEY), api_secret=Secret(SECRET), agent=sim.demo_agent_guid,
                                  config_path=home / "config" / "config.toml", twilio_auth_token=Secret(TOKEN))
    found: list[str] = []
    app = SoakApp(settings, clock=sim.now)  # retry waits recorded, not slept
    async with app.run_test(size=(120, 50)) as pilot:
        for mode, svg in (await shots_of_every_screen(app, pilot)).items():
            found += leaks(svg, f"{mode}.svg")
        # the token typed where it is asked for, then the screens that use it
        await app.switch_mode("credentials")
        await settle(app, pilot, rounds=4)
        app.screen.query_one("#in-authtoken", Input).value = TOKEN
        await pilot.press("ctrl+t")  # verify with Twilio
        await settle(app, pilot, rounds=4)
        found += leaks(app.export_screenshot(), "credentials, token typed and verified")
        assert "Twilio" in str(app.screen.query_one("#verify-result").render())  # the check was really made
        await pilot.press("ctrl+s")  # save it
        await settle(app, pilot, rounds=6)
        assert "Saved" in str(app.screen.query_one("#save-result").render())
        found += leaks(app.export_screenshot(), "credentials, saved")
        if app.has_screen("webhooks"):
            await app.switch_mode("webhooks")
            await settle(app, pilot, rounds=4)
            app.screen.query_one("#in-twilio-token", Input).value = TOKEN
            app.screen.query_one("#verify").press()
            await settle(app, pilot, rounds=6)
            assert "Twilio accepts" in str(app.screen.query_one("#webhooks-account").render())
            found += leaks(app.export_screenshot(), "webhooks, token typed and verified")
            # the search is able to see it: the same field shown in clear (what "show" would do) is caught
            app.screen.query_one("#in-twilio-token", Input).password = False
            await pilot.pause()
            assert leaks(app.export_screenshot(), "revealed on purpose")
            app.screen.query_one("#in-twilio-token", Input).password = True
        # every screen while the server fails
        for faults in ("500:1.0", "garbage:1.0", "drop:1.0"):
            sim.set_faults(faults)
            for mode, svg in (await shots_of_every_screen(app, pilot)).items():
                found += leaks(svg, f"{mode}.svg under {faults}")
        sim.set_faults(None)
        found += leaks(" ".join(notifications(app)), "notifications")
        found += leaks(repr(app.settings) + repr(app.client), "reprs")
        # unsaved edits kept as a draft when quitting
        await app.switch_mode("credentials")
        await settle(app, pilot, rounds=4)
        app.screen.query_one("#in-authtoken", Input).value = WRONG_TOKEN
        app.screen.query_one("#in-maxcallseconds", Input).value = "700"
        app.screen.keep_draft()

    wrong = SoakApp(settings.with_(api_key=Secret(WRONG_KEY)), clock=sim.now)  # 401 everywhere
    async with wrong.run_test(size=(120, 50)) as pilot:
        for mode, svg in (await shots_of_every_screen(wrong, pilot)).items():
            found += leaks(svg, f"{mode}.svg with a refused key")
        found += leaks(" ".join(notifications(wrong)), "notifications with a refused key")

    for path in files_under(home):
        found += leaks(path.read_bytes(), str(path.relative_to(home)))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path} is not private"
    assert not found, "\n".join(found)
    assert list((home / "config").rglob("*.json")), "no draft or webhook report was written: nothing was searched"


async def test_the_connection_screen_saves_the_key_privately_and_shows_it_masked(world, sim_settings):
    sim, home = world
    config = home / "config" / "config.toml"
    app = WiroVoiceApp(sim_settings.with_(api_key=None, config_path=config), clock=sim.now)
    async with app.run_test(size=(120, 50)) as pilot:
        await app.switch_mode("connection")
        await settle(app, pilot)
        for name, value in (("api_key", KEY), ("api_secret", SECRET), ("api_base", sim.wiro_base),
                            ("agent", sim.demo_agent_guid)):
            app.screen.query_one(f"#in-{name}", Input).value = value
        await pilot.pause()
        found = leaks(app.export_screenshot(), "connection.svg, typed")
        await pilot.press("ctrl+p")  # the palette lists commands; none may show a value
        await pilot.pause()
        found += leaks(app.export_screenshot(), "palette")
        await pilot.press("escape")
        app.screen.action_save()
        await settle(app, pilot, rounds=4)
        assert app.settings.api_key is not None and app.settings.api_key.reveal() == KEY
        for mode, svg in (await shots_of_every_screen(app, pilot)).items():
            found += leaks(svg, f"{mode}.svg after saving the key")
        found += leaks(" ".join(notifications(app)), "notifications")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) & 0o077 == 0
    text = config.read_text()
    assert KEY in text and SECRET in text and TOKEN not in text  # the config is where the saved key lives
    assert not found, "\n".join(found)
