"""The plain dashboard start is read by hand (no argparse before the first frame), exactly as argparse would
read it; anything else falls back to argparse, with its own behaviour and messages."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.cli import build_parser, main, parse_args
from tui.cli.dashboard import DASHBOARD_OPTIONS, parse_dashboard_options


def by_argparse(argv: list[str]) -> tuple[dict | None, str]:
    """argparse's reading of `argv` (None when it exits: an error, --help, --version) and what it printed."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stderr(printed), contextlib.redirect_stdout(printed):
            return vars(build_parser().parse_args(argv)), printed.getvalue()
    except SystemExit:
        return None, printed.getvalue()


@pytest.mark.parametrize("argv", [
    [],
    ["--demo"],
    ["--demo", "--theme", "wiro-light"],
    ["--theme=wiro-light", "--config", "/tmp/x.toml", "--demo"],
    ["--agent", "calls"],  # a value that looks like a subcommand is still the option's value
    ["--agent=--demo"],
    ["--agent="],
    ["--seed", "12", "--speed", "2.5", "--seed=3"],  # the last one wins
    ["--api-base", "http://127.0.0.1:1/v1", "--twilio-base", "http://127.0.0.1:2"],
    ["--speed", "1e1"],
])
def test_a_plain_start_reads_like_argparse(argv):
    by_hand = parse_dashboard_options(argv)
    expected, _ = by_argparse(argv)
    assert by_hand is not None and expected is not None
    assert vars(by_hand) == expected


@pytest.mark.parametrize("argv", [
    ["--help"], ["-h"], ["--version"], ["calls"], ["--demo", "agents"], ["--dem"], ["--demo=1"],
    ["--seed", "abc"], ["--speed", "0"], ["--speed", "-1"], ["--agent"], ["--agent", "--demo"], ["--"],
    ["--theme", "-x"], ["--nope"], [""],
])
def test_anything_else_is_left_to_argparse(argv):
    assert parse_dashboard_options(argv) is None


def test_usage_errors_help_and_version_are_argparses_own(capsys):
    for argv, code, words in ((["--seed", "abc"], 2, "argument --seed: invalid int value: 'abc'"),
                              (["--speed", "0"], 2, "argument --speed: speed must be above 0"),
                              (["--demo=1"], 2, "ignored explicit argument '1'"),
                              (["--agent"], 2, "argument --agent: expected one argument"),
                              (["--help"], 0, "agents"), (["--version"], 0, "wiro-voice 0.")):
        with pytest.raises(SystemExit) as info:
            main(argv)
        captured = capsys.readouterr()
        assert info.value.code == code and words in captured.out + captured.err, argv
    assert parse_args(["--dem"]).demo is True  # argparse's abbreviations still work, through argparse


TOKENS = st.one_of(
    st.sampled_from(sorted(DASHBOARD_OPTIONS)),
    st.sampled_from(["7", "-3", "0.5", "abc", "", "-", "--", "wiro-light", "calls", "--dem", "-h", "1e400", "nan"]),
    st.builds(lambda flag, value: f"{flag}={value}", st.sampled_from(sorted(DASHBOARD_OPTIONS)),
              st.sampled_from(["", "2", "x", "-1", "0"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=6))
def test_whenever_the_hand_reader_answers_argparse_agrees(argv):
    by_hand = parse_dashboard_options(argv)
    if by_hand is not None:
        expected, printed = by_argparse(argv)
        assert expected == vars(by_hand) and printed == ""
