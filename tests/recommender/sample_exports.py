"""Small recommendation exports whose every row is known, for the export and service tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from privacy.pseudonyms import Pseudonymizer
from recommender.export import write_export

SECRET = bytes(range(32, 64))
USERS = Pseudonymizer(SECRET, "user")
NOW = datetime(2026, 1, 14, 5, 30, tzinfo=UTC)

# Website ids: u_alice has a full list, u_bob a short one (filled with popular listings).
ALICE, BOB = "u_alice", "u_bob"
ALICE_ITEMS = [(f"L{n:02d}", "personalized" if n < 8 else "similar_to_recent") for n in range(12)]
BOB_ITEMS = [("L50", "personalized"), ("L51", "similar_to_recent")]
POPULAR = [f"P{n:02d}" for n in range(30)]
SIMILAR_TO_L00 = ["L03", "L04", "L05"]


def sample_tables(generation: float = 1.0) -> tuple[dict, dict, dict]:
    """users, similar and popular as column mappings; every score is `generation`."""
    users: dict[str, list] = {k: [] for k in ("subject_pseudonym", "rank", "listing_id", "reason")}
    for user, items in ((ALICE, ALICE_ITEMS), (BOB, BOB_ITEMS)):
        for rank, (listing, reason) in enumerate(items, start=1):
            users["subject_pseudonym"].append(USERS(user))
            users["rank"].append(rank)
            users["listing_id"].append(listing)
            users["reason"].append(reason)
    users["score"] = [generation] * len(users["rank"])
    similar = {
        "listing_id": ["L00"] * len(SIMILAR_TO_L00),
        "rank": list(range(1, len(SIMILAR_TO_L00) + 1)),
        "similar_listing_id": SIMILAR_TO_L00,
        "score": [generation] * len(SIMILAR_TO_L00),
        "reason": ["similar"] * len(SIMILAR_TO_L00),
    }
    popular = {
        "rank": list(range(1, len(POPULAR) + 1)),
        "listing_id": POPULAR,
        "score": [generation] * len(POPULAR),
        "category": ["tour"] * len(POPULAR),
    }
    return users, similar, popular


def manifest_fields(generation: float = 1.0) -> dict:
    return {
        "model": "implicit-als",
        "parameters": {"factors": 32, "generation": generation},
        "metrics": {"ndcg@10": 0.31, "recall@10": 0.42},
        "training_window": {"first": "2025-12-15", "last": "2026-01-13"},
    }


def write_sample(export_dir: Path, generation: float = 1.0, now: datetime = NOW) -> Path:
    """One export; `generation` marks every score and the parameters, to tell versions apart."""
    users, similar, popular = sample_tables(generation)
    return write_export(export_dir, users, similar, popular, manifest_fields(generation), now)
