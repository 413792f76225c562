"""The recommendation service through a real HTTP client against uvicorn on loopback.

Most tests share one `almaty serve` subprocess, whose whole output is captured to check the
logs; the tests that change the export run their own server in a thread.
"""

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from recommender.service import create_app
from tests.recommender.sample_exports import (
    ALICE,
    ALICE_ITEMS,
    BOB,
    BOB_ITEMS,
    NOW,
    POPULAR,
    SECRET,
    SIMILAR_TO_L00,
    USERS,
    write_sample,
)

REPO = Path(__file__).resolve().parents[2]
TOKEN = "test-token-5d41402abc4b2a76b9719d911017c592"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Ids that must never reach a log line, raw or pseudonymized.
SENSITIVE_USERS = [ALICE, BOB, "u_carol_never_seen", "u_x" * 40]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(url: str, alive=lambda: True, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            return
        except httpx.TransportError:
            pass
        assert alive(), "the server exited"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[httpx.Client, Path]]:
    """`almaty serve` over the sample export, with its stdout and stderr in a file."""
    root = tmp_path_factory.mktemp("serve")
    write_sample(root / "exports")
    (root / "secret.key").write_text(SECRET.hex() + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALMATY_")}
    env.update(
        ALMATY_EXPORT_DIR=str(root / "exports"),
        ALMATY_SECRET_KEY_FILE=str(root / "secret.key"),
        ALMATY_API_TOKEN=TOKEN,
        PYTHONUNBUFFERED="1",
    )
    port = _free_port()
    log = root / "server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "almaty", "serve", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, lambda: server.poll() is None)
        with httpx.Client(base_url=url, timeout=10) as client:
            yield client, log
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def client(served) -> httpx.Client:
    return served[0]


def test_healthz_is_open_and_names_the_version(client: httpx.Client) -> None:
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "version": "20260114T053000Z"}


@pytest.mark.parametrize(
    "path", ["/v1/users/u_alice/recommendations", "/v1/listings/L00/similar", "/v1/model"]
)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-0123456789abcdef"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer ünïcode".encode()},
    ],
)
def test_every_v1_endpoint_needs_the_token(client: httpx.Client, path: str, headers) -> None:
    reply = client.get(path, headers=headers)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == "Bearer"
    assert reply.json() == {"detail": "a valid bearer token is required"}


def test_bad_input_without_a_token_is_still_401(client: httpx.Client) -> None:
    """Callers without the token learn nothing, not even which input is wrong."""
    assert client.get("/v1/users/u_alice/recommendations?limit=99").status_code == 401


def test_a_known_user_gets_their_items_with_reasons(client: httpx.Client) -> None:
    reply = client.get(f"/v1/users/{ALICE}/recommendations", headers=AUTH)
    assert reply.status_code == 200
    body = reply.json()
    assert body["version"] == "20260114T053000Z"
    assert [(i["listing_id"], i["reason"]) for i in body["items"]] == ALICE_ITEMS[:10]
    assert [i["rank"] for i in body["items"]] == list(range(1, 11))
    assert all(i["score"] == 1.0 for i in body["items"])


def test_a_short_list_is_filled_with_popular_listings(client: httpx.Client) -> None:
    reply = client.get(f"/v1/users/{BOB}/recommendations?limit=4", headers=AUTH)
    assert [(i["listing_id"], i["reason"]) for i in reply.json()["items"]] == [
        *BOB_ITEMS,
        (POPULAR[0], "popular"),
        (POPULAR[1], "popular"),
    ]


@pytest.mark.parametrize("user", ["u_stranger", "12345", "ü-ß", "x" * 128, "with space"])
def test_an_unknown_user_gets_popular_listings(client: httpx.Client, user: str) -> None:
    reply = client.get(f"/v1/users/{user}/recommendations?limit=3", headers=AUTH)
    assert reply.status_code == 200
    assert [(i["listing_id"], i["reason"]) for i in reply.json()["items"]] == [
        (listing, "popular") for listing in POPULAR[:3]
    ]


def test_the_pseudonym_is_not_an_id_the_service_accepts(client: httpx.Client) -> None:
    """The website sends its own id; sending the pseudonym finds nobody."""
    reply = client.get(f"/v1/users/{USERS(ALICE)}/recommendations?limit=2", headers=AUTH)
    assert [i["reason"] for i in reply.json()["items"]] == ["popular", "popular"]


