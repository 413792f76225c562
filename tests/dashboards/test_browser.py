"""`almaty dashboards` served on loopback and opened in headless Chromium: every page renders
without an error box; a screenshot of each is saved under test-output/dashboards/."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from dashboards import PAGES

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "dashboards"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(port: int, server: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"almaty dashboards exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"almaty dashboards did not answer on port {port} within {timeout_s} s")


@pytest.fixture
def served(generated_run: dict):
    """The real command, as an analyst starts it, on a free loopback port."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "almaty", "dashboards", "--port", str(port)],
        env=generated_run["env"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_healthy(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_every_page_renders_in_chromium_without_an_error(served: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:  # CI must not pass silently without the browser
        pytest.fail("chromium is not installed: run `make browser` (Debian's chromium package)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh user-data dir
            executable_path=chromium,
            args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 2400},  # Streamlit scrolls inside the page
        )
        try:
            page = browser.new_page()
            for script, title in PAGES.items():
                name = Path(script).stem
                page.goto(f"{served}/{'' if name == 'overview' else name}")
                page.locator("h1", has_text=title).wait_for(timeout=60_000)
                # Streamlit draws over a websocket after load: wait for the run to finish.
                page.wait_for_function(
                    "!document.querySelector('[data-testid=\"stStatusWidget\"]')",
                    timeout=60_000,
                )
                page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)
                page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
                assert page.locator('[data-testid="stException"]').count() == 0, title
                assert page.locator('[data-testid="stAlertContentError"]').count() == 0, title
                assert page.get_by_text("No data yet").count() == 0, title
                assert page.locator('[data-testid="stMetric"], [data-testid="stDataFrame"]').count()
        finally:
            browser.close()
