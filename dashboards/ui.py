"""What every page shares: the published copy, the date range, filters, tables, empty states."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from almaty.config import Settings, load_settings
from almaty.errors import AlmatyError
from dashboards.figures import WHAT_TO_RUN, default_range
from dashboards.queries import NoData, Source, day_bounds, publication
from serving.published_copy import ServingCopyReader

CHART_FRAME_PX = 110  # title, axis labels and a legend below


@st.cache_resource(show_spinner=False)
def _reader(path: str) -> ServingCopyReader:
    from pathlib import Path

    return ServingCopyReader(Path(path))


def show(title: str, help_text: str, draw: Callable[[Source, Settings], None]) -> None:
    """The page's title and help, then its figures; without data, what to run instead."""
    st.title(title)
    st.caption(help_text)
    try:
        settings = load_settings()
    except AlmatyError as error:
        st.error(f"Settings: {error}")
        return
    source = Source(_reader(str(settings.published)))
    try:
        draw(source, settings)
        about = publication(source)
    except NoData:
        st.info(WHAT_TO_RUN)
        return
    st.caption(
        f"Published {about['published_at'].tz_convert('Asia/Almaty'):%Y-%m-%d %H:%M} "
        f"(Almaty time) from delivery days up to {about['newest_delivery_day']:%Y-%m-%d}."
    )


def date_range(source: Source, marts: Sequence[str], key: str) -> tuple[date, date]:
    """A range of Almaty days within those the marts have, the last four weeks by default."""
    found = []
    for mart in marts:
        try:
            found.append(day_bounds(source, mart))
        except NoData:
            continue
    if not found:
        raise NoData(f"no figures in {', '.join(marts)}")
    first, last = min(f for f, _ in found), max(last for _, last in found)
    picked = st.sidebar.date_input(
        "Dates (Asia/Almaty)",
        value=default_range(first, last),
        min_value=first,
        max_value=last,
        key=key,
        help=f"Days in Almaty time. Data runs from {first} to {last}; "
        "the last four weeks are shown at first.",
    )
    if len(picked) == 1:  # while the second date is being picked
        return picked[0], picked[0]
    return picked[0], picked[1]


def choose(label: str, options: list[Any], key: str, help_text: str, **kw: Any) -> list[Any]:
    """A sidebar multiselect that starts with everything; leaving it empty means everything."""
    picked = st.sidebar.multiselect(label, options, default=options, key=key, help=help_text, **kw)
    return picked or options


def table(frame: pd.DataFrame, name: str, caption: str | None = None) -> None:
    """The table, and a button to download exactly it as CSV."""
    if caption:
        st.caption(caption)
    frame = frame.copy()
    for column in frame.select_dtypes("datetime64").columns:  # Almaty days, not midnights
        if (frame[column].dropna().dt.normalize() == frame[column].dropna()).all():
            frame[column] = frame[column].dt.date
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download as CSV",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download-{name}",
    )


def count(value: Any) -> str:
    """A whole number as shown in a metric, or that it is suppressed."""
    return "suppressed" if pd.isna(value) else f"{value:,.0f}"


def share(value: Any) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.1%}"


def chart(figure) -> None:
    """An Altair chart across the column, as tall as the figure asks plus its title and axes."""
    st.altair_chart(figure, width="stretch", height=int(figure.height) + CHART_FRAME_PX)