@pytest.mark.parametrize(("limit", "count"), [(1, 1), (12, 12), (20, 20)])
def test_limit_bounds_the_list(client: httpx.Client, limit: int, count: int) -> None:
    reply = client.get(f"/v1/users/{ALICE}/recommendations?limit={limit}", headers=AUTH)
    assert len(reply.json()["items"]) == count


@pytest.mark.parametrize("limit", ["0", "21", "-1", "1000000000000", "ten", "2.5", ""])
def test_a_limit_out_of_range_is_422_with_a_clear_message(client: httpx.Client, limit: str) -> None:
    for path in (f"/v1/users/{ALICE}/recommendations", "/v1/listings/L00/similar"):
        reply = client.get(f"{path}?limit={limit}", headers=AUTH)
        assert reply.status_code == 422
        assert reply.json() == {"detail": "limit: must be a whole number from 1 to 20"}


@pytest.mark.parametrize(
    "bad_id", ["x" * 129, "u_1%00", "u_%0Aforged log line", "a%2Fb", "%7F", "a%09b"]
)
@pytest.mark.parametrize(
    ("template", "name"),
    [
        ("/v1/users/{}/recommendations", "user_id"),
        ("/v1/listings/{}/similar", "listing_id"),
    ],
)
def test_absurd_ids_are_422_with_a_clear_message(
    client: httpx.Client, bad_id: str, template: str, name: str
) -> None:
    reply = client.get(template.format(bad_id), headers=AUTH)
    assert reply.status_code == 422
    assert reply.json() == {
        "detail": f"{name}: must be 1 to 128 characters, without slashes or control characters"
    }


def test_an_empty_id_is_a_4xx(client: httpx.Client) -> None:
    assert client.get("/v1/users//recommendations", headers=AUTH).status_code == 422
    assert client.get("/v1/users/recommendations", headers=AUTH).status_code == 404


def test_similar_listings(client: httpx.Client) -> None:
    reply = client.get("/v1/listings/L00/similar?limit=5", headers=AUTH)
    assert reply.status_code == 200
    items = reply.json()["items"]
    assert [i["listing_id"] for i in items] == [*SIMILAR_TO_L00, *POPULAR[:2]]
    assert [i["reason"] for i in items] == ["similar"] * 3 + ["popular"] * 2
    unseen = client.get("/v1/listings/new-listing/similar", headers=AUTH).json()["items"]
    assert [i["listing_id"] for i in unseen] == POPULAR[:10]


def test_model_describes_the_served_export(client: httpx.Client) -> None:
    reply = client.get("/v1/model", headers=AUTH)
    assert reply.status_code == 200
    assert reply.json() == {
        "version": "20260114T053000Z",
        "created_at": "2026-01-14T05:30:00+00:00",
        "model": "implicit-als",
        "parameters": {"factors": 32, "generation": 1.0},
        "metrics": {"ndcg@10": 0.31, "recall@10": 0.42},
        "training_window": {"first": "2025-12-15", "last": "2026-01-13"},
        "row_counts": {"users": 14, "similar": 3, "popular": 30},
    }


def test_the_documentation_is_served(client: httpx.Client) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {
        "/v1/users/{user_id}/recommendations",
        "/v1/listings/{listing_id}/similar",
        "/v1/model",
        "/healthz",
    }
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    operation = schema["paths"]["/v1/users/{user_id}/recommendations"]["get"]
    assert {"401", "422", "503"} <= set(operation["responses"])


def test_the_logs_hold_no_id_pseudonym_or_token(served) -> None:
    client, log = served
    for user in SENSITIVE_USERS:
        client.get(f"/v1/users/{user}/recommendations", headers=AUTH)
        client.get(f"/v1/users/{user}/recommendations?limit=0", headers=AUTH)
        client.get(f"/v1/users/{user}/recommendations")
        client.get(f"/v1/users/{user}%00/recommendations", headers=AUTH)
        client.get(f"/v1/listings/{user}/similar", headers={"Authorization": f"Bearer {user}"})
    output = log.read_text(errors="replace")
    assert "serving recommendations export 20260114T053000Z" in output  # the capture works
    assert "Traceback" not in output
    for secret in [TOKEN, *SENSITIVE_USERS, *(USERS(u) for u in SENSITIVE_USERS)]:
        assert secret not in output
    assert "u_" not in output and "/v1/" not in output


