"""Adverts: impressions, clicks and click-through rate, per day and per advert."""

import streamlit as st

from almaty.config import Settings
from dashboards import charts, figures, ui
from dashboards import queries as q

HELP = (
    "How often adverts were shown and clicked, and the click-through rate (clicks per "
    "impression). Adverts seen by fewer people than the small-group threshold on a day are "
    "folded together."
)


def draw(source: q.Source, settings: Settings) -> None:
    first, last = ui.date_range(source, ["adverts"], "adverts-dates")
    total = q.adverts_by(source, "total", first, last).iloc[0]
    left, middle, right = st.columns(3)
    left.metric("Impressions", ui.count(total["impressions"]))
    middle.metric("Clicks", ui.count(total["clicks"]))
    right.metric("Click-through rate", ui.share(total["click_through_rate"]))
    daily = q.adverts_by(source, "day", first, last)
    ui.chart(charts.daily_lines(daily, ["impressions", "clicks"], "Impressions and clicks per day"))
    adverts = figures.for_display(
        q.adverts_by(source, "advert_id", first, last), folded=["advert_id"]
    )
    st.subheader("By advert")
    ui.chart(charts.bars(adverts.head(15), "advert_id", "clicks", "Clicks, most shown adverts"))
    ui.table(adverts, f"adverts-{first}-{last}")


ui.show("Adverts", HELP, draw)
