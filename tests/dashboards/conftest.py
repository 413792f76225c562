"""The dashboards on the session's generated run (`generated_run`), and reading its marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import APP


def published(generated_run: dict) -> Path:
    return generated_run["warehouse"] / "published.duckdb"


def marts_sql(generated_run: dict, sql: str, params: list | None = None) -> pd.DataFrame:
    """The marts' own answer, straight from the published copy."""
    with duckdb.connect(str(published(generated_run)), read_only=True) as con:
        return con.execute(sql, params or []).df()


@pytest.fixture
def dashboards_env(generated_run: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The app's settings point at the generated run, as `almaty dashboards` would have them."""
    for name, value in generated_run["env"].items():
        if name.startswith("ALMATY_"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("ALMATY_MIN_GROUP_SIZE", raising=False)
    return generated_run


def open_page(script: str) -> AppTest:
    """A fresh session of the app on `script` (e.g. pages/search.py), run once."""
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.switch_page(script)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metric(app: AppTest, label: str):
    """The metric shown under `label`."""
    found = [m for m in app.metric if m.label == label]
    assert len(found) == 1, [m.label for m in app.metric]
    return found[0]


def table(app: AppTest, columns: list[str]) -> pd.DataFrame:
    """The one table shown whose first columns are `columns`."""
    found = [d.value for d in app.dataframe if list(d.value.columns[: len(columns)]) == columns]
    assert len(found) == 1, [list(d.value.columns) for d in app.dataframe]
    return found[0]
