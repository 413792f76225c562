"""`almaty dashboards`: the Streamlit server for the pages in `dashboards/app.py`."""

from __future__ import annotations

import os
import socket
import sys

from almaty.errors import AlmatyError
from dashboards import APP


def check_port_free(host: str, port: int) -> None:
    """Fail with one line before Streamlit starts, rather than with its traceback."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except socket.gaierror:
        raise AlmatyError(f"--host {host}: not an address of this machine", exit_code=2) from None
    except OSError as error:
        raise AlmatyError(
            f"--port {port}: cannot listen on {host}:{port} ({error.strerror})"
        ) from None


def streamlit_command(host: str, port: int) -> list[str]:
    """`streamlit run` of the app, headless, without telemetry or a file watcher."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


def start_dashboards(host: str, port: int) -> None:
    """Serve the dashboards until interrupted; they read the published copy of the marts.

    This process becomes the Streamlit server (exec), so a signal that stops `almaty
    dashboards` stops the server itself and leaves no orphan holding the port.
    """
    check_port_free(host, port)
    print(f"dashboards on http://{host}:{port} (Ctrl-C stops them)", flush=True)
    command = streamlit_command(host, port)
    os.execv(command[0], command)
