"""dbt runs the privacy rules' own SQL: its macros file is what privacy/ writes now."""

from __future__ import annotations

from orchestration.dbt_manifest import DBT_PROJECT_DIR, PRIVACY_MACROS
from privacy.days import almaty_day_sql
from privacy.dbt_macros import MACROS, render_macros


def test_the_committed_macros_are_the_rules_as_they_are() -> None:
    assert (DBT_PROJECT_DIR / PRIVACY_MACROS).read_text(encoding="utf-8") == render_macros()


def test_each_macro_holds_its_rules_sql_with_the_arguments_as_placeholders() -> None:
    text = render_macros()
    for name in MACROS:
        assert f"{{% macro {name}(" in text
    assert almaty_day_sql("{{ column }}") in text