def test_serve_needs_the_token_and_the_secret(run_almaty, almaty_env) -> None:
    missing_token = run_almaty("serve", "--port", str(_free_port()))
    assert missing_token.returncode == 2
    assert missing_token.stderr.count("\n") == 1
    assert "ALMATY_API_TOKEN is not set" in missing_token.stderr

    short = run_almaty("serve", env={**almaty_env, "ALMATY_API_TOKEN": "hunter2"})
    assert short.returncode == 2 and "at least 16" in short.stderr
    assert "hunter2" not in short.stderr

    no_secret = run_almaty("serve", env={**almaty_env, "ALMATY_API_TOKEN": TOKEN})
    assert no_secret.returncode == 2 and no_secret.stderr.count("\n") == 1
    assert "no secret key file" in no_secret.stderr and TOKEN not in no_secret.stderr

    bad_port = run_almaty("serve", "--port", "70000")
    assert bad_port.returncode == 2 and "at most 65535" in bad_port.stderr

    Path(almaty_env["ALMATY_SECRET_KEY_FILE"]).write_text(SECRET.hex())
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        in_use = run_almaty("serve", "--port", port, env={**almaty_env, "ALMATY_API_TOKEN": TOKEN})
    assert in_use.returncode == 1 and in_use.stderr.count("\n") == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in in_use.stderr


# --- exports that change under a running service -------------------------------------------


@contextmanager
def running(app) -> Iterator[str]:
    """uvicorn serving `app` on a free loopback port in a thread, as `almaty serve` would."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        _wait_until_answering(url, thread.is_alive)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_for(condition, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_service_waits_for_the_first_export_then_switches_without_restart(
    tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.INFO)
    app = create_app(tmp_path, USERS, TOKEN, check_interval=0.1)
    with running(app) as url, httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "no_export"
        for path in ("/v1/users/u_alice/recommendations", "/v1/listings/L00/similar", "/v1/model"):
            reply = client.get(path)
            assert reply.status_code == 503
            assert "no recommendations export yet" in reply.json()["detail"]
            assert reply.headers["retry-after"]

        write_sample(tmp_path, generation=1.0)
        _wait_for(lambda: client.get("/healthz").status_code == 200)
        first = client.get(f"/v1/users/{ALICE}/recommendations").json()
        assert first["version"] == "20260114T053000Z"

        write_sample(tmp_path, generation=2.0, now=NOW + timedelta(days=1))
        versions = set()
        while len(versions) < 2 or "20260115T053000Z" not in versions:
            body = client.get(f"/v1/users/{ALICE}/recommendations?limit=20").json()
            # One whole version per answer: version and every score agree.
            generation = 1.0 if body["version"] == "20260114T053000Z" else 2.0
            assert {i["score"] for i in body["items"]} == {generation}
            versions.add(body["version"])
        assert client.get("/v1/model").json()["parameters"]["generation"] == 2.0

        # A damaged new version is reported and skipped; the last good one stays served.
        broken = write_sample(tmp_path, generation=3.0, now=NOW + timedelta(days=2))
        (broken / "users.parquet").write_bytes(b"not parquet")
        time.sleep(0.5)
        assert client.get("/healthz").json() == {"status": "ok", "version": "20260115T053000Z"}
        assert client.get(f"/v1/users/{ALICE}/recommendations").status_code == 200

    # Everything the server logged (the test's own HTTP client logs its URLs: not the server).
    messages = "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith(("httpx", "httpcore"))
    )
    assert "serving recommendations export 20260115T053000Z" in messages
    assert "cannot read the export" in messages
    for secret in [TOKEN, ALICE, USERS(ALICE)]:
        assert secret not in messages


def test_create_app_refuses_the_wrong_pseudonymizer(tmp_path: Path) -> None:
    from privacy.pseudonyms import Pseudonymizer

    with pytest.raises(ValueError, match="user pseudonymizer"):
        create_app(tmp_path, Pseudonymizer(SECRET, "anonymous"), TOKEN)
