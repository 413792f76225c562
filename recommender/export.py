"""The recommendation export: versioned snapshots the HTTP service reads, switched atomically.

The training asset writes one snapshot per run with `write_export`; the service
(`recommender.service`) follows the `latest` pointer with `latest_version` and loads a
snapshot with `read_export`. The layout under ALMATY_EXPORT_DIR:

    recommendations/
      latest                    the current version's folder name, one line
      20260114T053000Z/         one version; never changed once in place (but by remove_users)
        users.parquet
        similar.parquet
        popular.parquet
        manifest.json
      20260114T053000Z-001/     a second version created in the same second

- `users.parquet`: `subject_pseudonym` (string: the warehouse's 32-hex-digit pseudonym,
  never the website's id), `rank` (int32, from 1), `listing_id` (string), `score`
  (float64), `reason` (string: personalized | similar_to_recent | popular).
- `similar.parquet`: `listing_id`, `rank`, `similar_listing_id`, `score`, `reason`
  (similar | popular), typed as above.
- `popular.parquet`: `rank`, `listing_id`, `score`, `category` (string): what cold-start
  and unknown users get, with reason `popular`.
- `manifest.json`: `version` (the folder's name), `created_at` (ISO 8601, UTC), `model`
  (name), `parameters` and `metrics` (objects), `training_window` (`{"first", "last"}`,
  ISO dates) and `row_counts` (`{"users", "similar", "popular"}`).

No column holds nulls, scores are finite, and a rank appears at most once per user (or
listing); the files are sorted by key and rank. Versions are named after the UTC creation
time, with a `-NNN` suffix for a second one in the same second. A name is never used twice
and each sorts after every earlier one (after a clock set back, names go on from the
newest), so a version's name tells it apart for good.

Atomicity: a version is written into a hidden `.<random>.partial` folder, flushed to disk,
and renamed to its name only when complete; then `latest` is replaced (a temporary file in
the same folder, fsync, `os.replace`). A reader that follows `latest` therefore sees a
whole version or the one before, never part of one, and a failed write leaves `latest` and
every version as they were (a crash may leave a hidden `.partial` folder, which readers
never look at).

Privacy: the recommender-input mart already leaves out users who refused personalization
or were erased, so they are absent from a new version and the service gives them popular
listings. The purge (`ingestion/purge.py`) also removes them from the versions already on
disk with `remove_users`, the one change a version ever sees: its users file and then its
manifest are each replaced in one rename. Only the newest `keep` versions (default 3) and
the current one are kept, while a bad model can still be rolled back by hand (write an
older version's name into `latest`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Hashable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from almaty.errors import AlmatyError
from privacy.pseudonyms import PSEUDONYM_HEX_CHARS

RECOMMENDATIONS = "recommendations"
LATEST = "latest"
USERS_FILE = "users.parquet"
SIMILAR_FILE = "similar.parquet"
POPULAR_FILE = "popular.parquet"
MANIFEST_FILE = "manifest.json"
KEEP_VERSIONS = 3

USER_REASONS = ("personalized", "similar_to_recent", "popular")
SIMILAR_REASONS = ("similar", "popular")
POPULAR_REASON = "popular"

USERS_SCHEMA = pa.schema(
    [
        ("subject_pseudonym", pa.string()),
        ("rank", pa.int32()),
        ("listing_id", pa.string()),
        ("score", pa.float64()),
        ("reason", pa.string()),
    ]
)
SIMILAR_SCHEMA = pa.schema(
    [
        ("listing_id", pa.string()),
        ("rank", pa.int32()),
        ("similar_listing_id", pa.string()),
        ("score", pa.float64()),
        ("reason", pa.string()),
    ]
)
POPULAR_SCHEMA = pa.schema(
    [
        ("rank", pa.int32()),
        ("listing_id", pa.string()),
        ("score", pa.float64()),
        ("category", pa.string()),
    ]
)
MANIFEST_FIELDS = ("model", "parameters", "metrics", "training_window")
# How the files are written: lz4 and no column statistics (nothing reads them: the service
# loads whole files) write in about half zstd's time; the few distinct listings and reasons
# as dictionaries. Files a little larger (3.5 MB for 20,000 users' lists), as fast to read.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "lz4",
    "use_dictionary": ["listing_id", "similar_listing_id", "reason", "category"],
    "write_statistics": False,
}

_VERSION = re.compile(r"\d{8}T\d{6}Z(?:-\d{3})?")
_MAX_SUFFIX = 999
_PSEUDONYM = f"^[0-9a-f]{{{PSEUDONYM_HEX_CHARS}}}$"


class ExportError(AlmatyError):
    """No export to read yet, or one that is damaged; the service keeps what it has."""


class Recommendation(NamedTuple):
    listing_id: str
    score: float
    reason: str


# --- writing -------------------------------------------------------------------------------


def write_export(
    export_dir: Path,
    users: Any,
    similar: Any,
    popular: Any,
    manifest_fields: Mapping[str, Any],
    now: datetime,
    keep: int = KEEP_VERSIONS,
) -> Path:
    """Write one complete version and only then point `latest` at it; return its folder.

    `users`, `similar` and `popular` are tables in the module's format (pyarrow tables,
    polars or pandas data frames, or mappings of column to values; other columns are not
    written). `manifest_fields` holds `model`, `parameters`, `metrics` and
    `training_window`; the writer adds `version`, `created_at` and `row_counts`. Invalid
    input raises ValueError before anything is written. Writers must not run concurrently
    (the Dagster asset runs alone); the last to finish owns `latest`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    tables = {
        USERS_FILE: _checked_users(_as_table(users, USERS_SCHEMA, "users")),
        SIMILAR_FILE: _checked_similar(_as_table(similar, SIMILAR_SCHEMA, "similar")),
        POPULAR_FILE: _checked_popular(_as_table(popular, POPULAR_SCHEMA, "popular")),
    }
    manifest = _manifest(manifest_fields, now, tables)

    root = Path(export_dir) / RECOMMENDATIONS
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".{uuid.uuid4().hex}.partial"
    partial.mkdir()
    try:
        for name, table in tables.items():
            pq.write_table(table, partial / name, **PARQUET_OPTIONS)
            _fsync_file(partial / name)
        version = _move_into_place(partial, root, now, manifest)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    _fsync_dir(root)
    _point_latest(root, version)
    _prune(root, keep, current=version)
    return root / version


