"""A command line that names its command is read by a parser holding that command alone: the same options as the
whole parser gives, without loading the other commands' modules (for `watch`, the doctor's catalog)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui.cli import build_parser, parse_args

LINES = [
    ["watch", "--interval", "5", "--metrics", "127.0.0.1:0"],
    ["--api-base", "http://127.0.0.1:1", "watch", "--agent", "g1", "--agent", "g2", "--once", "--json"],
    ["--agent", "watch", "calls"],  # an option's value that is also a command name
    ["--dem", "status"],  # argparse's abbreviations, before the command
    ["--demo", "doctor", "--json"],
    ["sim", "--api-shape", "older"],
    ["--config", "/tmp/x.toml", "insights"],
]


@pytest.mark.parametrize("argv", LINES, ids=lambda argv: " ".join(argv))
def test_the_one_command_parser_reads_what_the_whole_parser_reads(argv):
    assert vars(parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["-h", "watch"], ["--version"], ["wach"], ["watch", "--interval", "0"],
                                  ["--config"], ["watch", "-h"]])
def test_help_version_and_mistakes_say_what_the_whole_parser_says(argv, capsys):
    with pytest.raises(SystemExit) as whole:
        build_parser().parse_args(argv)
    expected = capsys.readouterr()
    with pytest.raises(SystemExit) as ours:
        parse_args(argv)
    said = capsys.readouterr()
    assert (ours.value.code, said.out, said.err) == (whole.value.code, expected.out, expected.err)


def test_reading_a_watch_line_loads_no_other_command_module():
    code = ("import sys, json, tui.cli as m; m.parse_args(['watch', '--interval', '5'])\n"
            "print(json.dumps(sorted(n for n in sys.modules if n.startswith(('tui.cli.', 'tui.doctor')))))")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(done.stdout) == ["tui.cli.common", "tui.cli.dashboard", "tui.cli.watch"]
