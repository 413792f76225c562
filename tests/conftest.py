"""Fixtures every test folder shares."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def almaty_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose ALMATY_* settings all point into a fresh temporary folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALMATY_")}
    env.update(
        ALMATY_LANDING_DIR=str(tmp_path / "landing"),
        ALMATY_WAREHOUSE=str(tmp_path / "warehouse.duckdb"),
        ALMATY_EXPORT_DIR=str(tmp_path / "exports"),
        ALMATY_SECRET_KEY_FILE=str(tmp_path / "secret.key"),
    )
    return env


@pytest.fixture
def run_almaty(almaty_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `almaty` command in a subprocess, as a user would."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "almaty", *args],
            env=env or almaty_env,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=600,
        )

    return run
