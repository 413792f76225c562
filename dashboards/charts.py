"""The few Altair chart shapes the pages use, with readable axes and tooltips."""

from __future__ import annotations

import altair as alt
import pandas as pd

HEIGHT = 260


def daily_lines(frame: pd.DataFrame, columns: list[str], title: str) -> alt.Chart:
    """One line per column over the `day` column."""
    long = frame.melt(id_vars="day", value_vars=columns, var_name="figure", value_name="value")
    return (
        alt.Chart(long, title=title, height=HEIGHT)
        .mark_line(point=len(frame) < 60)
        .encode(
            x=alt.X("day:T", title="Almaty day"),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("figure:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["day:T", "figure:N", alt.Tooltip("value:Q", format=",.4~f")],
        )
    )


def daily_lines_by(frame: pd.DataFrame, value: str, by: str, title: str) -> alt.Chart:
    """One line per value of `by` (a scope, a reason) over the `day` column."""
    return (
        alt.Chart(frame, title=title, height=HEIGHT)
        .mark_line(point=len(frame) < 60)
        .encode(
            x=alt.X("day:T", title="Almaty day"),
            y=alt.Y(f"{value}:Q", title=value.replace("_", " ")),
            color=alt.Color(
                f"{by}:N", title=by.replace("_", " "), legend=alt.Legend(orient="bottom")
            ),
            tooltip=["day:T", f"{by}:N", alt.Tooltip(f"{value}:Q", format=",")],
        )
    )


def bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str,
    fmt: str = ",",
    largest_first: bool = True,
) -> alt.Chart:
    """Horizontal bars, one per value of `category`: largest first, or in the frame's order."""
    return (
        alt.Chart(frame, title=title, height=_bars_height(len(frame)))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x" if largest_first else None, title=None),
            x=alt.X(f"{value}:Q", title=value.replace("_", " ")),
            tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
    )


def stacked_bars(frame: pd.DataFrame, category: str, value: str, by: str, title: str) -> alt.Chart:
    """Horizontal bars per `category`, split in colours by `by`."""
    return (
        alt.Chart(frame, title=title, height=_bars_height(frame[category].nunique()))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None),
            x=alt.X(f"sum({value}):Q", title=value.replace("_", " ")),
            color=alt.Color(
                f"{by}:N", title=by.replace("_", " "), legend=alt.Legend(orient="bottom")
            ),
            tooltip=[f"{category}:N", f"{by}:N", alt.Tooltip(f"{value}:Q", format=",")],
        )
    )


def _bars_height(bars: int) -> int:
    return max(HEIGHT // 2, 28 * bars)
