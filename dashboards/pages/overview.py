"""Overview: the period's headline figures against the period before, the daily trend, and
the split by app and device class."""

import streamlit as st

from almaty.config import Settings
from dashboards import charts, figures, ui
from dashboards import queries as q

HELP = (
    "Visitors, sessions, searches, bookings and revenue for the dates you pick, compared with "
    "the same number of days just before. Visitors are counted per day and per group (app, "
    "device, browser, language, channel) and added up, so someone who comes on two days counts "
    "twice. Groups of fewer than the small-group threshold of people are left out of the marts."
)

METRICS = (
    ("visitors", "Visitors (per day, added up)"),
    ("sessions", "Sessions"),
    ("page_views", "Page views"),
    ("searches", "Searches"),
    ("bookings", "Bookings"),
    ("revenue_kzt", "Revenue (KZT)"),
)


def draw(source: q.Source, settings: Settings) -> None:
    first, last = ui.date_range(source, ["traffic"], "overview-dates")
    apps = ui.choose("App", q.distinct_values(source, "app"), "overview-app", "web, iOS or Android")
    devices = ui.choose(
        "Device class",
        q.distinct_values(source, "device_class"),
        "overview-device",
        "Device of the session's first activity; crawlers are the class 'bot'.",
    )
    now = q.overview_totals(source, first, last, apps, devices)
    before = q.overview_totals(source, *figures.previous_period(first, last), apps, devices)
    st.subheader(f"{first} to {last}, against the {(last - first).days + 1} days before")
    columns = st.columns(3) + st.columns(3)
    for column, (name, label) in zip(columns, METRICS, strict=True):
        column.metric(label, ui.count(now[name]), figures.change(now[name], before[name]))
    st.caption("Searches, bookings and revenue cover every app and device.")

    daily = q.traffic_by_day(source, first, last, apps, devices)
    ui.chart(charts.daily_lines(daily, ["visitors", "sessions"], "Visitors and sessions per day"))
    left, right = st.columns(2)
    for column, by, title in (
        (left, "app", "Sessions by app"),
        (right, "device_class", "Sessions by device class"),
    ):
        split = q.traffic_split(source, by, first, last, apps, devices)
        with column:
            ui.chart(charts.bars(split, by, "sessions", title))
            ui.table(split, f"traffic-by-{by}-{first}-{last}")


ui.show("Overview", HELP, draw)
