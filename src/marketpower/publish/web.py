"""The dashboard: a small FastAPI app, read-only, every HTML page with a JSON twin (same path + ``.json``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ..errors import InvalidInputError, MarketpowerError
from ..store import Store
from . import pages
from .render import STATIC, render, web_link

MAX_REQUEST_BYTES = 16_384


def create_app(store: Store, lang: str = "en") -> FastAPI:
    """Assemble the app around one open store. No route writes to the store."""
    app = FastAPI(title="marketpower", description="Market power in the AI stack: read-only API.", version="0.1.0")
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    name = store.package_name or "package"

    @app.middleware("http")
    async def limit_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if request.method not in ("GET", "HEAD"):
            return JSONResponse({"error": "read-only: only GET and HEAD are allowed"}, status_code=405)
        if (length and int(length) > MAX_REQUEST_BYTES) or len(str(request.url)) > MAX_REQUEST_BYTES:
            return JSONResponse({"error": "request too large"}, status_code=413)
        return await call_next(request)

    @app.exception_handler(MarketpowerError)
    async def domain_error(_: Request, error: MarketpowerError) -> JSONResponse:
        status = 404 if isinstance(error, InvalidInputError) and "unknown" in str(error) else 400
        return JSONResponse({"error": str(error)}, status_code=status)

    @app.exception_handler(Exception)
    async def unexpected_error(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"error": f"internal error ({type(error).__name__})"}, status_code=500)

    def html(template: str, data: Any, twin: str) -> HTMLResponse:
        return HTMLResponse(render(template, data, lang=lang, link=web_link, asset=lambda p: f"/static/{p}",
                                   package_name=name, json_twin=twin))

    @app.get("/", response_class=HTMLResponse, summary="Overview of the AI stack")
    def overview() -> HTMLResponse:
        return html("overview.html", pages.overview_page(store), "/index.json")

    @app.get("/index.json", summary="Overview (JSON twin of /)")
    def overview_json() -> Any:
        return pages.overview_page(store)

    @app.get("/markets.json", summary="Concentration of every market-year (same as `marketpower markets --json`)")
    def markets_json() -> Any:
        return pages.markets_page(store)

    @app.get("/markets", response_class=HTMLResponse, summary="Concentration of every market-year")
    def markets_html() -> HTMLResponse:
        return html("markets.html", pages.markets_page(store), "/markets.json")

    @app.get("/markets/{market_id}.json", summary="One market (JSON twin)")
    def market_json(market_id: str) -> Any:
        return pages.market_page(store, market_id)

    @app.get("/markets/{market_id}", response_class=HTMLResponse, summary="One market: shares and trend")
    def market_html(market_id: str) -> HTMLResponse:
        return html("market.html", pages.market_page(store, market_id), f"/markets/{market_id}.json")

    @app.get("/sources.json", summary="Every source and what cites it")
    def sources_json() -> Any:
        return pages.sources_page(store)

    @app.get("/sources", response_class=HTMLResponse, summary="Every source and what cites it")
    def sources_html() -> HTMLResponse:
        return html("sources.html", pages.sources_page(store), "/sources.json")

    return app