def _as_table(data: Any, schema: pa.Schema, name: str) -> pa.Table:
    """The schema's columns of `data`, cast to the schema's types, with no nulls."""
    try:
        if isinstance(data, pa.Table):
            table = data
        elif hasattr(data, "to_arrow"):  # polars
            table = data.to_arrow()
        elif isinstance(data, Mapping):
            table = pa.table(dict(data))
        else:  # pandas
            table = pa.Table.from_pandas(data, preserve_index=False)
        missing = [column for column in schema.names if column not in table.column_names]
        if missing:
            raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
        table = table.select(schema.names).cast(schema)
    except pa.ArrowException as error:
        raise ValueError(f"{name}: a column does not fit the export's types ({error})") from None
    for column in schema.names:
        if table.column(column).null_count:
            raise ValueError(f"{name}: column {column} has nulls")
    if _not_all(pc.is_finite(table.column("score"))):
        raise ValueError(f"{name}: every score must be a finite number")
    return table


def _not_all(mask: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some row fails: False, not None, since an empty table has nothing to fail."""
    return pc.all(mask).as_py() is False


def _checked_ranked(table: pa.Table, key: str, name: str) -> pa.Table:
    """Sorted by key and rank; ranks from 1, each at most once per key.

    A table already in strict (key, rank) order, as the recommender makes them, has no
    repeat and is not sorted again: two comparisons cost a tenth of the sort.
    """
    if table.num_rows == 0:
        return table
    if pc.min(table.column("rank")).as_py() < 1:
        raise ValueError(f"{name}: ranks start at 1")
    if not _not_all(_follows(table, key, pc.greater)):
        return table
    table = table.sort_by([(key, "ascending"), ("rank", "ascending")])
    if _not_all(_follows(table, key, pc.not_equal)):
        raise ValueError(f"{name}: a rank appears twice for the same {key}")
    return table


def _follows(table: pa.Table, key: str, compare: Callable) -> pa.ChunkedArray:
    """Per row after the first: its key is greater than the previous row's, or the same
    and `compare` holds between their ranks (this row's, the previous row's)."""
    keys, ranks = table.column(key), table.column("rank")
    later = pc.greater(keys[1:], keys[:-1])
    same = pc.equal(keys[1:], keys[:-1])
    return pc.or_(later, pc.and_(same, compare(ranks[1:], ranks[:-1])))


def _check_values(table: pa.Table, column: str, allowed: tuple[str, ...], name: str) -> None:
    if _not_all(pc.is_in(table.column(column), value_set=pa.array(allowed))):
        raise ValueError(f"{name}: {column} must be one of {', '.join(allowed)}")


def _checked_users(table: pa.Table) -> pa.Table:
    # The one guard between a website id and the export: only pseudonyms pass.
    keys = pc.unique(table.column("subject_pseudonym"))  # a user's 20 rows share one
    if _not_all(pc.match_substring_regex(keys, _PSEUDONYM)):
        raise ValueError(
            f"users: subject_pseudonym must be a warehouse pseudonym "
            f"({PSEUDONYM_HEX_CHARS} lowercase hex digits), never the website's id"
        )
    _check_values(table, "reason", USER_REASONS, "users")
    return _checked_ranked(table, "subject_pseudonym", "users")


def _checked_similar(table: pa.Table) -> pa.Table:
    _check_values(table, "reason", SIMILAR_REASONS, "similar")
    return _checked_ranked(table, "listing_id", "similar")


def _checked_popular(table: pa.Table) -> pa.Table:
    if table.num_rows == 0:
        return table
    ranks = table.column("rank")
    if pc.min(ranks).as_py() < 1 or pc.count_distinct(ranks).as_py() != table.num_rows:
        raise ValueError("popular: ranks start at 1 and appear once each")
    return table.sort_by("rank")


def _iso_date(value: Any, where: str) -> str:
    if isinstance(value, datetime):
        value = value.date()
    try:
        return (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date of the form YYYY-MM-DD") from None


def _manifest(fields: Mapping[str, Any], now: datetime, tables: dict[str, pa.Table]) -> dict:
    """The manifest without its version (known only once the folder has its name)."""
    missing = [name for name in MANIFEST_FIELDS if name not in fields]
    unknown = [name for name in fields if name not in MANIFEST_FIELDS]
    if missing or unknown:
        raise ValueError(
            f"manifest_fields: expected exactly {', '.join(MANIFEST_FIELDS)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unexpected {', '.join(unknown)}" if unknown else "")
        )
    window = fields["training_window"]
    if not isinstance(window, Mapping) or set(window) != {"first", "last"}:
        raise ValueError("manifest_fields: training_window must be {first, last}")
    first = _iso_date(window["first"], "training_window.first")
    last = _iso_date(window["last"], "training_window.last")
    if first > last:
        raise ValueError(f"manifest_fields: training_window first {first} is after last {last}")
    for name in ("parameters", "metrics"):
        if not isinstance(fields[name], Mapping):
            raise ValueError(f"manifest_fields: {name} must be a mapping")
    manifest = {
        "version": None,
        "created_at": now.astimezone(UTC).isoformat(),
        "model": str(fields["model"]),
        "parameters": dict(fields["parameters"]),
        "metrics": dict(fields["metrics"]),
        "training_window": {"first": first, "last": last},
        "row_counts": {
            "users": tables[USERS_FILE].num_rows,
            "similar": tables[SIMILAR_FILE].num_rows,
            "popular": tables[POPULAR_FILE].num_rows,
        },
    }
    _manifest_json(manifest)  # fail now, before any file exists
    return manifest


def _manifest_json(manifest: dict) -> str:
    try:
        return json.dumps(manifest, indent=2, allow_nan=False) + "\n"
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"manifest_fields: parameters and metrics must be plain JSON values ({error})"
        ) from None


def _version_folders(root: Path) -> list[str]:
    """The version folders in `root`, oldest first."""
    return sorted(
        path.name for path in root.iterdir() if _VERSION.fullmatch(path.name) and path.is_dir()
    )


def _version_names(now: datetime, newest: str | None):
    """Candidate names for a version made at `now`, each sorting after `newest`.

    Normally the UTC second, then -001, -002, ... within it. A name is never reused
    (even once pruned: the service tells versions apart by name), so after a version
    of the same second, or of a later one if the clock was set back, the names go on
    from that one; `created_at` still says when the version was made.
    """
    base, start = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"), 0
    if newest is not None and newest >= base:
        base, _, suffix = newest.partition("-")
        start = int(suffix or 0) + 1
    for suffix in range(start, _MAX_SUFFIX + 1):
        yield f"{base}-{suffix:03d}" if suffix else base


def _move_into_place(partial: Path, root: Path, now: datetime, manifest: dict) -> str:
    """Rename the complete `partial` folder to the next version name, and return it.

    A rename onto an existing (non-empty) version fails instead of replacing it, so the
    name is claimed by the rename itself; the manifest is rewritten for the next candidate.
    """
    versions = _version_folders(root)
    newest = versions[-1] if versions else None
    for name in _version_names(now, newest):
        if (root / name).exists():
            continue
        manifest_path = partial / MANIFEST_FILE
        manifest_path.write_text(_manifest_json({**manifest, "version": name}))
        _fsync_file(manifest_path)
        _fsync_dir(partial)
        try:
            os.rename(partial, root / name)
        except OSError as error:
            if error.errno in (errno.EEXIST, errno.ENOTEMPTY):
                continue
            raise
        return name
    raise AlmatyError(f"{root}: no version name left after {newest}; too many in one second")


def _point_latest(root: Path, version: str) -> None:
    temporary = root / f".{LATEST}.{uuid.uuid4().hex}.tmp"
    try:
        with open(temporary, "w", encoding="ascii") as handle:
            handle.write(version + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, root / LATEST)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_dir(root)


def _prune(root: Path, keep: int, current: str) -> None:
    """Remove all but the newest `keep` versions and the current one."""
    for name in _version_folders(root)[:-keep]:
        if name != current:
            shutil.rmtree(root / name, ignore_errors=True)


def remove_users(export_dir: Path, subjects: Mapping[str, Hashable]) -> dict[tuple, int]:
    """Rewrite every version's users file without the users in `subjects` (pseudonym ->
    label); rows removed per (label, file), files named relative to `export_dir`.

    The purge's exception to "never changed": an erased or opted-out user must leave the
    versions kept for rollback too. The new file and then the manifest with its new row
    count each replace the old one in one rename.
    """
    root = Path(export_dir) / RECOMMENDATIONS
    if not subjects or not root.is_dir():
        return {}
    wanted = pa.array(list(subjects), pa.string())
    removed: dict[tuple, int] = {}
    for version in _version_folders(root):
        folder = root / version
        users = pq.read_table(folder / USERS_FILE)
        gone = pc.is_in(users.column("subject_pseudonym"), value_set=wanted)
        if not pc.any(gone).as_py():
            continue
        file = f"{RECOMMENDATIONS}/{version}/{USERS_FILE}"
        for entry in pc.value_counts(users.filter(gone).column("subject_pseudonym")).to_pylist():
            key = (subjects[entry["values"]], file)
            removed[key] = removed.get(key, 0) + entry["counts"]
        kept = users.filter(pc.invert(gone))
        _replace_file(
            folder / USERS_FILE, lambda path, t=kept: pq.write_table(t, path, **PARQUET_OPTIONS)
        )
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        manifest["row_counts"]["users"] = kept.num_rows
        _replace_file(
            folder / MANIFEST_FILE, lambda path, m=manifest: path.write_text(_manifest_json(m))
        )
    return removed


def _replace_file(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file beside `path` with `write`, flush it, and rename it over `path`."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(temporary)
        _fsync_file(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable: without it a crash can undo the rename."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- reading -------------------------------------------------------------------------------


def latest_version(export_dir: Path) -> str | None:
    """The current version's name, or None before the first export; one small file read.

    Cheap enough to call every second: the service compares it with what it serves.
    """
    pointer = Path(export_dir) / RECOMMENDATIONS / LATEST
    try:
        text = pointer.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ExportError(f"{pointer}: cannot read the pointer ({error})") from None
    if not _VERSION.fullmatch(text):
        raise ExportError(f"{pointer}: does not name a version folder")
    return text


class _RankedLists:
    """Listings in rank order per key (a user pseudonym or a listing), held as arrays.

    Two million rows as Python objects would cost hundreds of megabytes and seconds to
    build; as arrays of codes and a dict of key -> (start, end) they load quickly and a
    lookup slices out only the rows it returns.
    """

    def __init__(self, table: pa.Table, key: str, item: str) -> None:
        table = table.sort_by([(key, "ascending"), ("rank", "ascending")])
        if table.num_rows:
            runs = pc.run_end_encode(table.column(key).combine_chunks())
            ends = runs.run_ends.to_numpy()
            starts = np.concatenate(([0], ends[:-1]))
            spans = zip(starts.tolist(), ends.tolist(), strict=True)
            self._spans = dict(zip(runs.values.to_pylist(), spans, strict=True))
        else:
            self._spans = {}
        items = table.column(item).combine_chunks().dictionary_encode()
        reasons = table.column("reason").combine_chunks().dictionary_encode()
        self._items: list[str] = items.dictionary.to_pylist()
        self._item_codes = items.indices.to_numpy(zero_copy_only=False)
        self._reasons: list[str] = reasons.dictionary.to_pylist()
        self._reason_codes = reasons.indices.to_numpy(zero_copy_only=False)
        self._scores = table.column("score").to_numpy()

    def __len__(self) -> int:
        return len(self._spans)

    def get(self, key: str, limit: int) -> list[Recommendation]:
        span = self._spans.get(key)
        if span is None:
            return []
        start, end = span[0], min(span[1], span[0] + limit)
        items, reasons = self._items, self._reasons
        return [
            Recommendation(items[i], score, reasons[r])
            for i, score, r in zip(
                self._item_codes[start:end].tolist(),
                self._scores[start:end].tolist(),
                self._reason_codes[start:end].tolist(),
                strict=True,
            )
        ]


class LoadedExport:
    """One version in memory, answering the service's three questions; never changed.

    Lists shorter than asked for are filled with popular listings (reason `popular`) not
    already in them, so the website always gets `limit` items while there are enough.
    """

    def __init__(
        self,
        version: str,
        manifest: dict[str, Any],
        users: pa.Table,
        similar: pa.Table,
        popular: pa.Table,
    ) -> None:
        self.version = version
        self.manifest = manifest
        self._users = _RankedLists(users, "subject_pseudonym", "listing_id")
        self._similar = _RankedLists(similar, "listing_id", "similar_listing_id")
        popular = popular.sort_by("rank")
        self._popular = [
            Recommendation(listing, score, POPULAR_REASON)
            for listing, score in zip(
                popular.column("listing_id").to_pylist(),
                popular.column("score").to_pylist(),
                strict=True,
            )
        ]

    @property
    def user_count(self) -> int:
        return len(self._users)

    def for_user(self, pseudonym: str, limit: int) -> list[Recommendation]:
        """The user's recommendations, or popular listings for anyone not in the export."""
        return self._filled(self._users.get(pseudonym, limit), limit, exclude=())

    def similar_to(self, listing_id: str, limit: int) -> list[Recommendation]:
        """Listings like this one; popular ones for a listing the model has not seen."""
        return self._filled(self._similar.get(listing_id, limit), limit, exclude=(listing_id,))

    def popular(self, limit: int) -> list[Recommendation]:
        return self._popular[:limit]

    def _filled(
        self, items: list[Recommendation], limit: int, exclude: tuple[str, ...]
    ) -> list[Recommendation]:
        if len(items) >= limit:
            return items
        seen = {item.listing_id for item in items}.union(exclude)
        for item in self._popular:
            if item.listing_id not in seen:
                items.append(item)
                if len(items) == limit:
                    break
        return items


