"""The HTTP service the website calls for recommendations: FastAPI under uvicorn, one worker.

It serves the version of the recommendation export (`recommender.export`) that `latest`
points at, and checks the pointer once a second: a new version is loaded in a thread
beside the requests and swapped in with one assignment, so a request sees one whole
version from start to end and no restart is needed.

Endpoints (all JSON; documentation at `/docs`, the schema at `/openapi.json`):

- `GET /v1/users/{user_id}/recommendations?limit=10`: the website sends its own user id;
  the service pseudonymizes it with the warehouse's secret (`privacy.pseudonyms`) and looks
  the pseudonym up. Unknown users, and users who refused personalization or were erased
  (they are not in the export), get popular listings.
- `GET /v1/listings/{listing_id}/similar?limit=10`: listings like this one; popular ones for
  a listing the model has not seen.
- `GET /v1/model`: the served version's manifest (model, training window, metrics).
- `GET /healthz`: 200 with the served version, or 503 while there is no export yet.

`limit` is 1 to 20 (default 10); lists shorter than that are filled with popular listings.
Every `/v1` endpoint needs `Authorization: Bearer <ALMATY_API_TOKEN>` (401 otherwise,
compared in constant time); `/healthz` and the documentation pages hold no data and are
open. Ids are 1 to 128 characters without slashes or control characters (`%2F` and `%0A`
included: the routes take any id so as to say so); anything else is a 422 with one clear
message, never a 500.

Without an export the service starts anyway: the `/v1` data endpoints answer 503 with a
message (and `Retry-After`), `/healthz` says so, and the first export is picked up when it
appears. So the service can be deployed before the first training run, and a load
balancer keeps it out of rotation until it has something to serve.

Logs: uvicorn's access log is off (request paths hold user ids) and nothing here logs an
id, a pseudonym or the token: only versions, counts and file paths.
"""

import asyncio
import hashlib
import hmac
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from copy import deepcopy
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor

from almaty.errors import AlmatyError
from privacy.pseudonyms import Pseudonymizer
from recommender.export import (
    ExportError,
    LoadedExport,
    Recommendation,
    latest_version,
    read_export,
)

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 20
MAX_ID_CHARS = 128
CHECK_INTERVAL_S = 1.0
_ID_PATTERN = r"^[^\x00-\x1f\x7f/]+$"  # no control characters, no slash
_ID_RULE = f"must be 1 to {MAX_ID_CHARS} characters, without slashes or control characters"
# One message per parameter: clearer than pydantic's, and never echoes the input back.
_RULES = {
    "limit": f"must be a whole number from 1 to {MAX_LIMIT}",
    "user_id": _ID_RULE,
    "listing_id": _ID_RULE,
}
# The endpoints' parameters: what FastAPI checks before a handler runs (and documents).
Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"how many listings, 1 to {MAX_LIMIT}")
]
ListingId = Annotated[str, PathParam(max_length=MAX_ID_CHARS, pattern=_ID_PATTERN)]
UserId = Annotated[
    str,
    PathParam(
        max_length=MAX_ID_CHARS,
        pattern=_ID_PATTERN,
        description="the website's own user id (pseudonymized here, never stored)",
    ),
]


