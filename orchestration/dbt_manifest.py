"""The dbt project Dagster loads, and its manifest kept up to date.

dagster-dbt builds its assets from `target/manifest.json`, which `dbt parse` writes. Every entry
point (`almaty run`, `almaty ui`, the tests, `make`) loads the definitions through here, so a
model edited since the last parse is never run from a stale manifest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from almaty.errors import AlmatyError
from privacy.dbt_macros import render_macros

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
# The dbt of this environment, whether or not its bin folder is on PATH.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests")
PRIVACY_MACROS = Path("macros") / "privacy_rules.sql"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _newest_source_change(project_dir: Path) -> float:
    paths = [project_dir / name for name in SOURCES]
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*"))]
    return max(p.stat().st_mtime for p in files if p.is_file())


def dbt_command(args: list[str], project_dir: Path = DBT_PROJECT_DIR) -> list[str]:
    """The command line running dbt with `args` on the project, from any directory."""
    return [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
    ]


def write_privacy_macros(project_dir: Path = DBT_PROJECT_DIR) -> None:
    """The privacy rules' macros as privacy/ writes them, when the file differs."""
    macros = project_dir / PRIVACY_MACROS
    text = render_macros()
    if not macros.exists() or macros.read_text(encoding="utf-8") != text:
        macros.write_text(text, encoding="utf-8")


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """`dbt parse` when the manifest is missing or older than a project file (the privacy
    rules' macros written first); its path."""
    write_privacy_macros(project_dir)
    manifest = project_dir / "target" / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_change(project_dir):
        return manifest
    result = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "parse",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        errors = [line for line in result.stdout.splitlines() if "error" in line.lower()]
        raise AlmatyError(f"dbt parse failed in {project_dir}: {(errors or ['see dbt.log'])[-1]}")
    return manifest


if __name__ == "__main__":  # `make venv`: parse once at set-up
    print(f"dbt manifest ready: {prepare_manifest()}")
