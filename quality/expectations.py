"""Run a Great Expectations suite on a pandas frame.

GX 1.x validates pandas frames (its SQL path fails on DuckDB), and importing it takes seconds,
so it is imported here only, when a suite runs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# (expectation class name, its arguments), e.g. ("ExpectColumnValuesToNotBeNull", {...}).
Rule = tuple[str, dict[str, Any]]


def failed_expectations(suite_name: str, rules: list[Rule], frame: pd.DataFrame) -> dict[str, Any]:
    """The expectations of `rules` that `frame` fails, by label; empty when all pass."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("warehouse").add_dataframe_asset(suite_name)
    batch = asset.add_batch_definition_whole_dataframe("stored").get_batch(
        batch_parameters={"dataframe": frame}
    )
    suite = gx.ExpectationSuite(name=suite_name)
    for name, arguments in rules:
        suite.add_expectation(getattr(gx.expectations, name)(**arguments))
    failures: dict[str, Any] = {}
    for result in batch.validate(suite).results:
        if not result.success:
            config = result.expectation_config
            label = f"{config.type}({config.kwargs.get('column', 'table')})"
            failures[label] = result.result.get("unexpected_count", result.result)
    return failures
