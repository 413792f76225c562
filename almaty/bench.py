"""Benchmarks behind `make bench`: figures with the machine they were taken on."""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path

import psutil

BENCH_DAY = date(2026, 1, 10)  # a Saturday in ski season: a busy day


def machine_description() -> str:
    """One line naming the CPU, cores and memory, to print beside every figure."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gb = psutil.virtual_memory().total / 2**30
    python = platform.python_version()
    return f"{model}, {os.cpu_count()} cores, {memory_gb:.0f} GiB, Python {python}"


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_generate(events: int, seed: int) -> float:
    """Time one delivery day of `events` events written to a temporary folder."""
    from landing.generate import generate_landing_zone

    print(f"machine: {machine_description()}")
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        started = time.perf_counter()
        summary = generate_landing_zone(
            Path(tmp) / "landing",
            start=BENCH_DAY,
            days=1,
            users=max(10, events // 50),
            events_per_day=events,
            seed=seed,
        )
        seconds = time.perf_counter() - started
    rate = summary.events / seconds
    print(
        f"generate: {summary.events:,} events, {summary.searches:,} searches, "
        f"{summary.bytes / 1e6:,.0f} MB in {seconds:.2f} s; peak memory {peak_rss_mb():,.0f} MB"
    )
    print(f"generate_events_per_s={rate:,.0f}")
    return rate


def _in_child(function, *args):
    """Run `function` in a fresh process: its peak memory is its own, not the generator's."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _generate_days(
    landing: Path, events: int, days: int, seed: int, start: date = BENCH_DAY
) -> tuple[float, float, int]:
    from landing.generate import generate_landing_zone

    started = time.perf_counter()
    summary = generate_landing_zone(
        landing,
        start=start,
        days=days,
        users=max(10, events // 50),
        events_per_day=events,
        seed=seed,
    )
    return time.perf_counter() - started, peak_rss_mb(), summary.events + summary.searches


def _duckdb_alone(landing: Path, database: Path) -> tuple[float, float, float]:
    """Seconds, CPU seconds (every thread) and peak memory of DuckDB alone loading the files."""
    import duckdb

    started, cpu_started = time.perf_counter(), time.process_time()
    with duckdb.connect(str(database)) as con:
        for feed in ("events", "searches"):
            files = str(landing / feed / "date=*" / "*.jsonl*")
            con.execute(
                f"create table {feed} as select * from read_json('{files}', ignore_errors=true)"
            )
    return time.perf_counter() - started, time.process_time() - cpu_started, peak_rss_mb()


def _stop(day: date, error: Exception) -> None:
    raise SystemExit(f"bench: delivery day {day} cannot be read: {error}")


def _ingest(
    landing: Path, warehouse: Path, secret_file: Path
) -> tuple[float, float, float, list[str]]:
    """Every delivery day through `ingest_days`, as `almaty run` ingests them: seconds, CPU
    seconds, peak memory and a line per day (the first day's includes the run's links).
    """
    import pandas  # noqa: F401 (imports are not timed on either side; see below)
    import psutil

    from almaty.secret import load_secret
    from ingestion.daily import ingest_days
    from ingestion.rules import derive_keys, refresh_listings, refresh_privacy_rules
    from ingestion.warehouse import check_key_version, open_warehouse
    from landing.contract import delivery_days

    # pyarrow imports pandas on its first array (0.15 s); `almaty run` has imported it by
    # then, through its Dagster definitions, so here it is imported before the clock starts.
    started, cpu_started = time.perf_counter(), time.process_time()
    keys = derive_keys(load_secret(secret_file))
    days = delivery_days(landing)
    as_of = days[-1]
    lines = []
    with open_warehouse(warehouse) as con:
        check_key_version(con, keys.version)
        con.execute("begin transaction")
        refresh_privacy_rules(con, landing, keys, as_of, 3)
        refresh_listings(con, landing, keys, as_of)
        con.execute("commit")
        day_started = time.perf_counter()

        def timed(day_results) -> None:
            nonlocal day_started
            resident = psutil.Process().memory_info().rss / 2**20
            lines.append(
                f"  {day_results[0].day}: {time.perf_counter() - day_started:.2f} s, "
                f"resident {resident:,.0f} MB, peak {peak_rss_mb():,.0f} MB"
            )
            day_started = time.perf_counter()

        ingest_days(con, landing, days, keys, as_of, 3, on_day=timed, on_unread=_stop)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return seconds, cpu_seconds, peak_rss_mb(), lines


def bench_ingest(events: int, days: int, seed: int, repeat: int = 1) -> float:
    """Ingestion of generated days with every rule, against DuckDB alone on the same files.

    With `repeat`, both run that many times in turn and the medians count: on a machine
    shared with other work, one run of each can meet very different loads. CPU seconds are
    printed too, since other work slows the clock but not them.
    """
    from statistics import median

    from almaty.secret import create_secret

    print(f"machine: {machine_description()}")
    baselines, ingests = [], []
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        root = Path(tmp)
        landing = root / "landing"
        seconds, generate_memory, records = _in_child(_generate_days, landing, events, days, seed)
        print(
            f"generated {days} day(s) ({records:,} events and searches for --events {events:,}) "
            f"in {seconds:.1f} s, peak {generate_memory:,.0f} MB"
        )
        size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
        print(f"landing files: {size / 1e6:,.0f} MB")
        create_secret(root / "secret.key")
        for run in range(repeat):
            baseline_db, warehouse = (
                root / f"baseline-{run}.duckdb",
                root / f"warehouse-{run}.duckdb",
            )
            baseline, baseline_cpu, baseline_memory = _in_child(_duckdb_alone, landing, baseline_db)
            print(
                f"duckdb alone (read_json into tables): {baseline:.2f} s, "
                f"cpu {baseline_cpu:.2f} s, peak {baseline_memory:,.0f} MB"
            )
            ingest, ingest_cpu, ingest_memory, day_lines = _in_child(
                _ingest, landing, warehouse, root / "secret.key"
            )
            print("\n".join(day_lines))
            print(
                f"ingestion with every rule: {ingest:.2f} s, cpu {ingest_cpu:.2f} s, "
                f"peak {ingest_memory:,.0f} MB (cpu ratio {ingest_cpu / baseline_cpu:.2f})"
            )
            baselines.append(baseline)
            ingests.append(ingest)
            for database in (baseline_db, warehouse):  # a day's warehouse is hundreds of MB
                database.unlink(missing_ok=True)
    if repeat > 1:
        print(
            f"medians of {repeat} runs: duckdb alone {median(baselines):.2f} s, ingestion "
            f"{median(ingests):.2f} s"
        )
    ratio = median(ingests) / median(baselines)
    print(f"ingest_ratio={ratio:.2f}")
    return ratio


def _run_dbt(args: list[str]) -> float:
    import subprocess

    from orchestration.dbt_manifest import dbt_command

    started = time.perf_counter()
    result = subprocess.run(dbt_command(args), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dbt failed: {result.stdout[-2000:]}")
    return time.perf_counter() - started


def bench_models(events: int, days: int, seed: int) -> float:
    """A full dbt build over `days` ingested days, then the daily models of the last day alone."""
    from datetime import timedelta

    from almaty.config import load_settings
    from almaty.secret import create_secret
    from orchestration.models import DAILY, dbt_build_args

    print(f"machine: {machine_description()}")
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        root = Path(tmp)
        landing, warehouse = root / "landing", root / "warehouse"
        seconds, _, records = _in_child(_generate_days, landing, events, days, seed)
        print(f"generated {days} day(s), {records:,} events and searches, in {seconds:.1f} s")
        create_secret(root / "secret.key")
        seconds, _, _, _ = _in_child(_ingest, landing, warehouse, root / "secret.key")
        print(f"ingested in {seconds:.1f} s")
        last = BENCH_DAY + timedelta(days=days - 1)
        settings = load_settings(
            {"ALMATY_WAREHOUSE": str(warehouse), "ALMATY_AS_OF": str(last + timedelta(days=1))}
        )
        full = _run_dbt(dbt_build_args(settings, None))
        print(f"dbt build, every model and data test over {days} days: {full:.1f} s")
        window = (last, last + timedelta(days=1))
        one_day = _run_dbt([*dbt_build_args(settings, window), "--select", DAILY])
        print(f"dbt build of the daily models for delivery day {last} after it: {one_day:.1f} s")
    share = one_day / full
    print(f"dbt_one_day_share={share:.2f}")
    return share


def _refuse_analytics(landing: Path, share: float) -> int:
    """Append analytics refusals, after the last day, for `share` of the users seen."""
    import duckdb

    files = str(landing / "events" / "date=*" / "*.jsonl*")
    users = duckdb.sql(
        f"select distinct user_id from read_json('{files}', ignore_errors=true) "
        "where user_id is not null order by user_id"
    ).fetchall()
    chosen = users[:: max(1, round(1 / share))]
    folder = landing / "privacy" / "consent"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "bench-refusals.jsonl", "w") as out:
        for (user,) in chosen:
            out.write(
                json.dumps(
                    {"user_id": user, "anonymous_id": None, "ts": "2030-01-01T00:00:00Z",
                     "scope": "analytics", "granted": False}
                )
                + "\n"
            )  # fmt: skip
    return len(chosen)


def bench_purge(events: int, days: int, seed: int) -> float:
    """The purge over an ingested and modelled warehouse after analytics refusals of 1 % of
    users, the rewrite of the files that held the removed rows it triggers, and a purge with
    nothing to do (every run's cost)."""
    from datetime import timedelta

    from almaty.config import load_settings
    from almaty.secret import create_secret, load_secret
    from ingestion.lake import remove_deleted_bytes
    from ingestion.purge import purge_warehouse
    from ingestion.rules import derive_keys, refresh_privacy_rules
    from ingestion.warehouse import open_warehouse
    from orchestration.models import dbt_build_args

    print(f"machine: {machine_description()}")
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        root = Path(tmp)
        landing, warehouse = root / "landing", root / "warehouse"
        _, _, records = _in_child(_generate_days, landing, events, days, seed)
        create_secret(root / "secret.key")
        _in_child(_ingest, landing, warehouse, root / "secret.key")
        as_of = BENCH_DAY + timedelta(days=days)
        settings = load_settings({"ALMATY_WAREHOUSE": str(warehouse), "ALMATY_AS_OF": str(as_of)})
        _run_dbt(dbt_build_args(settings, None))
        print(f"{days} day(s), {records:,} events and searches, ingested and modelled")
        refusing = _refuse_analytics(landing, 0.01)
        keys = derive_keys(load_secret(root / "secret.key"))

        def purge() -> tuple[float, float, object]:
            started = time.perf_counter()
            with open_warehouse(warehouse) as con:
                con.execute("begin transaction")
                refresh_privacy_rules(con, landing, keys, as_of, 3)
                con.execute("commit")
                result = purge_warehouse(con, as_of, 3, datetime.now(UTC))
                purged = time.perf_counter()
                files = remove_deleted_bytes(con, warehouse, grace_seconds=0)
            rewrite = time.perf_counter() - purged
            print(f"  files rewritten, {files} old ones deleted, catalog vacuumed: {rewrite:.1f} s")
            return purged - started, rewrite, result

        seconds, rewrite, result = purge()
        print(
            f"purge after {refusing} analytics refusals: {seconds:.1f} s, "
            f"{result.rows_removed:,} rows removed, {len(result.days)} day(s) to rebuild"
        )
        idle, _, _ = purge()
        print(f"purge with nothing to do (every run): {idle:.1f} s")
    print(f"purge_seconds={seconds + rewrite:.1f}")
    return seconds + rewrite


# --- the recommendation service -----------------------------------------------------------

BENCH_TOKEN = "bench-token-0123456789abcdef"  # a throwaway token for a loopback-only server
# Seconds for the whole batch, each request's latency in seconds, answers other than 200.
LoadResult = tuple[float, list[float], int]


def _write_synthetic_export(
    export_dir: Path, secret: bytes, users: int, per_user: int, listings: int, seed: int
) -> list[str]:
    """An export of the real format and size; returns the website ids of its users."""
    import numpy as np

    from privacy.pseudonyms import Pseudonymizer
    from recommender.export import write_export

    rng = np.random.default_rng(seed)
    user_ids = [f"u_{n}" for n in range(users)]
    pseudonyms = np.array(Pseudonymizer(secret, "user").many(user_ids))
    listing_ids = np.array([f"L{n:05d}" for n in range(listings)])
    ranks = np.arange(1, per_user + 1, dtype=np.int32)
    reasons = np.array(["personalized", "similar_to_recent", "popular"])
    popular = min(200, listings)
    write_export(
        export_dir,
        users={
            "subject_pseudonym": np.repeat(pseudonyms, per_user),
            "rank": np.tile(ranks, users),
            "listing_id": listing_ids[rng.integers(0, listings, users * per_user)],
            "score": np.sort(rng.random((users, per_user)))[:, ::-1].ravel(),
            "reason": reasons[rng.choice(3, users * per_user, p=[0.8, 0.15, 0.05])],
        },
        similar={
            "listing_id": np.repeat(listing_ids, per_user),
            "rank": np.tile(ranks, listings),
            "similar_listing_id": listing_ids[rng.integers(0, listings, listings * per_user)],
            "score": np.sort(rng.random((listings, per_user)))[:, ::-1].ravel(),
            "reason": np.repeat("similar", listings * per_user),
        },
        popular={
            "rank": np.arange(1, popular + 1, dtype=np.int32),
            "listing_id": listing_ids[:popular],
            "score": np.linspace(1.0, 0.01, popular),
            "category": np.repeat("accommodation", popular),
        },
        manifest_fields={
            "model": "synthetic",
            "parameters": {"users": users, "per_user": per_user, "listings": listings},
            "metrics": {},
            "training_window": {"first": "2025-12-01", "last": "2026-01-10"},
        },
        now=datetime.now(UTC),
    )
    return user_ids


def _serve_for_bench(export_dir: Path, secret: bytes, port: int) -> None:
    """The service as `almaty serve` runs it, plus a trivial endpoint to compare against."""
    from privacy.pseudonyms import Pseudonymizer
    from recommender.service import create_app, serve

    app = create_app(export_dir, Pseudonymizer(secret, "user"), BENCH_TOKEN)

    @app.get("/bench/trivial")
    async def trivial() -> dict[str, bool]:
        return {"ok": True}

    serve(app, "127.0.0.1", port)


async def _load(port: int, requests: list[bytes], concurrency: int) -> LoadResult:
    """Send `requests` over `concurrency` keep-alive connections, each waiting for its answer.

    Raw HTTP/1.1 on asyncio streams: an HTTP client library would cost more CPU per request
    than the server, and the generator shares the machine with it.
    """
    import asyncio

    latencies: list[float] = []
    failures = 0
    upcoming = iter(requests)

    async def connection() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in upcoming:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            failures += not head.startswith(b"HTTP/1.1 200 ")
        writer.close()
        await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def _run_load(port: int, requests: list[bytes], concurrency: int) -> LoadResult:
    try:
        import uvloop
    except ImportError:  # uvicorn's optional speed-up; plain asyncio works, more slowly
        import asyncio

        return asyncio.run(_load(port, requests, concurrency))
    return uvloop.run(_load(port, requests, concurrency))


def _wait_until_up(port: int, server, timeout_s: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not server.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the benchmark server did not start")
        time.sleep(0.2)


def bench_serve(requests: int, concurrency: int, seed: int) -> float:
    """Requests/s and p50/p99 of the recommendations endpoint beside a trivial FastAPI one."""
    import random
    import secrets
    import socket

    print(f"machine: {machine_description()}")
    users, per_user, listings = 100_000, 20, 2_000
    secret = secrets.token_bytes(32)
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        export_dir = Path(tmp) / "exports"
        started = time.perf_counter()
        user_ids = _write_synthetic_export(export_dir, secret, users, per_user, listings, seed)
        print(
            f"export: {users:,} users x {per_user}, {listings:,} listings, "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = get_context("spawn").Process(
            target=_serve_for_bench, args=(export_dir, secret, port), daemon=True
        )
        started = time.perf_counter()
        server.start()
        try:
            _wait_until_up(port, server)
            print(f"service up (export loaded) in {time.perf_counter() - started:.1f} s")
            rng = random.Random(seed)
            auth = f"Authorization: Bearer {BENCH_TOKEN}\r\n"

            def get(path: str, headers: str = "") -> bytes:
                return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()

            # Nine in ten callers are known users; the rest get popular listings.
            def user() -> str:
                return rng.choice(user_ids) if rng.random() < 0.9 else f"new_{rng.randrange(10**9)}"

            endpoints = {
                "trivial FastAPI endpoint": [get("/bench/trivial")] * requests,
                "recommendations (limit=10)": [
                    get(f"/v1/users/{user()}/recommendations?limit=10", auth)
                    for _ in range(requests)
                ],
            }
            rates = {}
            for name, batch in endpoints.items():
                _run_load(port, batch[: min(2_000, requests)], concurrency)  # warm-up
                seconds, latencies, failures = _run_load(port, batch, concurrency)
                latencies.sort()
                rates[name] = rate = len(latencies) / seconds
                print(
                    f"{name}: {len(latencies):,} requests over {concurrency} connections in "
                    f"{seconds:.2f} s: {rate:,.0f} requests/s, "
                    f"p50 {_percentile(latencies, 50) * 1e3:.2f} ms, "
                    f"p99 {_percentile(latencies, 99) * 1e3:.2f} ms"
                    + (f", {failures:,} not 200" if failures else "")
                )
        finally:
            server.terminate()
            server.join(timeout=30)
    rate = rates["recommendations (limit=10)"]
    print(f"serve_requests_per_s={rate:,.0f}")
    return rate


def _percentile(ordered: list[float], percent: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


# --- the recommendation export ------------------------------------------------------------


CATEGORIES = ("accommodation", "car_rental", "tour", "attraction", "restaurant", "advert")


def _recommender_marts(users: int, seed: int):
    """The two marts the export reads, in memory, from interactions with stable tastes:
    listings of six categories, one in twenty deleted or expired, and the interactions of
    weight 5 (a booking's) marked booked, so the filters and the re-ranking have work."""
    import hashlib

    import duckdb

    from recommender.synthetic import taste_interactions

    frame = taste_interactions(users=users, items=max(100, users // 10), days=30, seed=seed)
    pseudonyms = {u: hashlib.md5(u.encode()).hexdigest() for u in frame["user_id"].unique()}
    con = duckdb.connect()
    con.register("raw", frame.with_columns(frame["user_id"].replace_strict(pseudonyms)))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_user_listing_interactions as select user_id as "
        "subject_pseudonym, 'user' as subject_kind, item_id as listing_id, sum(weight) as "
        "strength, count(*) as interactions, max(ts)::timestamptz as last_interaction_at, "
        "bool_or(weight = 5) as booked from raw group by all"
    )
    con.execute(
        "create table marts.dim_listings as select listing_id, $categories[1 + number % 6] "
        "as category, number % 20 <> 7 as is_available from (select distinct item_id as "
        "listing_id, substr(item_id, 2)::integer as number from raw)",
        {"categories": list(CATEGORIES)},
    )
    return con


def _median_seconds(run, times: int) -> tuple[float, float]:
    """The median wall time and CPU time (this process, all its threads) of `times` calls:
    figures less at the mercy of a busy machine than one run, CPU time least of all."""
    wall, cpu = [], []
    for _ in range(times):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return sorted(wall)[times // 2], sorted(cpu)[times // 2]


def bench_recommender(users: int, seed: int, repeats: int = 5) -> float:
    """The export (reading the marts, refitting the week's chosen model, making and writing
    every list) against that model's `fit` alone on the same matrix; the same for ALS, whose
    fit costs more; and the weekly export that compares and tunes every model first."""
    from recommender.interactions import check_interactions
    from recommender.matrix import build_interaction_matrix
    from recommender.models import make_model
    from recommender.snapshot import ModelChoice, export_recommendations

    print(f"machine: {machine_description()}")
    con = _recommender_marts(users, seed)
    interactions = check_interactions(
        con.sql(
            "select subject_pseudonym as user_id, listing_id as item_id, strength as weight, "
            "timezone('UTC', last_interaction_at) as ts from marts.fct_user_listing_interactions"
        ).pl(),
        "bench",
    )
    matrix = build_interaction_matrix(interactions).matrix
    print(
        f"{interactions.height:,} user-listing pairs, {matrix.shape[0]:,} users x "
        f"{matrix.shape[1]:,} listings; medians of {repeats} runs"
    )
    now = datetime.now(UTC)
    ratios, cpu_ratios = {}, {}
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        export_dir = Path(tmp)
        started = time.perf_counter()
        folder = export_recommendations(con, export_dir, now)
        weekly = time.perf_counter() - started
        manifest = json.loads((folder / "manifest.json").read_text())
        print(f"export with the weekly comparison and tuning of every model: {weekly:.1f} s")
        # The chosen model as the daily run refits it (the week's choice, from the manifest);
        # ALS named explicitly.
        als = ModelChoice("als", {}, {"chosen_on": now.date().isoformat()})
        runs = (
            (manifest["model"], manifest["parameters"], None),
            ("als", {}, als),
        )
        for model, parameters, choice in runs:
            export, export_cpu = _median_seconds(
                lambda choice=choice: export_recommendations(con, export_dir, now, choice=choice),
                repeats,
            )
            fit, fit_cpu = _median_seconds(
                lambda model=model, parameters=parameters: make_model(
                    model, seed, **parameters
                ).fit(matrix),
                repeats,
            )
            ratios[model] = export / fit
            cpu_ratios[model] = export_cpu / fit_cpu
            print(
                f"{model} {parameters}: export {export:.2f} s (CPU {export_cpu:.2f} s), its fit "
                f"alone {fit:.3f} s (CPU {fit_cpu:.3f} s): {export / fit:.1f}x "
                f"(CPU {export_cpu / fit_cpu:.1f}x)"
            )
    # Wall time is the goal's measure; CPU time, the steadier one on a shared machine.
    print(f"recommender_overhead_als={ratios['als']:.1f}")
    print(f"recommender_overhead_als_cpu={cpu_ratios['als']:.1f}")
    print(f"recommender_overhead={ratios[manifest['model']]:.1f}")
    print(f"recommender_overhead_cpu={cpu_ratios[manifest['model']]:.1f}")
    return ratios[manifest["model"]]


# --- the dashboards -----------------------------------------------------------------------

DASHBOARDS_BENCH_START = date(2025, 1, 1)


def _settings_env(folder: Path, as_of: date) -> dict[str, str]:
    """The environment of an `almaty` command on a warehouse of its own in `folder`."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("ALMATY_")},
        "ALMATY_LANDING_DIR": str(folder / "landing"),
        "ALMATY_WAREHOUSE": str(folder / "warehouse"),
        "ALMATY_EXPORT_DIR": str(folder / "exports"),
        "ALMATY_SECRET_KEY_FILE": str(folder / "secret.key"),
        "ALMATY_AS_OF": str(as_of),
    }


def _almaty_run(env: dict[str, str], first: date, last: date) -> tuple[float, float]:
    """Seconds of `almaty run --from first --to last` and the peak memory (MB) of its largest
    process; run it from `_in_child`, so that the only children it waits for are the run's."""
    import subprocess
    import sys

    started = time.perf_counter()
    command = [sys.executable, "-m", "almaty", "run", "--from", str(first), "--to", str(last)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench: almaty run {first}..{last} failed: {result.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return time.perf_counter() - started, peak


def bench_daily(ages: list[int], events: int, seed: int) -> float:
    """One delivery day's whole `almaty run` (ingestion, purge, dbt, copies, exports) on
    warehouses that already hold `ages` days: what a day costs as history grows. The figure
    is the oldest warehouse's time over the youngest's.
    """
    from datetime import timedelta

    from almaty.secret import create_secret

    print(f"machine: {machine_description()}")
    seconds_by_age = {}
    for age in sorted(set(ages)):
        with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
            folder = Path(tmp)
            # every age times the same day, so its season and weekday weigh the same
            day, start = BENCH_DAY, BENCH_DAY - timedelta(days=age)
            _in_child(_generate_days, folder / "landing", events, age + 1, seed, start)
            create_secret(folder / "secret.key")
            env = _settings_env(folder, day + timedelta(days=1))
            built, built_peak = _in_child(_almaty_run, env, start, day - timedelta(days=1))
            print(
                f"{age} days of {events:,} events built by almaty run in {built:.0f} s, "
                f"peak {built_peak:,.0f} MB"
            )
            seconds, peak = _in_child(_almaty_run, env, day, day)
            print(f"  then one day's almaty run: {seconds:.1f} s, peak {peak:,.0f} MB")
            seconds_by_age[age] = seconds
    ratio = seconds_by_age[max(seconds_by_age)] / seconds_by_age[min(seconds_by_age)]
    print(f"daily_run_ratio={ratio:.2f}")
    return ratio


def dashboards_bench_data(root: Path, days: int, events: int, seed: int) -> dict[str, str]:
    """The ALMATY_* settings of a warehouse built by `almaty run` from `days` generated days.

    A year takes long to generate, ingest and model, so it is built once into a folder named
    after its parameters under `root` and reused while present; the landing zone is deleted
    once ingested (its files are over ten times the warehouse's size).
    """
    import shutil
    import subprocess
    import sys
    from datetime import timedelta

    from almaty.secret import create_secret

    folder = root / f"{days}d-{events}e-seed{seed}"
    last = DASHBOARDS_BENCH_START + timedelta(days=days - 1)
    env = _settings_env(folder, last + timedelta(days=1))
    built = folder / "built.json"
    if built.exists():
        print(f"reusing the warehouse built in {folder}: {built.read_text().strip()}")
        return env
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    seconds, _, records = _in_child(
        _generate_days, folder / "landing", events, days, seed, DASHBOARDS_BENCH_START
    )
    print(f"generated {days} day(s), {records:,} events and searches, in {seconds:.0f} s")
    create_secret(folder / "secret.key")
    run_started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "almaty", "run"], env=env, check=True)
    run_seconds = time.perf_counter() - run_started
    print(f"almaty run (ingest, dbt, publish, recommendations): {run_seconds:.0f} s")
    shutil.rmtree(folder / "landing")
    built.write_text(
        json.dumps(
            {
                "days": days,
                "events_per_day": events,
                "records": records,
                "generate_s": round(seconds),
                "run_s": round(run_seconds),
                "built_in_s": round(time.perf_counter() - started),
            }
        )
        + "\n"
    )
    return env


def bench_dashboards(days: int, events: int, seed: int, rounds: int = 3) -> float:
    """Each page's first render (empty caches) with Streamlit's AppTest, on `days` generated
    days of `events` events; the slowest page's worst round is the figure."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboards import APP, PAGES

    print(f"machine: {machine_description()}")
    env = dashboards_bench_data(Path("data/bench/dashboards"), days, events, seed)
    os.environ.update({k: v for k, v in env.items() if k.startswith("ALMATY_")})

    def render(page: str) -> float:
        app = AppTest.from_file(str(APP), default_timeout=120)
        app.switch_page(page)
        started = time.perf_counter()
        app.run()
        seconds = time.perf_counter() - started
        if app.exception or app.error:
            raise RuntimeError(f"{page}: {[e.value for e in [*app.exception, *app.error]]}")
        return seconds

    render(next(iter(PAGES)))  # imports and the connection, once, as a running server has them
    slowest = 0.0
    for page in PAGES:
        firsts = []
        for _ in range(rounds):
            st.cache_data.clear()
            firsts.append(render(page))
        again = render(page)
        slowest = max(slowest, *firsts)
        print(
            f"{page}: first render {min(firsts):.2f} to {max(firsts):.2f} s over {rounds} "
            f"rounds; again with its cached queries {again:.2f} s"
        )
    print(f"dashboards_slowest_first_render_s={slowest:.2f}")
    return slowest