def read_export(export_dir: Path, version: str) -> LoadedExport:
    """Load one version, checking it is whole (names, files and row counts agree)."""
    folder = Path(export_dir) / RECOMMENDATIONS / version
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        users = pq.read_table(folder / USERS_FILE).cast(USERS_SCHEMA)
        similar = pq.read_table(folder / SIMILAR_FILE).cast(SIMILAR_SCHEMA)
        popular = pq.read_table(folder / POPULAR_FILE).cast(POPULAR_SCHEMA)
    except (OSError, ValueError, pa.ArrowException) as error:
        raise ExportError(f"{folder}: cannot read the export ({error})") from None
    counts = {"users": users.num_rows, "similar": similar.num_rows, "popular": popular.num_rows}
    if manifest.get("version") != version or manifest.get("row_counts") != counts:
        raise ExportError(f"{folder}: the manifest does not match the files")
    return LoadedExport(version, manifest, users, similar, popular)


def read_latest(export_dir: Path) -> LoadedExport:
    """The version `latest` points at, or ExportError when there is none yet.

    Tries the new one if the version was pruned between reading the pointer and its files.
    """
    while True:
        version = latest_version(export_dir)
        if version is None:
            raise ExportError(
                f"{Path(export_dir) / RECOMMENDATIONS}: no recommendations export yet "
                "(the training asset writes one)"
            )
        try:
            return read_export(export_dir, version)
        except ExportError:
            if latest_version(export_dir) == version:
                raise