class _AnyId(Convertor[str]):
    """A path segment holding anything, slashes and newlines too, so the id check below
    can answer with a clear message where routing would only say 404 Not Found."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("any_id", _AnyId())
NO_EXPORT = "no recommendations export yet; the service answers once training has written one"


class Item(BaseModel):
    listing_id: str
    rank: int
    score: float
    reason: str


class Recommendations(BaseModel):
    version: str
    items: list[Item]


class TrainingWindow(BaseModel):
    first: str
    last: str


class ModelInfo(BaseModel):
    version: str
    created_at: str
    model: str
    parameters: dict[str, Any]
    metrics: dict[str, Any]
    training_window: TrainingWindow
    row_counts: dict[str, int]


class Health(BaseModel):
    status: str
    version: str | None = None
    detail: str | None = None


class Problem(BaseModel):
    detail: str


class ExportHolder:
    """The export being served, replaced whole when `latest` names another version.

    Requests read `current` once and keep that object; `refresh` builds the new one
    completely before the single assignment that publishes it.
    """

    def __init__(self, export_dir: Path) -> None:
        self.export_dir = Path(export_dir)
        self.current: LoadedExport | None = None
        self._failed: str | None = None  # a version that would not load
        self._reported: str | None = None  # the last problem logged

    def refresh(self) -> bool:
        """Load the version `latest` names if it is new; True when it was swapped in.

        A version that fails to load is reported once and not retried: versions never
        change once in place, so only a new one can fix it. The old one stays served.
        """
        try:
            version = latest_version(self.export_dir)
        except ExportError as error:
            self._report(error)
            return False
        serving = self.current.version if self.current else None
        if version is None or version in (serving, self._failed):
            return False
        try:
            loaded = read_export(self.export_dir, version)
        except ExportError as error:
            self._failed = version
            self._report(error)
            return False
        self.current = loaded
        self._reported = None
        counts = loaded.manifest["row_counts"]
        log.info(
            "serving recommendations export %s (%d users, %d similar rows, %d popular)",
            version,
            loaded.user_count,
            counts["similar"],
            counts["popular"],
        )
        return True

    def _report(self, error: ExportError) -> None:
        """Log a problem once, not every second while it lasts."""
        if str(error) != self._reported:
            self._reported = str(error)
            log.error(
                "%s; still serving %s", error, self.current.version if self.current else "nothing"
            )


async def _keep_fresh(holder: ExportHolder, interval: float) -> None:
    """Check `latest` every `interval` seconds; loading runs in a thread, off the event loop."""
    while True:
        await asyncio.sleep(interval)
        try:
            await asyncio.to_thread(holder.refresh)
        except Exception:
            log.exception("checking for a new recommendations export failed")


def _items(recommendations: list[Recommendation]) -> list[Item]:
    return [
        Item(listing_id=r.listing_id, rank=rank, score=r.score, reason=r.reason)
        for rank, r in enumerate(recommendations, start=1)
    ]


def create_app(
    export_dir: Path,
    pseudonymizer: Pseudonymizer,
    api_token: str,
    check_interval: float = CHECK_INTERVAL_S,
) -> FastAPI:
    """The service over the exports in `export_dir`; `pseudonymizer` is the "user" kind.

    Plain inputs, so tests and the benchmark build it without the environment.
    """
    if pseudonymizer.kind != "user":
        raise ValueError("the service needs the user pseudonymizer")
    if not api_token:
        raise ValueError("the API token must not be empty")
    holder = ExportHolder(export_dir)
    # Digests of equal length: compare_digest then reveals nothing, not even the length.
    expected = hashlib.sha256(api_token.encode()).digest()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(holder.refresh)
        if holder.current is None:
            log.warning("%s (watching %s)", NO_EXPORT, holder.export_dir)
        watcher = asyncio.create_task(_keep_fresh(holder, check_interval))
        try:
            yield
        finally:
            watcher.cancel()

    app = FastAPI(
        title="Visit Almaty City recommendations",
        summary="Recommended listings for website users, and listings like a listing.",
        version="1",
        lifespan=lifespan,
    )
    app.state.holder = holder
    bearer = HTTPBearer(auto_error=False, description="the ALMATY_API_TOKEN of the service")

    async def require_token(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        given = credentials.credentials.encode("latin-1") if credentials else b""
        if not hmac.compare_digest(hashlib.sha256(given).digest(), expected):
            raise HTTPException(
                401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
            )

    def serving() -> LoadedExport:
        export = holder.current
        if export is None:
            raise HTTPException(503, NO_EXPORT, headers={"Retry-After": "60"})
        return export

    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": Problem, "description": "missing or wrong bearer token"},
        422: {"model": Problem, "description": "bad input"},
        503: {"model": Problem, "description": "no export yet"},
    }
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_token)], responses=errors)

    @v1.get("/users/{user_id:any_id}/recommendations", summary="Recommended listings for a user")
    async def user_recommendations(
        user_id: UserId,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Recommendations:
        """Personalized listings first; unknown or opted-out users get popular ones."""
        export = serving()
        items = export.for_user(pseudonymizer(user_id), limit)
        return Recommendations(version=export.version, items=_items(items))

    @v1.get("/listings/{listing_id:any_id}/similar", summary="Listings similar to a listing")
    async def similar_listings(
        listing_id: ListingId,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Recommendations:
        """Listings like this one; popular ones for a listing the model has not seen."""
        export = serving()
        return Recommendations(
            version=export.version, items=_items(export.similar_to(listing_id, limit))
        )

    @v1.get("/model", summary="The model being served")
    async def model() -> ModelInfo:
        """The served version's manifest: model, parameters, metrics, training window."""
        return ModelInfo.model_validate(serving().manifest)

    app.include_router(v1)

    @app.get(
        "/healthz",
        summary="Liveness and the served version (no token needed)",
        response_model_exclude_none=True,
        responses={503: {"model": Health, "description": "no export yet"}},
    )
    async def healthz(response: Response) -> Health:
        """200 while an export is served; 503 before the first one, so no traffic is sent."""
        export = holder.current
        if export is None:
            response.status_code = 503
            return Health(status="no_export", detail=NO_EXPORT)
        return Health(status="ok", version=export.version)

    @app.exception_handler(RequestValidationError)
    async def bad_input(_: Request, error: RequestValidationError) -> JSONResponse:
        messages = []
        for problem in error.errors():
            name = str(problem["loc"][-1]) if problem["loc"] else "request"
            messages.append(f"{name}: {_RULES.get(name, problem['msg'])}")
        return JSONResponse({"detail": "; ".join(dict.fromkeys(messages))}, status_code=422)

    return app


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with this module's messages on the same handler and no access log."""
    config = deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["recommender"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def serve(app: FastAPI, host: str, port: int) -> None:
    """Run `app` (from `create_app`) under uvicorn with one worker until interrupted.

    The port is bound here first, so an address in use is one clear error, not a log.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family)
    except OSError as error:
        raise AlmatyError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    with listener:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            workers=1,
            access_log=False,  # the request path holds the website's user id
            log_config=log_config(),
            server_header=False,
        )
        log.info("listening on http://%s:%d (documentation at /docs)", host, port)
        uvicorn.Server(config).run(sockets=[listener])
