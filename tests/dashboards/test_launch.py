"""`almaty dashboards`: its mistakes are one line and a non-zero exit, before Streamlit starts."""

from __future__ import annotations

import socket

import pytest


def _one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--port", "0"), "--port: must be at least 1"),
        (("--port", "65536"), "a port is at most 65535"),
        (("--port", "eighty"), "'eighty' is not a whole number"),
    ],
)
def test_a_bad_port_is_one_line_with_exit_2(run_almaty, args, fragment) -> None:
    result = run_almaty("dashboards", *args)
    assert result.returncode == 2
    assert fragment in _one_line(result)


def test_a_port_in_use_or_an_unknown_host_is_one_line(run_almaty) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_almaty("dashboards", "--port", str(port))
    assert result.returncode == 1
    assert f"--port {port}: cannot listen on 127.0.0.1:{port}" in _one_line(result)
    result = run_almaty("dashboards", "--host", "no-such-host.invalid")
    assert result.returncode == 2
    assert "--host no-such-host.invalid: not an address of this machine" in _one_line(result)


def test_a_bad_setting_is_named_before_anything_starts(run_almaty, almaty_env) -> None:
    result = run_almaty("dashboards", env={**almaty_env, "ALMATY_MIN_GROUP_SIZE": "few"})
    assert result.returncode == 2
    assert "ALMATY_MIN_GROUP_SIZE" in _one_line(result)
