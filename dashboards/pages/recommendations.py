"""Recommendations: the model the website's recommendations come from, how it scored against
popularity, how much of the catalog it recommends, and how fresh the export is."""

from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from almaty.config import Settings
from almaty.errors import AlmatyError
from dashboards import charts, figures, ui
from dashboards import queries as q

HELP = (
    "The recommendation export the website uses now: which model made it, how it scored on "
    "the last days held out (NDCG@10: good listings near the top of a list of 10, higher is "
    "better) against simply recommending what is popular, how much of the catalog it "
    "recommends, and how old it is."
)
NO_EXPORT = (
    "No recommendation export yet. `almaty run` (or `make demo`) writes one after publishing "
    "the marts, once there are interactions to learn from."
)


def draw(source: q.Source, settings: Settings) -> None:
    first, last = ui.date_range(source, ["interactions"], "recommendations-dates")
    try:
        export = figures.latest_export(settings.export_dir)
    except AlmatyError as error:
        st.warning(f"The latest recommendation export cannot be read: {error}")
    else:
        if export is None:
            st.info(NO_EXPORT)
        else:
            show_export(source, export, settings.export_dir)
    st.subheader("What the recommender learns from")
    daily = figures.suppress_small(
        q.recommender_input_by_day(source, first, last), ["subjects"], settings.min_group_size
    )
    ui.chart(charts.daily_lines(daily, ["subjects"], "People by the day they last interacted"))
    ui.table(
        figures.for_display(daily, suppressed=["subjects"]),
        f"recommender-input-{first}-{last}",
        "People with personalization consent (no bots) and their user-listing pairs, by the "
        "Almaty day of their latest action.",
    )


def show_export(source: q.Source, export: figures.ExportSummary, export_dir: Path) -> None:
    manifest = export.manifest
    fresh = figures.freshness(manifest, datetime.now(UTC))
    columns = st.columns(4)
    columns[0].metric("Model in use", manifest["model"])
    columns[1].metric("Export age (hours)", f"{fresh['age_hours']:.1f}")
    columns[2].metric("Learnt from days up to", f"{fresh['trained_until']}")
    columns[3].metric("Users with lists", ui.count(manifest["row_counts"]["users"]))
    st.caption(f"Version {export.version}, made {fresh['created_at']:%Y-%m-%d %H:%M} UTC.")

    st.subheader("Offline metrics against popularity")
    metrics = figures.model_metrics(manifest)
    if metrics.empty:
        reason = manifest.get("metrics", {}).get("not_evaluated", "no comparison recorded")
        st.info(f"The models were not compared for this export: {reason}")
    else:
        ui.chart(
            charts.bars(metrics, "model", "ndcg@10", "NDCG@10 on the held-out days", fmt=".4f")
        )
        ui.table(metrics, f"model-metrics-{export.version}")

    st.subheader("Catalog coverage")
    coverage = q.export_catalog_coverage(source, export.users_file)
    left, right = st.columns(2)
    left.metric(
        "Listings recommended to someone",
        f"{coverage['recommended']:,} of {coverage['available']:,}",
        help="Listings in any user's list, against the listings available now.",
    )
    held_out = metrics.loc[metrics["in use"], "coverage@10"] if not metrics.empty else []
    right.metric(
        "Coverage@10 on the held-out days",
        ui.share(held_out.iloc[0]) if len(held_out) else "n/a",
        help="Share of the catalog in the model's top 10 lists for the held-out users.",
    )
    st.subheader("Exports kept")
    ui.table(figures.export_history(export_dir), "recommendation-exports")


ui.show("Recommendations", HELP, draw)
