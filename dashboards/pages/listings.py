"""Listings: performance by category and district, the funnel from view to booking, the best
and worst listings, and what promotion packages change."""

import streamlit as st

from almaty.config import Settings
from dashboards import charts, figures, ui
from dashboards import queries as q

HELP = (
    "How listings did on the site: views, favorites, contact and rental requests, bookings and "
    "revenue in tenge. Listings seen by fewer people than the small-group threshold on a day "
    "are folded together per category, district and promotion."
)
PROMOTION = {"promoted": True, "not promoted": False}


def draw(source: q.Source, settings: Settings) -> None:
    first, last = ui.date_range(source, ["listings"], "listings-dates")
    categories = ui.choose(
        "Category", q.distinct_values(source, "category"), "listings-category", "Listing category"
    )
    districts = ui.choose(
        "District", q.distinct_values(source, "district"), "listings-district", "Almaty district"
    )
    promoted = [
        PROMOTION[label]
        for label in ui.choose(
            "Promotion",
            list(PROMOTION),
            "listings-promotion",
            "Whether a promotion package was in force when the action happened.",
        )
    ]
    window = (first, last, categories, districts, promoted)
    totals = q.listings_funnel(source, *window)
    columns = st.columns(4)
    columns[0].metric("Views", ui.count(totals["views"]))
    columns[1].metric("Bookings", ui.count(totals["bookings"]))
    columns[2].metric("Revenue (KZT)", ui.count(totals["revenue_kzt"]))
    columns[3].metric(
        "Bookings per 100 views",
        "n/a" if not totals["views"] else f"{100 * totals['bookings'] / totals['views']:.2f}",
    )

    st.subheader("From view to booking")
    funnel = figures.funnel_steps(totals)
    ui.chart(charts.bars(funnel, "step", "actions", "The funnel", largest_first=False))
    ui.table(funnel, f"listing-funnel-{first}-{last}")

    left, right = st.columns(2)
    for column, by in ((left, "category"), (right, "district")):
        frame = figures.with_rates(q.listings_by(source, by, *window))
        with column:
            st.subheader(f"By {by}")
            ui.chart(charts.bars(frame, by, "revenue_kzt", f"Revenue by {by} (KZT)"))
            ui.table(frame, f"listings-by-{by}-{first}-{last}")

    best, worst = figures.best_and_worst(q.listings_by(source, "listing_id", *window))
    st.subheader("Best listings")
    ui.table(best, f"best-listings-{first}-{last}", "Those that earned most.")
    st.subheader("Listings that convert worst")
    ui.table(
        worst,
        f"worst-listings-{first}-{last}",
        "The fewest bookings per view, among listings with at least 20 views.",
    )

    st.subheader("Promotion packages")
    effect = figures.promotion_effect(q.listings_by(source, "is_promoted", *window))
    ui.chart(charts.bars(effect, "promotion", "bookings_per_view", "Bookings per view", fmt=".4f"))
    ui.table(
        effect,
        f"promotion-effect-{first}-{last}",
        "Per listing-day, so the number of promoted listings does not decide; listing-days "
        "leave out folded listings.",
    )


ui.show("Listings", HELP, draw)
