"""Dagster: daily-partitioned assets, checks, schedules and sensors. Glue only; the logic
lives in `ingestion/` and `privacy/`."""

import warnings

from dagster import BetaWarning, PreviewWarning

# Chosen on purpose: single-run backfills (a month is one run) and checks over a partition
# window. Dagster marks both as not yet stable; the warnings say nothing we do not know.
warnings.filterwarnings("ignore", category=BetaWarning)
warnings.filterwarnings("ignore", category=PreviewWarning)
