"""Every page run with Streamlit's AppTest on the generated run: the figures shown are the
marts' own, computed here independently with SQL on the published copy, before and after
changing the page's filters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from dashboards import PAGES, figures
from tests.dashboards.conftest import marts_sql, metric, open_page, rerun, table

pytestmark = pytest.mark.usefixtures("dashboards_env")


def _days(run: dict, sql: str):
    first, last = marts_sql(run, sql).iloc[0]
    return first.date(), last.date()


def test_overview_headline_figures_against_the_previous_period(dashboards_env) -> None:
    run = dashboards_env
    first, last = _days(
        run, "select min(activity_date), max(activity_date) from marts.fct_traffic_daily"
    )
    app = open_page("pages/overview.py")
    traffic = marts_sql(
        run,
        "select sum(visitors) v, sum(sessions) s, sum(page_views) p from marts.fct_traffic_daily",
    ).iloc[0]
    assert metric(app, "Sessions").value == f"{traffic['s']:,.0f}"
    assert metric(app, "Visitors (per day, added up)").value == f"{traffic['v']:,.0f}"
    assert metric(app, "Page views").value == f"{traffic['p']:,.0f}"
    searches = marts_sql(run, "select sum(searches) from marts.fct_searches_daily").iloc[0, 0]
    assert metric(app, "Searches").value == f"{searches:,.0f}"
    bookings, revenue = marts_sql(
        run, "select sum(bookings), sum(revenue_kzt) from marts.fct_listings_daily"
    ).iloc[0]
    assert metric(app, "Bookings").value == f"{bookings:,.0f}"
    assert metric(app, "Revenue (KZT)").value == f"{revenue:,.0f}"

    # The second half, web only, against the first half.
    middle = first + timedelta(days=(last - first).days // 2)
    app.date_input(key="overview-dates").set_value((middle + timedelta(days=1), last))
    app.multiselect(key="overview-app").set_value(["web"])
    rerun(app)
    length = (last - middle).days
    sessions = """select coalesce(sum(sessions), 0) from marts.fct_traffic_daily
                  where app = 'web' and activity_date between ? and ?"""
    now = marts_sql(run, sessions, [middle + timedelta(days=1), last]).iloc[0, 0]
    before = marts_sql(run, sessions, [middle + timedelta(days=1 - length), middle]).iloc[0, 0]
    shown = metric(app, "Sessions")
    assert shown.value == f"{now:,.0f}"
    assert shown.delta == f"{(now - before) / before:+.1%}"
    by_app = table(app, ["app"])
    assert by_app["app"].tolist() == ["web"]
    assert by_app["sessions"].tolist() == [now]
    by_device = table(app, ["device_class"])
    expected = marts_sql(
        run,
        """select device_class, sum(sessions) as sessions from marts.fct_traffic_daily
           where app = 'web' and activity_date between ? and ? group by all order by 2 desc""",
        [middle + timedelta(days=1), last],
    )
    assert by_device[["device_class", "sessions"]].values.tolist() == expected.values.tolist()


def test_search_top_and_zero_result_queries_by_language(dashboards_env) -> None:
    run = dashboards_env
    app = open_page("pages/search.py")
    total = marts_sql(run, "select sum(searches) from marts.fct_searches_daily").iloc[0, 0]
    assert metric(app, "Searches").value == f"{total:,.0f}"
    zero = marts_sql(
        run, "select sum(zero_result_rate * searches) / sum(searches) from marts.fct_searches_daily"
    ).iloc[0, 0]
    assert metric(app, "Found nothing").value == f"{zero:.1%}"

    app.multiselect(key="search-language").set_value(["ru"])
    rerun(app)
    expected = marts_sql(
        run,
        """select query, sum(searches) as searches, sum(searchers) as searchers
           from marts.fct_searches_daily where query_language = 'ru'
           group by query order by searches desc, query limit 50""",
    )
    expected["query"] = expected["query"].replace("other", figures.FOLDED_LABEL)
    shown = app.dataframe[0].value  # top queries, then zero-result queries, then languages
    assert set(shown["language"]) == {"ru"}
    assert shown[["query", "searches", "searchers"]].values.tolist() == expected.values.tolist()
    assert "other" not in shown["query"].tolist()  # folded queries are named as such

    lacking = app.dataframe[1].value
    zero_rows = marts_sql(
        run,
        """select query, round(sum(zero_result_rate * searches)) as zero_result_searches
           from marts.fct_searches_daily where query_language = 'ru' group by query
           having zero_result_searches > 0""",
    )
    zero_rows["query"] = zero_rows["query"].replace("other", figures.FOLDED_LABEL)
    assert dict(lacking[["query", "zero_result_searches"]].values.tolist()) == dict(
        zero_rows.values.tolist()
    )
    assert lacking["zero_result_searches"].is_monotonic_decreasing
    languages = table(app, ["language"])
    assert languages["language"].tolist() == ["ru"]
    ru = marts_sql(
        run, "select sum(searches) from marts.fct_searches_daily where query_language = 'ru'"
    ).iloc[0, 0]
    assert languages["searches"].tolist() == [ru]


def test_listings_funnel_categories_and_promotion(dashboards_env) -> None:
    run = dashboards_env
    app = open_page("pages/listings.py")
    sums = """select sum(views) as views, sum(favorites) as favorites,
                     sum(contact_requests) + sum(rental_requests) as requests,
                     sum(bookings) as bookings, sum(revenue_kzt) as revenue
              from marts.fct_listings_daily"""
    everything = marts_sql(run, sums).iloc[0]
    assert metric(app, "Views").value == f"{everything['views']:,.0f}"
    funnel = table(app, ["step"])
    assert funnel["actions"].tolist() == [
        everything["views"],
        everything["favorites"],
        everything["requests"],
        everything["bookings"],
    ]

    app.multiselect(key="listings-promotion").set_value(["not promoted"])
    rerun(app)
    plain = marts_sql(run, sums + " where not is_promoted").iloc[0]
    assert metric(app, "Views").value == f"{plain['views']:,.0f}"
    assert metric(app, "Bookings").value == f"{plain['bookings']:,.0f}"
    assert metric(app, "Revenue (KZT)").value == f"{plain['revenue']:,.0f}"
    by_category = table(app, ["category"])
    expected = marts_sql(
        run,
        """select category, sum(views) as views, sum(bookings) as bookings
           from marts.fct_listings_daily where not is_promoted group by all order by views desc""",
    )
    assert by_category[["category", "views", "bookings"]].values.tolist() == (
        expected.values.tolist()
    )
    effect = table(app, ["promotion"])
    assert effect["promotion"].tolist() == ["not promoted"]
    assert effect["views"].tolist() == [plain["views"]]
    best = app.dataframe[3].value  # funnel, category, district, then best and worst
    expected_best = marts_sql(
        run,
        """select listing_id, sum(revenue_kzt) as revenue from marts.fct_listings_daily
           where not is_promoted and listing_id <> 'other'
           group by all order by revenue desc, sum(bookings) desc, listing_id limit 10""",
    )
    assert best[["listing_id", "revenue_kzt"]].values.tolist() == expected_best.values.tolist()


def test_adverts_totals_and_per_advert(dashboards_env) -> None:
    run = dashboards_env
    first, last = _days(
        run, "select min(activity_date), max(activity_date) from marts.fct_adverts_daily"
    )
    app = open_page("pages/adverts.py")
    app.date_input(key="adverts-dates").set_value((first + timedelta(days=1), last))
    rerun(app)
    window = [first + timedelta(days=1), last]
    impressions, clicks = marts_sql(
        run,
        """select sum(impressions), sum(clicks) from marts.fct_adverts_daily
           where activity_date between ? and ?""",
        window,
    ).iloc[0]
    assert metric(app, "Impressions").value == f"{impressions:,.0f}"
    assert metric(app, "Clicks").value == f"{clicks:,.0f}"
    assert metric(app, "Click-through rate").value == f"{clicks / impressions:.1%}"
    per_advert = marts_sql(
        run,
        """select advert_id, sum(impressions) as impressions, sum(clicks) as clicks
           from marts.fct_adverts_daily where activity_date between ? and ?
           group by all order by impressions desc, advert_id""",
        window,
    )
    per_advert["advert_id"] = per_advert["advert_id"].replace("other", figures.FOLDED_LABEL)
    shown = table(app, ["advert_id"])
    assert shown[["advert_id", "impressions", "clicks"]].values.tolist() == (
        per_advert.values.tolist()
    )


def test_recommendations_show_the_export_in_use(dashboards_env) -> None:
    run = dashboards_env
    root = run["exports"] / "recommendations"
    version = (root / "latest").read_text().strip()
    manifest = json.loads((root / version / "manifest.json").read_text())
    app = open_page("pages/recommendations.py")
    assert metric(app, "Model in use").value == manifest["model"]
    assert metric(app, "Users with lists").value == f"{manifest['row_counts']['users']:,}"
    assert metric(app, "Learnt from days up to").value == manifest["training_window"]["last"]
    recommended, available = marts_sql(
        run,
        "select (select count(distinct listing_id) from read_parquet(?)), "
        "(select count(*) from marts.dim_listings where is_available)",
        [str(root / version / "users.parquet")],
    ).iloc[0]
    assert metric(app, "Listings recommended to someone").value == (
        f"{recommended:,} of {available:,}"
    )
    compared = manifest["metrics"].get("models", {})
    if compared:
        shown = table(app, ["model", "precision@10"]).set_index("model")
        assert shown["ndcg@10"].to_dict() == {m: v["ndcg@10"] for m, v in compared.items()}
        assert shown["in use"].idxmax() == manifest["model"]
    exports = table(app, ["version"])
    assert version in exports["version"].tolist()


def test_privacy_counts_of_few_people_show_as_suppressed(dashboards_env) -> None:
    run = dashboards_env
    app = open_page("pages/privacy.py")
    app.multiselect(key="privacy-scope").set_value(["marketing"])
    first, last = _days(
        run,
        """select least((select min(consent_date) from marts.fct_consent_daily),
                        (select min(delivery_day) from marts.fct_ingestion_outcomes_daily),
                        (select min(requested_date) from marts.fct_erasure_requests)),
                  greatest((select max(consent_date) from marts.fct_consent_daily),
                           (select max(delivery_day) from marts.fct_ingestion_outcomes_daily),
                           (select max(requested_date) from marts.fct_erasure_requests))""",
    )
    app.date_input(key="privacy-dates").set_value((first, last))
    rerun(app)
    consent = table(app, ["day", "scope"])
    expected = marts_sql(
        run,
        """select consent_date as day, scope, subjects_granted, subjects_opted_out, grants,
                  opt_outs
           from marts.fct_consent_daily where scope = 'marketing' order by day""",
    )
    assert len(consent) == len(expected) > 0
    shown_values = consent.drop(columns=["day", "scope"]).values.ravel().tolist()
    mart_values = expected.drop(columns=["day", "scope"]).values.ravel().tolist()
    for shown, mart in zip(shown_values, mart_values, strict=True):
        assert shown == (str(mart) if mart >= 10 else "suppressed")
    assert "suppressed" in shown_values and any(v != "suppressed" for v in shown_values)

    outcomes = table(app, ["outcome", "feed", "reason"])
    expected = marts_sql(
        run,
        """select outcome, feed, reason, sum(records) as records
           from marts.fct_ingestion_outcomes_daily group by all""",
    )
    key = ["outcome", "feed", "reason"]
    assert outcomes.sort_values(key).values.tolist() == expected.sort_values(key).values.tolist()

    requests = table(app, ["state", "age"])
    by_state = marts_sql(
        run, "select state, count(*) as n from marts.fct_erasure_requests group by all"
    )
    for state, n in by_state.values.tolist():
        shown = requests.loc[requests["state"] == state, "requests"].tolist()
        # Ages fall in bands; a band of fewer than 10 requests never shows its number.
        assert all(v == "suppressed" or int(v) >= 10 for v in shown)
        if n < 10:
            assert shown and set(shown) == {"suppressed"}


@pytest.mark.parametrize("page", list(PAGES))
def test_without_a_published_copy_each_page_says_what_to_run(page, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ALMATY_WAREHOUSE", str(tmp_path / "warehouse"))
    monkeypatch.setenv("ALMATY_EXPORT_DIR", str(tmp_path / "exports"))
    app = open_page(page)
    assert [info.value for info in app.info] == [figures.WHAT_TO_RUN]
    assert not app.error


def test_before_the_first_export_the_recommendations_page_says_so(
    dashboards_env, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("ALMATY_EXPORT_DIR", str(tmp_path / "no-exports"))
    app = open_page("pages/recommendations.py")
    assert "No recommendation export yet" in app.info[0].value
    assert table(app, ["day", "subjects"]) is not None  # the recommender's input still shows


def test_privacy_shows_each_erasure_request_and_the_purges_behind_them(dashboards_env) -> None:
    run = dashboards_env
    app = open_page("pages/privacy.py")
    first, last = _days(
        run, "select min(requested_date), max(requested_date) from marts.fct_erasure_requests"
    )
    app.date_input(key="privacy-dates").set_value((first, last))
    rerun(app)
    shown = table(app, ["request_id", "received", "state"])
    expected = marts_sql(
        run,
        """select request_id, state, state_reason, erased_at is not null as erased
           from marts.fct_erasure_requests order by requested_date, request_id""",
    )
    assert shown["request_id"].tolist() == expected["request_id"].tolist()
    assert shown["state"].tolist() == expected["state"].tolist()
    assert shown["why"].fillna("").tolist() == expected["state_reason"].fillna("").tolist()
    assert shown["erased"].notna().tolist() == expected["erased"].tolist()
    assert {"done", "deferred"} <= set(shown["state"])

    audit = table(app, ["purged_at", "rule"])
    expected = marts_sql(
        run,
        """select rule, coalesce(table_name, '') as table_name, rows from marts.fct_privacy_audit
           order by purged_at desc, rule, request_id, table_name""",
    )
    assert len(audit) == len(expected) > 0
    assert audit["rule"].tolist() == expected["rule"].tolist()
    assert audit["rows"].tolist() == expected["rows"].tolist()
