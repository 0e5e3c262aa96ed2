"""create_app(): settings, database, middleware, routers and error handlers."""

import asyncio
import importlib
import logging
import pkgutil
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

from app import anonymity, i18n, jobs, routes
from app.caching import new_petition_caches
from app.config import Settings, get_settings
from app.db import Database
from app.errors import AppError, InvalidInput, NotFound, NotSignedIn, RateLimited
from app.i18n import _
from app.input_guard import InputGuard
from app.load_shedding import LoadShedding
from app.observability import RequestIdMiddleware, configure_logging
from app.page_cache import PageCache
from app.ratelimit import RateLimiter
from app.routes.api import COMMON_RESPONSES as COMMON_API_RESPONSES
from app.security import SecurityMiddleware, verify_csrf
from app.services.accounts.sign_in import SecondFactorRequired
from app.templating import TEMPLATE_DIR, render

logger = logging.getLogger("chorus")
STATIC_DIR = TEMPLATE_DIR.parent / "static"
# Public pages anyone may be sent to in numbers; see app/page_cache.py for what is never cached.
CACHED_PUBLIC_PAGES = (r"/", r"/petitions", r"/petitions/\d+", r"/petitions/\d+/count", r"/consultations/\d+")


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    database = database or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        database.dispose()

    app = FastAPI(
        title="Chorus API",
        version="1",
        description="Open data and other channels for Chorus consultations and petitions.",
        lifespan=lifespan,
        dependencies=[Depends(verify_csrf)],
        docs_url=None,  # /api/docs is routes/api_docs.py: vendored swagger-ui, no inline script
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.rate_limiter = RateLimiter(settings.rate_limit_storage_url)
    app.state.petition_caches = new_petition_caches()
    # Signatures written at once per process: fewer than the connection pool's 10, so none waits.
    app.state.petition_signing_slots = asyncio.Semaphore(8)
    anonymity.configure(settings.rate_limit_storage_url)  # the daily secret: memory or Redis only
    jobs.use_database(database)
    app.add_middleware(InputGuard)
    if settings.page_cache_ttl > 0:
        app.add_middleware(PageCache, ttl_seconds=settings.page_cache_ttl, paths=CACHED_PUBLIC_PAGES)
    app.add_middleware(i18n.LocaleMiddleware)  # outside the page cache, which keeps a page per language
    app.add_middleware(SecurityMiddleware, settings=settings)
    if settings.max_in_flight:
        app.add_middleware(LoadShedding, max_in_flight=settings.max_in_flight)
    app.add_middleware(RequestIdMiddleware)  # outermost: every line logged for a request has its id
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module_name, router in _discover_routers():
        # Only the JSON API is part of the OpenAPI schema; HTML pages are not an API.
        if module_name.startswith(f"{routes.__name__}.api."):
            app.include_router(router, responses=COMMON_API_RESPONSES)
        else:
            app.include_router(router, include_in_schema=False)
    _add_error_handlers(app)
    return app


# Routes are tried one by one in the order routers are included (~180 of them), so the busiest
# public paths go first. Their prefixes are their own, so the order cannot change which route
# answers a request (tests/unit/test_routing_order.py checks every route).
BUSIEST_ROUTERS = (
    f"{routes.__name__}.api.consultations",  # responses from other channels, hundreds a second
    f"{routes.__name__}.petitions",
    f"{routes.__name__}.home",
)


def _discover_routers():
    """Every module under app/routes with a `router` is served: add a file, get its pages."""
    found = []
    for module_info in pkgutil.walk_packages(routes.__path__, prefix=f"{routes.__name__}."):
        module = importlib.import_module(module_info.name)
        router = getattr(module, "router", None)
        if router is not None:
            found.append((module_info.name, router))
    return sorted(found, key=lambda item: item[0] not in BUSIEST_ROUTERS)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, error: AppError):
        headers = {}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after_seconds)
        if isinstance(error, NotSignedIn) and not _wants_json(request):
            # Residents' pages (issue 27) ask for the emailed link; everything else for a password.
            sign_in = "/sign-in/email" if request.url.path.startswith("/my-chorus") else "/sign-in"
            return RedirectResponse(f"{sign_in}?next={quote(request.url.path)}", status_code=303)
        if isinstance(error, SecondFactorRequired) and not _wants_json(request):
            return RedirectResponse("/account/two-factor?required=1", status_code=303)
        if _wants_json(request):
            body = {"detail": error.message}
            if isinstance(error, InvalidInput):
                body["errors"] = error.errors
            return JSONResponse(body, status_code=error.status_code, headers=headers)
        return render(
            request,
            "errors/page.html",
            {"title": i18n.gettext(error.title), "message": error.message},
            status_code=error.status_code,
            headers=headers,
        )

    @app.exception_handler(404)
    async def not_found(request: Request, _error):
        return await app_error(request, NotFound())

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        if _wants_json(request):
            errors = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in error.errors()
            ]
            return JSONResponse({"detail": "Invalid request", "errors": errors}, status_code=422)
        return render(
            request,
            "errors/page.html",
            {"title": _("There is a problem"), "message": _("Some of the information sent was not valid.")},
            status_code=422,
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def impossible_value(request: Request, error: Exception):
        # A number too large for any column (e.g. ?page=10**30): nothing can match it.
        return await app_error(request, NotFound())

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    async def database_unavailable(request: Request, error: Exception):
        logger.error("database error: %s", error)
        message = _("Sorry, the service is unavailable right now. Nothing you sent was lost "
                    "if you saw no confirmation: please try again in a minute.")
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=503, headers={"Retry-After": "30"})
        return render(
            request, "errors/page.html",
            {"title": _("Sorry, there is a problem with the service"), "message": message, "user": None},
            status_code=503, headers={"Retry-After": "30"},
        )
