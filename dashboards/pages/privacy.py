"""Privacy and compliance: consent over time, what ingestion dropped or quarantined and why,
and erasure requests done or deferred with their age."""

import streamlit as st

from almaty.config import Settings
from dashboards import charts, figures, ui
from dashboards import queries as q

HELP = (
    "For the compliance officer: how many people have each kind of consent in force or "
    "refused, the records the warehouse refused to store and why, the lines it could not "
    "read, and the erasure requests (policy 4.2) done or waiting for obligations to be "
    "settled. Counts of fewer people than the small-group threshold show as suppressed."
)
AUDITED_PURGES = 20
CONSENT_COUNTS = ["subjects_granted", "subjects_opted_out", "grants", "opt_outs"]


def draw(source: q.Source, settings: Settings) -> None:
    first, last = ui.date_range(source, ["consent", "outcomes", "erasure"], "privacy-dates")
    scopes = ui.choose(
        "Consent scope",
        q.distinct_values(source, "scope"),
        "privacy-scope",
        "analytics, personalization, marketing, geolocation",
    )
    small = settings.min_group_size

    st.subheader("Consent in force")
    consent = figures.suppress_small(
        q.consent_by_day(source, first, last, scopes), CONSENT_COUNTS, small
    )
    left, right = st.columns(2)
    with left:
        ui.chart(
            charts.daily_lines_by(consent, "subjects_opted_out", "scope", "People who refused")
        )
    with right:
        ui.chart(charts.daily_lines_by(consent, "opt_outs", "scope", "Refusals made that day"))
    ui.table(
        figures.for_display(consent, suppressed=CONSENT_COUNTS),
        f"consent-{first}-{last}",
        "People whose latest choice at the end of the day grants or refuses the scope, and "
        "the choices made that day. People who never chose are not counted.",
    )

    st.subheader("Records not stored")
    outcomes = q.ingestion_outcomes(source, first, last)
    dropped = outcomes[outcomes["outcome"] == "dropped"]
    quarantined = outcomes[outcomes["outcome"] == "quarantined"]
    left, right = st.columns(2)
    with left:
        ui.chart(charts.stacked_bars(dropped, "reason", "records", "feed", "Dropped, by rule"))
    with right:
        ui.chart(
            charts.stacked_bars(
                quarantined, "reason", "records", "feed", "Quarantined lines, by defect"
            )
        )
    ui.table(
        outcomes,
        f"ingestion-outcomes-{first}-{last}",
        "Dropped: valid, but a privacy rule forbade storing it (duplicate, erasure, retention, "
        "analytics opt-out). Quarantined: a line that could not be read or broke the contract. "
        "Feeds not delivered by day (consent, accounts, ...) always count.",
    )
    daily = q.quarantine_by_day(source, first, last)
    ui.chart(charts.daily_lines_by(daily, "lines", "reason", "Quarantined lines per delivery day"))

    st.subheader("Erasure requests")
    requests = figures.suppress_small(q.erasure_requests(source, first, last), ["requests"], small)
    ui.table(
        figures.for_display(requests, suppressed=["requests"]),
        f"erasure-requests-{first}-{last}",
        "Requests made in the dates picked, by state and age. Done: the person is removed from "
        "every day ingested since; deferred: held by outstanding obligations.",
    )
    ui.table(
        q.erasure_request_states(source, first, last),
        f"erasure-request-states-{first}-{last}",
        "Each request made in the dates picked: when it was received, whether it is done or "
        "deferred (and why), when its obligations were settled and when the purge carried it "
        "out. Age is days since it was received.",
    )

    st.subheader("Purges")
    ui.table(
        q.purge_audit(source, AUDITED_PURGES),
        "privacy-audit",
        f"The newest {AUDITED_PURGES} purges of stored data (every pipeline run purges): the "
        "rule or erasure request behind each, and the rows each removed or changed per table. "
        "The audit never names a person.",
    )


ui.show("Privacy and compliance", HELP, draw)
