"""`make demo`: everything from nothing to a warehouse, on the embedded default."""

from __future__ import annotations

from almaty.config import Settings
from almaty.sample_data import SampleSpec, generate_sample
from almaty.secret import create_secret, load_secret
from orchestration.launch import run_and_report


def run_demo(settings: Settings) -> None:
    """Create what is missing (secret, sample data), run what exists, say where to look."""
    if settings.secret_key_file.exists():
        load_secret(settings.secret_key_file)  # fail early and clearly on a broken file
        print(f"using the secret key file {settings.secret_key_file}")
    else:
        create_secret(settings.secret_key_file)
        print(f"created the secret key file {settings.secret_key_file} (mode 0600)")

    landing = settings.landing_dir
    if landing.is_dir() and any(landing.iterdir()):
        print(f"using the landing zone at {landing}")
    else:
        generate_sample(landing, SampleSpec())

    run_and_report(settings, None, None)

    print(
        "\nwhere to look:\n"
        f"  - sample landing zone (landing-v1 contract): {landing}\n"
        f"  - warehouse (a DuckLake: SQLite catalog and Parquet files; schemas ingested, "
        f"staging, intermediate, marts): {settings.warehouse}\n"
        '      .venv/bin/python -c "from pathlib import Path; from ingestion.lake import '
        f"connect_lake; print(connect_lake(Path('{settings.warehouse}'), read_only=True)"
        ".sql('from marts.fct_traffic_daily limit 5'))\"\n"
        f"  - the dashboards' copy of the marts (no row about a person): {settings.published}\n"
        "  - the dbt models and what they mean: dbt_project/README.md\n"
        "  - the dashboards for the marketing analysts over that copy: .venv/bin/almaty "
        "dashboards  (http://127.0.0.1:8501)\n"
        f"  - recommendation exports (manifest.json has the model and its metrics): "
        f"{settings.export_dir / 'recommendations'}\n"
        "  - the recommendation service over the latest export: ALMATY_API_TOKEN=<a token of "
        "16+ characters> .venv/bin/almaty serve  (http://127.0.0.1:8000/docs)\n"
        "  - Dagster UI with the runs and checks: .venv/bin/almaty ui  (http://127.0.0.1:3000)"
    )
