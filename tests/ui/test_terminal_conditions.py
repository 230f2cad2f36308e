"""Terminal conditions of SSH boxes, in a real pseudo-terminal: NO_COLOR writes no colour codes at all (and the
cursor row stays visible in reverse video); a locale that is not UTF-8 gets ASCII only, with one notice."""

from __future__ import annotations

import re

import pytest

from tui.ui.terminal import ascii_text, locale_is_utf8, to_ascii

from .pty_session import PtySession, dashboard_env, demo_command

pytestmark = pytest.mark.long

SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def sgr_params(output: bytes) -> list[list[int]]:
    return [[int(p or 0) for p in re.split(rb"[;:]", m.group(1))] for m in SGR.finditer(output)]


def colour_codes(output: bytes) -> list[str]:
    """Every SGR colour parameter written (default-colour resets 39/49 are not colours)."""
    found = []
    for params in sgr_params(output):
        i = 0
        while i < len(params):
            p = params[i]
            if p in (38, 48, 58):
                found.append(f"{p}:" + ",".join(map(str, params[i + 1:i + 6])))
                i += 3 if params[i + 1:i + 2] == [5] else 5
                continue
            if 30 <= p <= 37 or 40 <= p <= 47 or 90 <= p <= 97 or 100 <= p <= 107:
                found.append(str(p))
            i += 1
    return found


def run_demo(tmp_path, keys: str, **env: str) -> bytes:
    """The demo in an 80x24 pty: wait for the agent, open Calls (a table with a cursor) and Webhooks."""
    session = PtySession(demo_command(), dashboard_env(tmp_path, **env))
    try:
        session.read_until(b"Front Desk", timeout=40)
        for key in keys:
            session.send(key)
            session.read_for(1.5)
        return session.output
    finally:
        session.close()


@pytest.mark.parametrize("theme", ["wiro-dark", "textual-ansi"])
def test_no_color_means_no_colour_codes_on_any_screen(tmp_path, theme):
    (tmp_path / "config.toml").write_text(f'theme = "{theme}"\n')
    coloured = run_demo(tmp_path, "c", LANG="C.UTF-8")
    assert len(colour_codes(coloured)) > 50  # the same run without NO_COLOR is full of colour: the check can fail
    plain = run_demo(tmp_path, "cw", LANG="C.UTF-8", NO_COLOR="1")
    assert b"Caller" in plain and b"What Twilio says" in plain  # both screens were drawn
    assert colour_codes(plain) == []
    # what colour showed is still shown: the table's cursor row in reverse video
    assert any(7 in params for params in sgr_params(plain))


def test_a_c_locale_gets_ascii_and_one_notice(tmp_path):
    utf8 = run_demo(tmp_path, "c", LANG="C.UTF-8")
    assert not utf8.isascii()  # box drawing and symbols normally: the check can fail
    out = run_demo(tmp_path, "cw", LANG="C")
    assert out.isascii(), sorted({chr(c) for c in out.decode("utf-8", "replace").encode("utf-8") if c > 127})[:10]
    text = out.decode("ascii")
    words = re.sub(r"\x1b\[[0-9;?<>=$:]*[A-Za-z]", "", text)  # the notice is wrapped in a toast
    assert "(LANG=C)," in words and "LANG=C.UTF-8" in words and "ASCII." in words
    assert "+- Numbers -" in words and "What Twilio says" in words  # the panels and their borders, in ASCII


@pytest.mark.parametrize(("env", "flags", "expected"), [
    ({"LANG": "C"}, dict(utf8_mode=True, xoptions={}, encoding="utf-8"), False),  # coerced by Python
    ({"LANG": "C", "PYTHONUTF8": "1"}, dict(utf8_mode=True, xoptions={}, encoding="utf-8"), True),
    ({}, dict(utf8_mode=True, xoptions={"utf8": True}, encoding="utf-8"), True),
    ({"LANG": "en_US.UTF-8"}, dict(utf8_mode=False, xoptions={}, encoding="UTF-8"), True),
    ({"LANG": "de_DE.ISO-8859-1"}, dict(utf8_mode=False, xoptions={}, encoding="ISO-8859-1"), False),
])
def test_the_locale_rule(env, flags, expected):
    assert locale_is_utf8(env, **flags) is expected


def test_ascii_keeps_every_width():
    text = "╭─ Agent ─╮ │ ✔ ok — 3 calls… • Ş ● ↑ 3 new ▊ 日本"
    out = ascii_text(text)
    assert out.isascii()
    assert len(out) == len(text) + 2  # each CJK character is two cells wide: two "?" each
    assert out.startswith("+- Agent -+ | v ok - 3 calls. * S * ^ 3 new   ??")
    assert to_ascii("\u0301") == ""  # a combining accent has no width
