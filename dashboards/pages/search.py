"""Search: what visitors look for, what they do not find, and which queries lead somewhere."""

import streamlit as st

from almaty.config import Settings
from dashboards import charts, figures, ui
from dashboards import queries as q

HELP = (
    "What visitors typed into search (bots left out), how often nothing was found, and how "
    "often a search led to a click, a request or a booking later in the same visit. Queries "
    "typed by fewer people than the small-group threshold on a day are folded together."
)
TOP = 50


def draw(source: q.Source, settings: Settings) -> None:
    first, last = ui.date_range(source, ["searches"], "search-dates")
    languages = ui.choose(
        "Query language",
        q.distinct_values(source, "query_language"),
        "search-language",
        "kk: Kazakh letters; ru: other Cyrillic; en: Latin; unknown: no letters.",
    )
    daily = q.searches_by_day(source, first, last, languages)
    queries = q.searches_by_query(source, first, last, languages)
    total = int(daily["searches"].sum())
    zero = figures.weighted_rate(daily, "zero_result_rate", "searches")
    clicks = figures.weighted_rate(daily, "click_through_rate", "searches")
    left, middle, right = st.columns(3)
    left.metric("Searches", ui.count(total))
    middle.metric("Found nothing", ui.share(zero), help="Share of searches with no results.")
    right.metric(
        "Clicked a result", ui.share(clicks), help="Share of searches with a click on a result."
    )
    ui.chart(charts.daily_lines(daily, ["zero_result_rate", "click_through_rate"], "Rates per day"))

    st.subheader("Top queries")
    shown = figures.for_display(queries.head(TOP), folded=["query"])
    ui.table(
        shown,
        f"top-queries-{first}-{last}",
        "Click-through: a result was clicked; request and booking rates: the visit went on to "
        "a contact or rental request, or a booking.",
    )

    st.subheader("What visitors want and the site lacks")
    lacking = figures.zero_result_queries(queries).head(TOP)
    ui.table(
        figures.for_display(lacking, folded=["query"]),
        f"zero-result-queries-{first}-{last}",
        "Queries that most often found nothing.",
    )

    st.subheader("Languages")
    by_language = q.searches_by_language(source, first, last, languages)
    ui.chart(charts.bars(by_language, "language", "searches", "Searches by query language"))
    ui.table(by_language, f"search-languages-{first}-{last}")


ui.show("Search", HELP, draw)
