"""The `almaty` command: the edge where user mistakes become one-line errors.

Each subcommand parses its arguments, reads settings and calls plain functions;
no logic lives here beyond that.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from almaty.config import MIN_API_TOKEN_CHARS, load_settings
from almaty.errors import AlmatyError, ConfigError
from almaty.sample_data import SampleSpec

DEMO = SampleSpec()


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line, not a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from None


def _positive_int(text: str) -> int:
    try:
        number = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _day_counts(text: str) -> list[int]:
    """--ages: whole numbers of days, comma-separated, at least two to compare."""
    counts = [_positive_int(part.strip()) for part in text.split(",")]
    if len(set(counts)) < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least two different numbers of days")
    return counts


def _cmd_secret_init(_: argparse.Namespace) -> None:
    from almaty.secret import create_secret

    path = load_settings().secret_key_file
    create_secret(path)
    print(f"created the secret key file {path} (mode 0600); keep it out of git and back it up")


def _cmd_generate(args: argparse.Namespace) -> None:
    from almaty.sample_data import generate_sample

    spec = SampleSpec(args.start, args.days, args.users, args.events_per_day, args.seed)
    generate_sample(args.out or load_settings().landing_dir, spec)


def _cmd_run(args: argparse.Namespace) -> None:
    from orchestration.launch import run_and_report

    run_and_report(load_settings(), args.first, args.last)


def _cmd_privacy_purge(_: argparse.Namespace) -> None:
    from orchestration.launch import purge_and_report

    purge_and_report(load_settings())


def _cmd_privacy_access(args: argparse.Namespace) -> None:
    from almaty.secret import load_secret
    from ingestion.lake import connect_lake
    from privacy.pseudonyms import Pseudonymizer
    from serving.access import access_report, write_access_report

    if args.out is not None and not args.out.parent.is_dir():
        raise AlmatyError(f"--out {args.out}: the folder {args.out.parent} does not exist", 2)
    settings = load_settings()
    pseudonym = Pseudonymizer(load_secret(settings.secret_key_file), "user")(args.user_id)
    with connect_lake(settings.warehouse, read_only=True) as con:
        report = access_report(con, pseudonym)
    write_access_report(report, args.out)
    if args.out is not None:
        tables = len(report["tables"])
        print(f"wrote {args.out}: {tables} table(s) hold data about this user", file=sys.stderr)


def _user_id(text: str) -> str:
    if not text or not text.isprintable():
        raise argparse.ArgumentTypeError("must be the website's account id (printable, not empty)")
    return text


def _cmd_ui(args: argparse.Namespace) -> None:
    from orchestration.launch import start_ui

    start_ui(load_settings(), args.port)


def _port(text: str) -> int:
    number = _positive_int(text)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, got {number}")
    return number


def _cmd_serve(args: argparse.Namespace) -> None:
    from almaty.secret import load_secret
    from privacy.pseudonyms import Pseudonymizer
    from recommender.service import create_app, serve

    settings = load_settings()
    if settings.api_token is None:
        raise ConfigError(
            "ALMATY_API_TOKEN is not set: `almaty serve` needs the bearer token the website "
            f"sends (at least {MIN_API_TOKEN_CHARS} random characters)"
        )
    user = Pseudonymizer(load_secret(settings.secret_key_file), "user")
    serve(create_app(settings.export_dir, user, settings.api_token), args.host, args.port)


def _cmd_dashboards(args: argparse.Namespace) -> None:
    from dashboards.launch import start_dashboards

    load_settings()  # a bad setting is one line here, not an error box on every page
    start_dashboards(args.host, args.port)


def _cmd_demo(_: argparse.Namespace) -> None:
    from almaty.demo import run_demo

    run_demo(load_settings())


def _cmd_bench_generate(args: argparse.Namespace) -> None:
    from almaty.bench import bench_generate

    bench_generate(events=args.events, seed=args.seed)


def _cmd_bench_models(args: argparse.Namespace) -> None:
    from almaty.bench import bench_models

    bench_models(events=args.events, days=args.days, seed=args.seed)


def _cmd_bench_purge(args: argparse.Namespace) -> None:
    from almaty.bench import bench_purge

    bench_purge(events=args.events, days=args.days, seed=args.seed)


def _cmd_bench_recommender(args: argparse.Namespace) -> None:
    from almaty.bench import bench_recommender

    bench_recommender(users=args.users, seed=args.seed)


def _cmd_bench_serve(args: argparse.Namespace) -> None:
    from almaty.bench import bench_serve

    bench_serve(requests=args.requests, concurrency=args.concurrency, seed=args.seed)


def _cmd_bench_ingest(args: argparse.Namespace) -> None:
    from almaty.bench import bench_ingest

    bench_ingest(events=args.events, days=args.days, seed=args.seed, repeat=args.repeat)


def _cmd_bench_daily(args: argparse.Namespace) -> None:
    from almaty.bench import bench_daily

    bench_daily(ages=args.ages, events=args.events, seed=args.seed)


def _cmd_bench_dashboards(args: argparse.Namespace) -> None:
    from almaty.bench import bench_dashboards

    bench_dashboards(days=args.days, events=args.events, seed=args.seed)


def _cmd_recommender_evaluate(args: argparse.Namespace) -> None:
    import json

    from recommender.evaluate import compare_models
    from recommender.interactions import read_interactions

    interactions = read_interactions(args.interactions)
    try:
        report = compare_models(
            interactions,
            holdout_days=args.holdout_days,
            k=args.k,
            seed=args.seed,
            max_trials=args.trials,
            tuning_seconds=args.tuning_seconds,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except AlmatyError as error:
        raise AlmatyError(f"{args.interactions}: {error}", error.exit_code) from None
    print(json.dumps(report))


def _add_generate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, help="the landing zone to create (default: ALMATY_LANDING_DIR)"
    )
    parser.add_argument(
        "--start",
        type=_iso_date,
        default=DEMO.start,
        help="first delivery day, YYYY-MM-DD (default %(default)s)",
    )
    parser.add_argument(
        "--days", type=_positive_int, default=DEMO.days, help="delivery days (default %(default)s)"
    )
    parser.add_argument(
        "--users", type=_positive_int, default=DEMO.users, help="accounts (default %(default)s)"
    )
    parser.add_argument(
        "--events-per-day",
        type=_positive_int,
        default=DEMO.events_per_day,
        help="average usage events a day, before seasonality (default %(default)s)",
    )
    _seed_option(parser)


def _seed_option(parser: argparse.ArgumentParser) -> None:
    """--seed of every command that generates data: runs can be repeated exactly."""
    parser.add_argument(
        "--seed",
        type=int,
        default=DEMO.seed,
        help="random seed; the same seed gives the same data and figures (default %(default)s)",
    )


def _generated_days_options(parser: argparse.ArgumentParser, events: int, days: int) -> None:
    """--events, --days and --seed of the benchmarks that build a warehouse from generated days."""
    parser.add_argument(
        "--events", type=_positive_int, default=events, help="events a day (default %(default)s)"
    )
    parser.add_argument(
        "--days", type=_positive_int, default=days, help="delivery days (default %(default)s)"
    )
    _seed_option(parser)


def _group(commands: argparse._SubParsersAction, name: str, help_: str):
    """A command that only holds subcommands (`almaty secret ...`)."""
    parser = commands.add_parser(name, help=help_, description=help_)
    return parser.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)


def _command(
    commands: argparse._SubParsersAction,
    name: str,
    handler: Callable[[argparse.Namespace], None],
    help_: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_, description=description or help_)
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="almaty",
        description="Visit Almaty City warehouse: sample data, pipeline, privacy and serving.",
        epilog="Settings come from ALMATY_* environment variables; see the README.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    secret = _group(commands, "secret", "manage the pseudonymization secret")
    _command(
        secret,
        "init",
        _cmd_secret_init,
        "create a new random secret key file (never overwrites one)",
        "Create ALMATY_SECRET_KEY_FILE with 32 random bytes as hex text, mode 0600.",
    )

    generate = _command(
        commands, "generate", _cmd_generate, "write a realistic sample landing zone (landing-v1)"
    )
    _add_generate_options(generate)
    run = _command(
        commands,
        "run",
        _cmd_run,
        "ingest delivery days (and build everything downstream) as one Dagster run",
        "Materialize the pipeline for a range of delivery days (Asia/Almaty) as one in-process "
        "Dagster run. Without dates: every day present in the landing zone.",
    )
    run.add_argument("--from", dest="first", type=_iso_date, help="first delivery day")
    run.add_argument("--to", dest="last", type=_iso_date, help="last delivery day")
    privacy = _group(commands, "privacy", "the purge and access requests (privacy policy 4, 6)")
    _command(
        privacy,
        "purge",
        _cmd_privacy_purge,
        "bring the warehouse, its copies and the exports in line with the privacy feeds now",
        "Run the purge alone (every `almaty run` runs it too): erasures free to run, analytics "
        "opt-outs and retention remove the subject everywhere, personalization opt-outs leave "
        "the recommendations; then the models of the days it touched, the published copies "
        "and a new export. Each purge is appended to the audit (marts.fct_privacy_audit).",
    )
    access = _command(
        privacy,
        "access",
        _cmd_privacy_access,
        "write everything the warehouse holds about one user, as explained JSON",
        "Find the user through their pseudonym in the warehouse, attached read-only (so it "
        "works while the pipeline runs), and write every table's rows about them, with a plain "
        "explanation of every field and of what was pseudonymized or coarsened.",
    )
    access.add_argument(
        "--user-id", required=True, type=_user_id, help="the website's account id of the user"
    )
    access.add_argument(
        "--out", type=Path, help="write the JSON to this file (default: standard output)"
    )
    ui = _command(commands, "ui", _cmd_ui, "start the Dagster web UI on the same definitions")
    ui.add_argument("--port", type=_positive_int, default=3000, help="port (default %(default)s)")
    _command(commands, "demo", _cmd_demo, "sample data and the whole pipeline, then where to look")
    serve = _command(
        commands,
        "serve",
        _cmd_serve,
        "serve recommendations over HTTP (FastAPI, one uvicorn worker)",
        "Serve the latest recommendations export of ALMATY_EXPORT_DIR over HTTP, switching to "
        "a new export without a restart. Needs ALMATY_API_TOKEN (the bearer token callers "
        "send) and the secret of ALMATY_SECRET_KEY_FILE. Documentation at /docs.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address (default %(default)s)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default %(default)s)")

    dashboards = _command(
        commands,
        "dashboards",
        _cmd_dashboards,
        "serve the Streamlit dashboards for the marketing analysts",
        "Serve the dashboards (Overview, Search, Listings, Adverts, Recommendations, Privacy "
        "and compliance) over the published read-only copy of the marts beside "
        "ALMATY_WAREHOUSE, and the latest recommendation export of ALMATY_EXPORT_DIR. "
        "STREAMLIT_* environment settings apply.",
    )
    dashboards.add_argument("--host", default="127.0.0.1", help="address (default %(default)s)")
    dashboards.add_argument("--port", type=_port, default=8501, help="port (default %(default)s)")

    bench = _group(commands, "bench", "benchmarks behind `make bench`")
    bench_generate = _command(
        bench,
        "generate",
        _cmd_bench_generate,
        "events per second of `almaty generate` for one day",
        "Generate one delivery day of N events into a temporary folder; report events per "
        "second and peak memory.",
    )
    bench_generate.add_argument(
        "--events", type=_positive_int, default=1_000_000, help="events (default %(default)s)"
    )
    _seed_option(bench_generate)
    bench_ingest = _command(
        bench,
        "ingest",
        _cmd_bench_ingest,
        "ingestion of one day with every rule, against DuckDB alone",
        "Generate delivery days of N events, ingest them with every privacy rule, and time "
        "DuckDB alone loading the same files; the last line is ingest_ratio=X.XX.",
    )
    bench_ingest.add_argument(
        "--events", type=_positive_int, default=1_000_000, help="events (default %(default)s)"
    )
    bench_ingest.add_argument(
        "--days",
        type=_positive_int,
        default=1,
        help="delivery days, to see memory stay flat as days add up (default %(default)s)",
    )
    _seed_option(bench_ingest)
    bench_ingest.add_argument(
        "--repeat",
        type=_positive_int,
        default=1,
        help="run both this many times in turn; the ratio of the medians counts "
        "(default %(default)s)",
    )
    bench_models = _command(
        bench,
        "models",
        _cmd_bench_models,
        "dbt build over many days, then an incremental run of one day",
        "Generate and ingest delivery days of N events, time a full dbt build, then the daily "
        "models of the last day alone; the last line is dbt_one_day_share=X.XX.",
    )
    _generated_days_options(bench_models, events=200_000, days=30)

    bench_daily = _command(
        bench,
        "daily",
        _cmd_bench_daily,
        "one day's whole almaty run on warehouses of growing age",
        "For each age N, build a warehouse of N generated days with almaty run, then time "
        "almaty run of the next day alone; the last line is daily_run_ratio=X.XX, the oldest "
        "warehouse's time over the youngest's.",
    )
    bench_daily.add_argument(
        "--ages",
        type=_day_counts,
        default=[8, 36, 365],
        metavar="N,N,...",
        help="days the warehouses hold before the timed day (default 8,36,365)",
    )
    bench_daily.add_argument(
        "--events", type=_positive_int, default=20_000, help="events a day (default %(default)s)"
    )
    _seed_option(bench_daily)

    bench_purge = _command(
        bench,
        "purge",
        _cmd_bench_purge,
        "the purge and the rewrite of the files it triggers on a modelled warehouse",
        "Generate, ingest and model delivery days of N events, refuse analytics for 1 %% of "
        "users, and time the purge, the rewrite of the files that held the removed rows "
        "(with the snapshots' expiry and the catalog's vacuum), and a purge with nothing to "
        "do; the last line is purge_seconds=X.X.",
    )
    _generated_days_options(bench_purge, events=200_000, days=10)

    recommender = _group(commands, "recommender", "the recommender: judge its models")
    evaluate = _command(
        recommender,
        "evaluate",
        _cmd_recommender_evaluate,
        "compare the models on a time-based hold-out of an interactions file",
        "Tune and fit popularity, item-item, ALS and BPR on the interactions before the last "
        "--holdout-days days and score them on those days (new items per user); print one JSON "
        "object with every model's metrics and parameters and the best by NDCG@k. Progress "
        "goes to stderr.",
    )
    evaluate.add_argument(
        "--interactions",
        type=Path,
        required=True,
        metavar="FILE.parquet",
        help="Parquet file with columns user_id, item_id, weight, ts",
    )
    evaluate.add_argument(
        "--holdout-days",
        type=_positive_int,
        default=7,
        help="the last days held out for testing (default %(default)s)",
    )
    evaluate.add_argument(
        "--k", type=_positive_int, default=10, help="list length scored (default %(default)s)"
    )
    evaluate.add_argument(
        "--seed", type=int, default=0, help="random seed of models and search (default %(default)s)"
    )
    evaluate.add_argument(
        "--trials",
        type=_positive_int,
        default=10,
        help="settings tried per model in the hyper-parameter search (default %(default)s)",
    )
    evaluate.add_argument(
        "--tuning-seconds",
        type=_positive_int,
        default=60,
        help="time budget of each model's search; a search cut short says so (default %(default)s)",
    )
    bench_serve = _command(
        bench,
        "serve",
        _cmd_bench_serve,
        "requests per second and latency of `almaty serve`",
        "Write a synthetic export (100,000 users x 20 listings, 2,000 listings), start the "
        "service on loopback in a child process and drive it with an async load generator; "
        "report requests/s, p50 and p99 of the recommendations endpoint and of a trivial "
        "FastAPI endpoint in the same server.",
    )
    bench_serve.add_argument(
        "--requests",
        type=_positive_int,
        default=20_000,
        help="requests per endpoint (default %(default)s)",
    )
    bench_serve.add_argument(
        "--concurrency",
        type=_positive_int,
        default=16,
        help="connections kept busy at once (default %(default)s)",
    )
    _seed_option(bench_serve)
    bench_recommender = _command(
        bench,
        "recommender",
        _cmd_bench_recommender,
        "the export step against the chosen model's fit alone",
        "Make interactions with stable tastes, run the export once comparing and tuning every "
        "model, then time the export refitting the chosen model, and ALS, against each one's "
        "fit alone on the same matrix (medians of 5 runs); the last line is "
        "recommender_overhead=X.X, for the chosen model.",
    )
    bench_recommender.add_argument(
        "--users", type=_positive_int, default=20_000, help="users (default %(default)s)"
    )
    _seed_option(bench_recommender)
    bench_dashboards = _command(
        bench,
        "dashboards",
        _cmd_bench_dashboards,
        "each dashboard page's first render on a year of data",
        "Build a warehouse from generated days once (kept under data/bench/dashboards and "
        "reused), then render every page with Streamlit's AppTest with empty caches; the last "
        "line is dashboards_slowest_first_render_s=X.XX.",
    )
    _generated_days_options(bench_dashboards, events=100_000, days=365)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user mistakes print one line on stderr and give a non-zero exit."""
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except AlmatyError as error:
        print(f"almaty: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("almaty: interrupted", file=sys.stderr)
        return 130
    return 0
