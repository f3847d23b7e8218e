"""The dashboard: a small FastAPI app, read-only, every HTML page with a JSON twin (same path + ``.json``).

Safety: only GET and HEAD (every GET route answers HEAD); request bodies and URLs are size-limited; query
parameters are length-limited and typed; errors are JSON ``{"error": ...}`` with a clear message and a status
from one table of the project's typed errors, never a traceback; every value from the data is escaped by the
templates; every answer carries a Content-Security-Policy (scripts only from the app and the inline scripts of
the templates, by hash), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` and ``X-Frame-Options``;
redirects are relative (never built from the Host header). The store is read-only while served, so each page
is built once and its bytes are kept (a bounded cache also holds the answers to screening and search
queries); every page and twin is built at start-up, before the first request is accepted.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..api import Context, iso_date
from ..api import scenarios as api_scenarios
from ..api import simulation_form as api_simulation_form
from ..errors import (
    ConvergenceError,
    DataPackageError,
    InvalidInputError,
    MarketpowerError,
    NotFoundError,
)
from ..store import Store
from . import pages, tables
from .i18n import LANGUAGES, check_language
from .render import STATIC, TEMPLATES, render, twin_json, web_link

MAX_REQUEST_BYTES = 16_384
MAX_URL_CHARS = 2_048
MAX_PARAM_CHARS = pages.MAX_QUERY_CHARS
CACHE_ENTRIES = 4_096
#: The JSON twin as built (no table view asked for).
JSON_VIEW = tables.TableQuery(format="json")

Builder = Callable[..., Any]


#: The project's typed errors and the HTTP status each gets, most specific first: the one place a status is
#: chosen (never by reading a message). Any other MarketpowerError is the server's fault: 500 with its message.
ERROR_STATUS: tuple[tuple[type[MarketpowerError], int], ...] = (
    (NotFoundError, 404),
    (InvalidInputError, 400),
    (ConvergenceError, 422),
    (DataPackageError, 500),
)


def error_status(error: MarketpowerError) -> int:
    """HTTP status of a typed error, from :data:`ERROR_STATUS` (500 for a kind it does not list)."""
    return next((status for kind, status in ERROR_STATUS if isinstance(error, kind)), 500)


def inline_script_hashes(folder: Path = TEMPLATES) -> list[str]:
    """CSP hashes (``'sha256-...'``) of the inline scripts written in the templates (``<script>`` with no
    attributes). Only template text is trusted: an inline script holding a template expression is refused,
    so data can never reach an allowed script."""
    hashes = []
    for template in sorted(folder.glob("*.html")):
        for body in re.findall(r"<script>(.*?)</script>", template.read_text(encoding="utf-8"), re.S):
            if "{{" in body or "{%" in body:
                raise ValueError(f"{template.name}: an inline script may not hold template expressions")
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
            hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def content_security_policy() -> str:
    """The pages' policy: scripts from the app (the vendored Vega files) and the templates' hashed inline
    scripts, no eval (the charts use Vega's expression interpreter); styles from the app plus the stylesheet
    vega-embed injects; no plugins, no framing, forms and the base URL only to the app itself."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(inline_script_hashes()),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers() -> dict[str, str]:
    """Headers every answer carries (pages, twins, static files, errors, redirects)."""
    return {
        "content-security-policy": content_security_policy(),
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
    }


def relative_location(path: str, query: bytes) -> str:
    """Where a path with trailing slashes redirects: the same path without them, as a relative reference built
    only from the request's path and query (never the Host header). Leading slashes and backslashes collapse
    to one ``/`` and the path is percent-encoded, so the target can never be another site (``//evil.example``)."""
    target = "/" + quote(path.rstrip("/").lstrip("/\\"), safe="/:@!$&'()*+,;=-._~")
    return target + ("?" + query.decode("latin-1") if query else "")


class _Guard:
    """ASGI middleware: read-only methods (HEAD is answered as GET without the body, on every route), bounded
    request bodies and URLs (answered as JSON errors), relative trailing-slash redirects, and the security
    headers on every answer."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.headers = security_headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        error: tuple[int, str] | None = None
        if scope["method"] not in ("GET", "HEAD"):
            error = (405, "read-only: only GET and HEAD are allowed")
        else:
            length = dict(scope.get("headers") or []).get(b"content-length", b"0")
            url_chars = len(scope.get("path", "")) + len(scope.get("query_string", b""))
            if not length.isdigit() or int(length) > MAX_REQUEST_BYTES or url_chars > MAX_URL_CHARS:
                error = (
                    413,
                    f"request too large (body up to {MAX_REQUEST_BYTES} bytes, URL up to {MAX_URL_CHARS} characters)",
                )
        if error is not None:
            await JSONResponse({"error": error[1]}, status_code=error[0])(scope, receive, send_guarded)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            location = relative_location(path, scope.get("query_string", b""))
            await Response(status_code=307, headers={"location": location})(scope, receive, send_guarded)
            return
        await self.app({**scope, "method": "GET"} if head else scope, receive, send_guarded)


class _ResponseCache:
    """Bounded LRU of finished responses (body bytes and media type), keyed by path, query and language. A page
    asked for by several requests at once is built once: the others wait for it (no stampede)."""

    def __init__(self, entries: int = CACHE_ENTRIES):
        self.entries = entries
        self._items: OrderedDict[tuple[str, ...], tuple[bytes, str]] = OrderedDict()
        self._building: dict[tuple[str, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def _cached(self, key: tuple[str, ...]) -> tuple[bytes, str] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def get_or_build(self, key: tuple[str, ...], build: Callable[[], tuple[bytes, str]]) -> Response:
        hit = self._cached(key)
        if hit is None:
            with self._lock:
                building = self._building.setdefault(key, threading.Lock())
            with building:
                hit = self._cached(key)
                if hit is None:
                    try:
                        hit = build()
                    finally:
                        with self._lock:
                            self._building.pop(key, None)
                    with self._lock:
                        self._items[key] = hit
                        while len(self._items) > self.entries:
                            self._items.popitem(last=False)
        return Response(content=hit[0], media_type=hit[1])


def json_bytes(data: Any) -> bytes:
    """The JSON twin's body: :func:`~marketpower.publish.render.twin_json` as UTF-8."""
    return twin_json(data).encode("utf-8")


def create_app(store: Store, lang: str = "en", warm: bool = True) -> FastAPI:
    """Assemble the app around one open store. No route writes to the store. With ``warm``, the app's start-up
    (its lifespan, which the server runs before it accepts a connection) builds every page (list pages and the
    page of every market, layer, entity and deal) in the app's language, every JSON twin and each market's
    default screen, so no request waits for a page to be built (other screening and search answers are built
    when first asked)."""
    check_language(lang)
    ctx = Context(store)
    cache = _ResponseCache()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            warm_up()
        yield

    app = FastAPI(
        title="marketpower",
        description="Market power in the AI stack: read-only API.",
        version="0.1.0",
        redirect_slashes=False,
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: offline, and under the policy, they
        # cannot work; the API is described by /openapi.json
        docs_url=None,
        redoc_url=None,
    )
    app.state.response_cache = cache
    app.add_middleware(_Guard)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    def web_page(
        template: str,
        data: Any,
        page_language: str,
        twin: str | None,
        here: tuple[str, str | None],
        table_tools: list[dict[str, Any]] | None = None,
    ) -> str:
        """A page rendered for the server: links to its routes, assets under /static, and the sort, filter and
        download tools of its tables (:func:`marketpower.publish.tables.tools`)."""
        return render(
            template,
            data,
            lang=page_language,
            link=web_link,
            asset=lambda p: f"/static/{p}",
            package_name=ctx.package_name,
            json_twin=twin,
            mode="web",
            here=here,
            table_tools=table_tools or [],
        )

    def error_answer(request: Request, status: int, message: str) -> Response:
        """An error as JSON (``{"error": ...}``) for twins and API clients; as an HTML page, in the page's
        language, for a browser asking for a page (Accept naming text/html, a path that is not a twin)."""
        wants_html = "text/html" in request.headers.get("accept", "")
        if not wants_html or request.url.path.endswith((".json", ".csv", ".parquet")):
            return JSONResponse({"error": message}, status_code=status)
        requested = request.query_params.get("lang")
        page_language = requested if requested in LANGUAGES else lang
        body = web_page("error.html", {"status": status, "message": message}, page_language, None, ("error", None))
        return Response(body, status_code=status, media_type="text/html; charset=utf-8")

    @app.exception_handler(MarketpowerError)
    async def domain_error(request: Request, error: MarketpowerError) -> Response:
        return error_answer(request, error_status(error), str(error))

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors())
        return error_answer(request, 422, f"bad query parameters: {problems}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = "no such page" if error.status_code == 404 else str(error.detail)
        return error_answer(request, error.status_code, message)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> Response:
        return error_answer(request, 500, f"internal error ({type(error).__name__})")

    def page_lang(requested: str | None) -> str:
        return check_language(requested) if requested else lang

    def html_bytes(
        template: str,
        data: Any,
        twin: str,
        page_language: str,
        page: str,
        key: str | None,
        table_tools: list[dict[str, Any]] | None = None,
    ) -> bytes:
        return web_page(template, data, page_language, twin, (page, key), table_tools).encode("utf-8")

    def serve(
        page: str,
        template: str,
        build: Builder,
        key: str | None,
        as_json: bool,
        language: str | None,
        query: tuple[str, ...] = (),
        twin_query: str = "",
        view: tables.TableQuery | None = None,
    ) -> Response:
        """One page or twin from the cache (built on a miss). With ``view`` (a page of tables), the page, its twin
        and its CSV/Parquet downloads show that view of one of its tables (:mod:`marketpower.publish.tables`)."""
        page_language = page_lang(language)
        fmt = view.format if view is not None else ("json" if as_json else "html")
        if view is not None and view.changes_rows:
            twin_query = view.query_string()
        twin = web_link(page, key, ".json") + twin_query
        view_key = view.cache_key() if view is not None else ()
        cache_key = (page, key or "", page_language if fmt == "html" else fmt, *query, *view_key)

        def build_response() -> tuple[bytes, str]:
            built = build()
            data = built
            if view is not None and (view.changes_rows or view.table or fmt in tables.MEDIA_TYPES):
                data, name, rows = tables.apply(built, page, view)
                if fmt in tables.MEDIA_TYPES:
                    columns = tables.columns_of(tables.page_tables(built, page)[name])
                    return tables.download(rows, columns, fmt), tables.MEDIA_TYPES[fmt]
            if fmt == "json":
                return json_bytes(data), "application/json"
            tools = tables.tools(data, built, page, web_link(page, key), view) if view is not None else None
            return html_bytes(template, data, twin, page_language, page, key, tools), "text/html; charset=utf-8"

        response = cache.get_or_build(cache_key, build_response)
        if fmt in tables.MEDIA_TYPES:
            stem = re.sub(r"[^A-Za-z0-9._-]", "_", "-".join(p for p in (page, key) if p))
            response.headers["content-disposition"] = f'attachment; filename="{stem}.{fmt}"'
        return response

    def table_view(request: Request, fmt: str) -> tables.TableQuery:
        return tables.parse_query(request.query_params.multi_items(), fmt)

    def form_redirect(request: Request, page: str, key: str | None) -> Response | None:
        """The filter form's answer: a redirect to the permalink of the view it asks for (None: not a form)."""
        params = request.query_params
        if not any(field in params for field in tables.FORM_FIELDS):
            return None
        target = tables.form_query(dict(params), table_view(request, "html"))
        extra = "&" if target.query_string() else "?"
        language = f"{extra}lang={quote(params['lang'])}" if params.get("lang") in LANGUAGES else ""
        return Response(status_code=303, headers={"location": web_link(page, key) + target.query_string() + language})

    def lang_q() -> Any:
        return Query(None, alias="lang", max_length=2, description="Interface language: en or fr.")

    #: What start-up builds: each page's JSON and HTML answer and, for a page of items, which items.
    warm_targets: list[tuple[Callable[..., Response], Callable[..., Response], str | None]] = []

    def warm_up() -> None:
        """Build every page and twin once (their bytes go to the response cache)."""
        for as_json, as_html, item in warm_targets:
            keys: list[tuple[str, ...]] = [()] if item is None else [(k,) for k in item_ids(item)]
            for key in keys:
                # a page that fails here answers its own error when it is asked for
                with suppress(Exception):
                    as_json(*key)
                with suppress(Exception):
                    as_html(*key, lang)
        for market_id in item_ids("market"):
            with suppress(Exception):
                warm_default_screen(market_id)
        # what start-up built lives as long as the app: keep it out of the collector's later full passes
        gc.collect()
        gc.freeze()

    def warm_default_screen(market_id: str) -> None:
        """The screen a market page's form submits as it opens (its two largest firms, the form's snapshot),
        with its twin, and the same pair asked without a snapshot (as the API documents it)."""
        form = pages.screening_options(ctx, market_id)
        if len(form["firms"]) < 2:
            return
        a, b = form["firms"][0]["id"], form["firms"][1]["id"]
        for as_json in (False, True):
            screen(market_id, a, b, form["year"], form["period"], form["series"], as_json, lang)
        screen(market_id, a, b, None, None, None, True, lang)

    def item_ids(page: str) -> list[str]:
        """Ids of the items a page type shows: markets, layers, entities, deals."""
        if page == "layer":
            return pages.layer_ids(ctx)
        table, column = {
            "market": ("markets", "id"),
            "layer": ("markets", "layer"),
            "entity": ("entities", "id"),
            "deal": ("deals", "id"),
        }[page]
        return sorted({str(v) for v in ctx.table(table)[column].dropna()})

    table_note = (
        " Tables: `_sort`/`_sort_desc=<column>`, `<column>=<value>` or `<column>__contains=` (also __not, __gt,"
        " __gte, __lt, __lte), `_table=<name>` on pages of several tables."
    )

    def simple(path: str, page: str, template: str, builder: Callable[[Context], Any], summary: str) -> None:
        def as_html(lang_: str | None = lang_q(), view: tables.TableQuery | None = None) -> Response:
            return serve(page, template, lambda: builder(ctx), None, False, lang_, view=view or tables.TableQuery())

        def as_json(view: tables.TableQuery | None = None) -> Response:
            return serve(page, template, lambda: builder(ctx), None, True, None, view=view or JSON_VIEW)

        def html_route(request: Request, lang_: str | None = lang_q()) -> Response:
            return form_redirect(request, page, None) or as_html(lang_, table_view(request, "html"))

        warm_targets.append((as_json, as_html, None))
        app.add_api_route(path, html_route, methods=["GET"], summary=summary + table_note, response_class=Response)
        for suffix in (".json", ".csv", ".parquet"):
            app.add_api_route(
                ("/index" if path == "/" else path) + suffix,
                _download_route(as_json, suffix[1:]),
                methods=["GET"],
                summary=f"{summary} ({suffix[1:]}: JSON twin or a table of it)",
                response_class=Response,
            )

    def keyed(prefix: str, page: str, template: str, builder: Callable[[Context, str], Any], summary: str) -> None:
        def as_json(key: str, view: tables.TableQuery | None = None) -> Response:
            return serve(page, template, lambda: builder(ctx, key), key, True, None, view=view or JSON_VIEW)

        def as_html(key: str, lang_: str | None = lang_q(), view: tables.TableQuery | None = None) -> Response:
            return serve(page, template, lambda: builder(ctx, key), key, False, lang_, view=view or tables.TableQuery())

        def html_route(request: Request, key: str, lang_: str | None = lang_q()) -> Response:
            return form_redirect(request, page, key) or as_html(key, lang_, table_view(request, "html"))

        warm_targets.append((as_json, as_html, page))
        for suffix in (".json", ".csv", ".parquet"):
            app.add_api_route(
                f"{prefix}/{{key}}{suffix}",
                _keyed_download_route(as_json, suffix[1:]),
                methods=["GET"],
                summary=f"{summary} ({suffix[1:]}: JSON twin or a table of it)",
                response_class=Response,
            )
        app.add_api_route(f"{prefix}/{{key}}", html_route, methods=["GET"], summary=summary + table_note,
                          response_class=Response)

    def _download_route(as_json: Callable[..., Response], fmt: str) -> Callable[..., Response]:
        def route(request: Request) -> Response:
            return as_json(table_view(request, fmt))

        return route

    def _keyed_download_route(as_json: Callable[..., Response], fmt: str) -> Callable[..., Response]:
        def route(request: Request, key: str) -> Response:
            return as_json(key, table_view(request, fmt))

        return route

    simple("/", "overview", "overview.html", pages.overview_page, "Overview of the AI stack")
    simple(
        "/markets",
        "markets",
        "markets.html",
        pages.markets_page,
        "Concentration of every market-year (same as `marketpower markets --json`)",
    )
    simple("/entities", "entities", "entities.html", pages.entities_page, "Every entity")
    simple("/deals", "deals", "deals.html", pages.deals_page, "Every deal")

    def rollup_q() -> Any:
        return Query(
            None, max_length=1, pattern="^[01]$",
            description="1 (default): firms at their controlling parents; 0: the legal entities (CLI --no-rollup).",
        )

    def network_query(as_of: str | None, rollup: str | None) -> tuple[str | None, bool, str]:
        """The as-of date checked, whether to roll up, and the query string that keeps both for the twin."""
        when = iso_date(as_of, "as_of")
        keep = {k: v for k, v in (("as_of", when), ("rollup", "0" if rollup == "0" else None)) if v}
        return when, rollup != "0", "?" + urlencode(keep) if keep else ""

    @app.get("/network.json", summary="The deal web: money and ownership edges (JSON twin)", response_class=Response)
    def network_json(as_of: str | None = Query(None, max_length=10), rollup: str | None = rollup_q()) -> Response:
        when, rolled, _ = network_query(as_of, rollup)
        return serve(
            "network", "network.html", lambda: pages.network_page(ctx, when, rolled), None, True, None,
            (when or "", str(rolled)),
        )

    @app.get(
        "/network", summary="The deal web: money and ownership edges (?as_of=YYYY-MM-DD, ?rollup=0)",
        response_class=Response,
    )
    def network_html(
        as_of: str | None = Query(None, max_length=10), rollup: str | None = rollup_q(), lang_: str | None = lang_q()
    ) -> Response:
        when, rolled, twin = network_query(as_of, rollup)
        return serve(
            "network", "network.html", lambda: pages.network_page(ctx, when, rolled), None, False, lang_,
            (when or "", str(rolled)), twin,
        )

    warm_targets.append((lambda: network_json(None, None), lambda language: network_html(None, None, language), None))
    simple("/compute", "compute", "compute.html", pages.compute_page, "Compute and power")
    simple("/winners", "winners", "winners.html", pages.winners_page, "Who captures the value")
    simple("/politics", "politics", "politics.html", pages.politics_page, "Political money and bills")
    simple("/sources", "sources", "sources.html", pages.sources_page, "Every source and what cites it")

    def param() -> Any:
        return Query(None, max_length=MAX_PARAM_CHARS)

    def screen(
        market_id: str,
        a: str | None,
        b: str | None,
        year: int | None,
        period: str | None,
        series: str | None,
        as_json: bool,
        language: str | None,
    ) -> Response:
        if not a or not b:
            raise InvalidInputError("screening: pick two firms with ?a=<entity id>&b=<entity id>")
        given = [
            (k, v)
            for k, v in (("a", a), ("b", b), ("year", year), ("period", period), ("series", series))
            if v is not None
        ]
        query = tuple(f"{k}={v}" for k, v in given)
        return serve(
            "screen",
            "screen.html",
            lambda: pages.screen_page(ctx, market_id, a, b, year, period, series),
            market_id,
            as_json,
            language,
            query,
            "?" + urlencode(given),
        )

    @app.get(
        "/markets/{key}/screen.json", summary="Screen a merger of two firms of a market (JSON)", response_class=Response
    )
    def screen_json(
        key: str,
        a: str | None = param(),
        b: str | None = param(),
        year: int | None = Query(None, ge=1990, le=2100),
        period: str | None = param(),
        series: str | None = param(),
    ) -> Response:
        return screen(key, a, b, year, period, series, True, None)

    @app.get("/markets/{key}/screen", summary="Screen a merger of two firms of a market", response_class=Response)
    def screen_html(
        key: str,
        a: str | None = param(),
        b: str | None = param(),
        year: int | None = Query(None, ge=1990, le=2100),
        period: str | None = param(),
        series: str | None = param(),
        lang_: str | None = lang_q(),
    ) -> Response:
        return screen(key, a, b, year, period, series, False, lang_)

    keyed("/markets", "market", "market.html", pages.market_page, "One market: shares, trend, screening")
    keyed("/layers", "layer", "layer.html", pages.layer_page, "One layer of the AI stack")
    keyed("/entities", "entity", "entity.html", pages.entity_page, "One entity")
    keyed("/deals", "deal", "deal.html", pages.deal_page, "One deal")

    @app.get("/search.json", summary="Search entities, markets and deals (JSON)", response_class=Response)
    def search_json(q: str = Query("", max_length=MAX_PARAM_CHARS)) -> Response:
        return serve("search", "search.html", lambda: pages.search_page(ctx, q), None, True, None, (q,))

    @app.get("/search", summary="Search entities, markets and deals", response_class=Response)
    def search_html(q: str = Query("", max_length=MAX_PARAM_CHARS), lang_: str | None = lang_q()) -> Response:
        return serve(
            "search",
            "search.html",
            lambda: pages.search_page(ctx, q),
            None,
            False,
            lang_,
            (q,),
            "?" + urlencode({"q": q}),
        )

    simple(
        "/scenarios", "scenarios", "scenarios.html", api_scenarios.scenarios_page, "What-if scenarios: block or allow"
    )

    def simulate_page(request: Request) -> dict[str, Any]:
        fields = {k: v for k, v in request.query_params.items() if k != "lang"}
        page = api_simulation_form.simulation_page(fields, ctx)
        query = request.url.query
        page["links"] = {k: f"/simulate{p}?{query}" for k, p in
                         (("case", "/case.json"), ("result", ".json"), ("csv", "/result.csv"))}
        return page

    @app.get("/simulate.json", summary="Merger simulation from form fields (JSON: case and result)",
             response_class=Response)
    def simulate_json(request: Request) -> Response:
        return Response(json_bytes(simulate_page(request)), media_type="application/json")

    def form_case(request: Request) -> dict[str, Any]:
        fields = {k: v for k, v in request.query_params.items() if k != "lang"}
        if not any(api_simulation_form.form_values(fields).values()):
            raise NotFoundError("simulate: no case to download without form fields; fill the form at /simulate")
        return api_simulation_form.case_from_form(fields, ctx)

    @app.get("/simulate/case.json", summary="The case file of a /simulate form", response_class=Response)
    def simulate_case_file(request: Request) -> Response:
        case = form_case(request)
        return Response(json_bytes(case), media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="case.json"'})

    @app.get("/simulate/result.csv", summary="The per-product result of a /simulate form (CSV)",
             response_class=Response)
    def simulate_csv(request: Request) -> Response:
        case = form_case(request)
        text = api_simulation_form.result_csv(api_simulation_form.run_bounded(case))
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="result.csv"'})

    @app.get("/simulate", summary="Merger simulation: a form like the competition authorities' web tools",
             response_class=Response)
    def simulate_html(request: Request) -> Response:
        fields = {k: v for k, v in request.query_params.items() if k != "lang"}
        language = page_lang(request.query_params.get("lang"))
        try:
            data, status = simulate_page(request), 200
        except MarketpowerError as error:
            blank = api_simulation_form.simulation_page({})
            data = blank | {"form": api_simulation_form.form_values(fields), "error": str(error)}
            status = error_status(error)
        body = html_bytes("simulate.html", data, f"/simulate.json?{request.url.query}", language, "simulate", None)
        return Response(body, status_code=status, media_type="text/html; charset=utf-8")

    def scenario_answer(
        key: str, build: Callable[[], Any], as_json: bool, language: str | None, given: list[tuple[str, str]]
    ) -> Response:
        template = "scenarios_compare.html" if key == "compare" else "scenario.html"
        query = tuple(f"{k}={v}" for k, v in given)
        twin_query = "?" + urlencode(given) if given else ""
        return serve("scenarios", template, build, key, as_json, language, query, twin_query)

    def compare(a: str | None, b: str | None, as_json: bool, language: str | None) -> Response:
        if not a or not b:
            raise InvalidInputError("compare: pick two scenarios with ?a=<id>&b=<id> (see /scenarios)")
        return scenario_answer(
            "compare", lambda: api_scenarios.compare_page(ctx, a, b), as_json, language, [("a", a), ("b", b)]
        )

    @app.get("/scenarios/compare.json", summary="Two scenarios side by side (JSON)", response_class=Response)
    def scenarios_compare_json(a: str | None = param(), b: str | None = param()) -> Response:
        return compare(a, b, True, None)

    @app.get("/scenarios/compare", summary="Two scenarios side by side", response_class=Response)
    def scenarios_compare_html(
        a: str | None = param(), b: str | None = param(), lang_: str | None = lang_q()
    ) -> Response:
        return compare(a, b, False, lang_)

    def block_or_allow(deal_id: str | None, as_json: bool, language: str | None) -> Response:
        if not deal_id:
            raise InvalidInputError("block or allow: pick a deal with ?id=<deal id> (see /deals)")
        return scenario_answer(
            "deal", lambda: api_scenarios.deal_scenario_page(ctx, deal_id), as_json, language, [("id", deal_id)]
        )

    @app.get("/scenarios/deal.json", summary="Block or allow one deal (JSON)", response_class=Response)
    def scenarios_deal_json(id: str | None = param()) -> Response:
        return block_or_allow(id, True, None)

    @app.get("/scenarios/deal", summary="Block or allow one deal", response_class=Response)
    def scenarios_deal_html(id: str | None = param(), lang_: str | None = lang_q()) -> Response:
        return block_or_allow(id, False, lang_)

    @app.get("/scenarios/{key}.json", summary="Run one shipped scenario (JSON)", response_class=Response)
    def scenario_json(key: str) -> Response:
        return scenario_answer(key, lambda: api_scenarios.scenario_page(ctx, key), True, None, [])

    @app.get("/scenarios/{key}", summary="Run one shipped scenario", response_class=Response)
    def scenario_html(key: str, lang_: str | None = lang_q()) -> Response:
        return scenario_answer(key, lambda: api_scenarios.scenario_page(ctx, key), False, lang_, [])

    return app
