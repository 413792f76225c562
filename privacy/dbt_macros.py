"""The privacy rules dbt needs, as dbt macros written from the rules' own SQL.

dbt cannot import Python, so `render_macros` calls each rule's SQL function with Jinja
placeholders for its arguments and wraps the result in a macro; `dbt_project/macros/
privacy_rules.sql` is that text, regenerated whenever the dbt manifest is prepared
(`orchestration.dbt_manifest`). A model calling `{{ almaty_day('occurred_at') }}` thus runs
exactly what ingestion runs, and a rule changed here changes in dbt at the next parse.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from typing import Final

from privacy.consent import consent_intervals_sql, refused_now_sql
from privacy.days import almaty_day_sql, almaty_midnight_sql
from privacy.listings import listing_retired_sql

# macro name -> the rule's SQL function (its parameters become the macro's)
MACROS: Final[dict[str, Callable[..., str]]] = {
    "almaty_day": almaty_day_sql,
    "almaty_midnight": almaty_midnight_sql,
    "listing_retired": listing_retired_sql,
    "consent_intervals": consent_intervals_sql,
    "refused_personalization_now": partial(refused_now_sql, scope="personalization"),
}

HEADER: Final = """\
{#- Written by privacy/dbt_macros.py from the privacy rules of privacy/, whenever the dbt
    manifest is prepared: do not edit. Each macro is the rule's own SQL. -#}
"""


def _parameters(rule: Callable[..., str]) -> list[str]:
    bound = rule.keywords if isinstance(rule, partial) else {}
    target = rule.func if isinstance(rule, partial) else rule
    return [name for name in inspect.signature(target).parameters if name not in bound]


def render_macros() -> str:
    """The text of `privacy_rules.sql`."""
    macros = []
    for name, rule in MACROS.items():
        parameters = _parameters(rule)
        body = rule(*(f"{{{{ {p} }}}}" for p in parameters))
        macros.append(
            f"{{% macro {name}({', '.join(parameters)}) -%}}\n{body.strip()}\n{{%- endmacro %}}\n"
        )
    return HEADER + "\n" + "\n".join(macros)
