"""The `almaty` command as a user meets it: help everywhere, one-line errors, no tracebacks."""

import argparse
import stat
from pathlib import Path

import pytest

from almaty.cli import build_parser


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _command_paths(sub, (*prefix, name))


COMMANDS = list(_command_paths(build_parser()))


def _assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_every_command_has_help(run_almaty) -> None:
    assert ("secret", "init") in COMMANDS and ("generate",) in COMMANDS
    for path in [(), *COMMANDS]:
        result = run_almaty(*path, "--help")
        assert result.returncode == 0, path
        assert "usage: almaty" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("generate", "--days", "0"), ("--days", "at least 1")),
        (("generate", "--start", "2025-02-30"), ("--start", "YYYY-MM-DD")),
        (("generate", "--users", "many"), ("--users", "whole number")),
        (("no-such-command",), ("invalid choice",)),
        ((), ("required",)),
    ],
)
def test_usage_mistakes_are_one_line_with_exit_2(run_almaty, args, fragments) -> None:
    result = run_almaty(*args)
    assert result.returncode == 2
    _assert_one_line_error(result, *fragments)


def test_secret_init_creates_once_and_never_prints_the_secret(run_almaty, almaty_env) -> None:
    path = Path(almaty_env["ALMATY_SECRET_KEY_FILE"])
    first = run_almaty("secret", "init")
    assert first.returncode == 0, first.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text().strip()
    assert secret not in first.stdout + first.stderr

    second = run_almaty("secret", "init")
    _assert_one_line_error(second, "refusing to overwrite", str(path))
    assert second.returncode == 1
    assert path.read_text().strip() == secret


def test_a_bad_setting_is_named_in_one_line(run_almaty, almaty_env) -> None:
    env = {**almaty_env, "ALMATY_AS_OF": "someday"}
    result = run_almaty("generate", "--days", "1", env=env)
    assert result.returncode == 2
    _assert_one_line_error(result, "ALMATY_AS_OF", "someday")
