"""Plain functions behind the pages: periods, comparisons, small groups, rankings, manifests.

No Streamlit here, so tests call each directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from recommender.export import (
    MANIFEST_FILE,
    RECOMMENDATIONS,
    USERS_FILE,
    ExportError,
    latest_version,
)

SUPPRESSED = "suppressed"
FOLDED = "other"
FOLDED_LABEL = "other (small groups folded together)"
DEFAULT_DAYS = 28
WHAT_TO_RUN = (
    "No data yet. Run `make demo` for a sample, or `almaty run` to ingest the landing zone "
    "and publish the marts; this page shows them as soon as they are published."
)


def default_range(first: date, last: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The last `days` days with data, or all of them when there are fewer."""
    return max(first, last - timedelta(days=days - 1)), last


def previous_period(first: date, last: date) -> tuple[date, date]:
    """The period of the same length just before [first, last]."""
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def change(current: float, previous: float) -> str | None:
    """The relative change for a metric's delta, or None when there is nothing to compare."""
    if pd.isna(previous) or previous == 0:
        return None
    return f"{(current - previous) / previous:+.1%}"


def suppress_small(frame: pd.DataFrame, columns: list[str], min_group_size: int) -> pd.DataFrame:
    """Counts of people below `min_group_size` become missing: shown as suppressed, never a
    number, so no figure singles anyone out (the marts' own rule, applied to counts the
    dashboards make themselves)."""
    out = frame.copy()
    for column in columns:
        values = out[column].astype("Int64")
        out[column] = values.mask(values < min_group_size)
    return out


def for_display(frame: pd.DataFrame, suppressed: list[str] = (), folded: list[str] = ()):
    """The table as shown and downloaded: suppressed counts say so, folded groups are named."""
    out = frame.copy()
    for column in suppressed:  # text throughout: a column of numbers and words won't sort
        out[column] = [SUPPRESSED if pd.isna(value) else str(value) for value in out[column]]
    for column in folded:
        out[column] = out[column].replace(FOLDED, FOLDED_LABEL)
    return out


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Listing funnel counts plus the conversions analysts compare: per view."""
    out = frame.copy()
    views = out["views"].where(out["views"] > 0)
    out["requests_per_view"] = out["requests"] / views
    out["bookings_per_view"] = out["bookings"] / views
    return out


def best_and_worst(
    listings: pd.DataFrame, n: int = 10, min_views: int = 20
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The listings that earned most, and those most viewed that convert worst.

    The folded 'other' row is no listing and is left out; "worst" considers listings with at
    least `min_views` views, so one unlucky view does not rank a listing last.
    """
    named = with_rates(listings[listings["listing_id"] != FOLDED])
    best = named.sort_values(
        ["revenue_kzt", "bookings", "listing_id"], ascending=[False, False, True]
    )
    seen = named[named["views"] >= min_views]
    worst = seen.sort_values(
        ["bookings_per_view", "views", "listing_id"], ascending=[True, False, True]
    )
    return best.head(n).reset_index(drop=True), worst.head(n).reset_index(drop=True)


def promotion_effect(by_promotion: pd.DataFrame) -> pd.DataFrame:
    """Promoted against not promoted, per listing-day so the groups' sizes do not decide."""
    out = with_rates(by_promotion)
    days = out["listing_days"].where(out["listing_days"] > 0)
    out["views_per_listing_day"] = out["views"] / days
    out["revenue_per_listing_day"] = out["revenue_kzt"] / days
    out["is_promoted"] = out["is_promoted"].map({True: "promoted", False: "not promoted"})
    return out.rename(columns={"is_promoted": "promotion"})


def funnel_steps(totals: pd.Series) -> pd.DataFrame:
    """The listing funnel from view to booking, each step with its share of views."""
    steps = [
        ("1 viewed", totals["views"]),
        ("2 saved as favorite", totals["favorites"]),
        ("3 contact or rental request", totals["requests"]),
        ("4 booked", totals["bookings"]),
    ]
    frame = pd.DataFrame(steps, columns=["step", "actions"])
    frame["share_of_views"] = frame["actions"] / totals["views"] if totals["views"] else None
    return frame


# --- recommendation exports ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSummary:
    version: str
    manifest: dict[str, Any]
    users_file: Path


def latest_export(export_dir: Path) -> ExportSummary | None:
    """The manifest of the export the service uses now, or None before the first."""
    version = latest_version(export_dir)
    if version is None:
        return None
    folder = export_dir / RECOMMENDATIONS / version
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ExportError(f"{folder / MANIFEST_FILE}: {error}") from None
    return ExportSummary(version, manifest, folder / USERS_FILE)


def export_history(export_dir: Path) -> pd.DataFrame:
    """Every version still kept: when it was made, its model and its NDCG@10."""
    rows = []
    for manifest_file in sorted((export_dir / RECOMMENDATIONS).glob(f"[0-9]*/{MANIFEST_FILE}")):
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        models = manifest.get("metrics", {}).get("models", {})
        rows.append(
            {
                "version": manifest["version"],
                "created_at": pd.Timestamp(manifest["created_at"]),
                "model": manifest["model"],
                "ndcg@10": models.get(manifest["model"], {}).get("ndcg@10"),
                "users": manifest["row_counts"]["users"],
            }
        )
    return pd.DataFrame(
        rows, columns=["version", "created_at", "model", "ndcg@10", "users"]
    ).sort_values("version", ascending=False, ignore_index=True)


def model_metrics(manifest: dict[str, Any]) -> pd.DataFrame:
    """Each compared model's hold-out metrics, with NDCG@10 relative to popularity's."""
    models = manifest.get("metrics", {}).get("models", {})
    frame = pd.DataFrame([{"model": name, **metrics} for name, metrics in models.items()])
    if frame.empty:
        return frame
    baseline = models.get("popularity", {}).get("ndcg@10")
    frame["ndcg@10 vs popularity"] = frame["ndcg@10"] / baseline if baseline else None
    frame["in use"] = frame["model"] == manifest["model"]
    return frame.sort_values("ndcg@10", ascending=False, ignore_index=True)


def freshness(manifest: dict[str, Any], now: datetime) -> dict[str, Any]:
    """How old the export is, and the last day it learnt from."""
    created = datetime.fromisoformat(manifest["created_at"])
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return {
        "created_at": created,
        "age_hours": (now - created).total_seconds() / 3600,
        "trained_until": date.fromisoformat(manifest["training_window"]["last"]),
    }


def zero_result_queries(queries: pd.DataFrame) -> pd.DataFrame:
    """Queries that found nothing at least once, those that most often did first."""
    lacking = queries[queries["zero_result_searches"] > 0]
    return lacking.sort_values(
        ["zero_result_searches", "zero_result_rate", "query"], ascending=[False, False, True]
    ).reset_index(drop=True)


def weighted_rate(frame: pd.DataFrame, rate: str, weight: str) -> float | None:
    """A rate over several rows, each row's rate weighted by its count; None without any."""
    total = frame[weight].sum()
    return float((frame[rate] * frame[weight]).sum() / total) if total else None
