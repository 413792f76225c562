"""`almaty ui` serves the Dagster UI on the same definitions the CLI runs."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from orchestration.definitions import defs

ASSETS_QUERY = "{ assetNodes { assetKey { path } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_ui_serves_the_asset_graph(almaty_env) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "almaty", "ui", "--port", str(port)],
        env=almaty_env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                reply = httpx.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": ASSETS_QUERY}, timeout=5
                )
                if reply.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the UI did not start within 90 s"
            assert server.poll() is None, "almaty ui exited"
            time.sleep(1)
        keys = {"/".join(node["assetKey"]["path"]) for node in reply.json()["data"]["assetNodes"]}
        expected = {node.key.to_user_string() for node in defs.resolve_asset_graph().asset_nodes}
        assert {"events", "fct_traffic_daily", "serving_copy"} <= expected
        assert keys == expected
    finally:
        _stop_group(server)


def _stop_group(server: subprocess.Popen) -> None:
    """Stop almaty, dagster dev and its webserver and daemon, and wait until all are gone."""
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(server.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.killpg(server.pid, signal.SIGKILL)
