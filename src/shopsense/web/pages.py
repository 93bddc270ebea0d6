"""The storefront and admin pages, server-rendered with jinja2 over the services.

Sections whose service is not part of this build show nothing: the pages never
make up results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.params import Depends
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from shopsense.app.search_requests import search_request
from shopsense.app.services import Services
from shopsense.catalog.quality.report_html import render_html
from shopsense.catalog.schema import Product
from shopsense.core.errors import NotFoundError
from shopsense.text.normalize import has_cjk
from shopsense.web.charts import benchmark_charts
from shopsense.web.recommend_view import Card, for_you_cards, product_strips
from shopsense.web.search_view import SORTS, facet_views, href, understood_lines, why_lines

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
PAGE_SIZE = 24


def _services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    base = str(request.scope.get("root_path", "")).rstrip("/")
    product = context.get("product")
    text = str(context.get("q") or (product.title if isinstance(product, Product) else ""))
    lang = "zh" if has_cjk(text) else "en"
    full = {"base": base, "lang": lang, "suggestions": [], "user": None, "q": None, **context}
    return templates.TemplateResponse(request, name, full)


def _search_context(svc: Services, base: str, params: dict[str, Any], page: int) -> dict[str, Any]:
    """Ranked hits with "why", facet links and sort choices for a query."""
    request = search_request(
        svc.settings,
        params["q"],
        brand=params["brand"],
        category=params["category"],
        in_stock=params["in_stock"],
        sort=params["sort"] or "relevance",
        page=min(page, 1000 // PAGE_SIZE),
        size=PAGE_SIZE,
        explain=True,
        understand=not params["literal"],
    )
    result, _ = svc.run_search(request)
    last = min(result.total, 1000)
    understood = understood_lines(result)
    return {
        "notice": " · ".join(result.notices) or None,
        "understood": understood,
        "literal_href": href(base, {**params, "literal": True}) if understood else None,
        "items": [Card(h.product, why=why_lines(h.explanation)) for h in result.hits],
        "total": result.total,
        "facets": facet_views(result, base, params),
        "sorts": SORTS,
        "sort": result.sort,
        "keep": [
            (k, item)
            for k, v in params.items()
            if k != "sort" and v
            for item in (v if isinstance(v, list) else [v])
        ],
        "prev_href": href(base, {**params, "page": page - 1}) if page > 1 else None,
        "next_href": href(base, {**params, "page": page + 1}) if page * PAGE_SIZE < last else None,
    }


def _browse_context(svc: Services, base: str, params: dict[str, Any], page: int) -> dict[str, Any]:
    """No query: the catalogue in id order, a page at a time."""
    offset = (page - 1) * PAGE_SIZE
    total = svc.products.count()
    return {
        "items": [Card(p) for p in svc.products.page(limit=PAGE_SIZE, offset=offset)],
        "total": total,
        "facets": [],
        "sorts": [],
        "sort": "",
        "keep": {},
        "prev_href": href(base, {**params, "page": page - 1}) if page > 1 else None,
        "next_href": (
            href(base, {**params, "page": page + 1})
            if offset + PAGE_SIZE < min(total, 10_000)
            else None
        ),
    }


def make_router(read: Depends, admin: Depends) -> APIRouter:
    """The page routes; ``read`` and ``admin`` are the API's access checks."""
    router = APIRouter(include_in_schema=False)

    @router.get("/static/style.css")
    def style() -> FileResponse:
        return FileResponse(HERE / "static" / "style.css", media_type="text/css")

    @router.get("/images/{product_id}/{index}", dependencies=[read])
    def image(request: Request, product_id: str, index: int) -> FileResponse:
        """A product image, only from the paths the store lists for that product."""
        product = _services(request).products.get(product_id[:256])
        if not 0 <= index < len(product.image_paths):
            raise NotFoundError(f"product {product_id!r} has no image {index}")
        path = Path(product.image_paths[index])
        media = IMAGE_TYPES.get(path.suffix.lower())
        if media is None or not path.is_file():
            raise NotFoundError(f"image {index} of product {product_id!r} is missing")
        return FileResponse(path, media_type=media)

    @router.get("/", response_class=HTMLResponse, dependencies=[read])
    def store(
        request: Request,
        q: Annotated[str, Query(max_length=512)] = "",
        brand: Annotated[list[str] | None, Query(max_length=20)] = None,
        category: Annotated[str | None, Query(max_length=512)] = None,
        in_stock: bool = False,
        sort: Annotated[str, Query(max_length=32)] = "relevance",
        page: Annotated[int, Query(ge=1, le=400)] = 1,
        user: Annotated[str | None, Query(max_length=256)] = None,
        literal: bool = False,
    ) -> HTMLResponse:
        """The shop: a search (the query parsed first unless ``literal``) or the catalogue."""
        svc = _services(request)
        base = str(request.scope.get("root_path", "")).rstrip("/")
        user = user or svc.settings.demo_user
        params: dict[str, Any] = {
            "q": q,
            "brand": brand or [],
            "category": category,
            "in_stock": in_stock,
            "sort": sort if sort != "relevance" else None,
            "user": user,
            "literal": literal,
        }
        context: dict[str, Any] = {"q": q, "user": user, "notice": None}
        context["for_you"] = for_you_cards(svc, user) if page == 1 else []
        if q.strip():
            context.update(_search_context(svc, base, params, page))
        else:
            context.update(_browse_context(svc, base, params, page))
        return _page(request, "store.html", context)

    @router.get("/product/{product_id}", response_class=HTMLResponse, dependencies=[read])
    def product_page(
        request: Request,
        product_id: str,
        user: Annotated[str | None, Query(max_length=256)] = None,
    ) -> HTMLResponse:
        svc = _services(request)
        product = svc.products.get(product_id[:256])
        strips = product_strips(svc, product.id)
        context: dict[str, Any] = {"product": product, "strips": strips, "user": user}
        return _page(request, "product.html", context)

    @router.get("/admin", response_class=HTMLResponse, dependencies=[admin])
    def admin_page(
        request: Request,
        reason: Annotated[str | None, Query(max_length=64)] = None,
        source: Annotated[str | None, Query(max_length=512)] = None,
    ) -> HTMLResponse:
        svc = _services(request)
        charts = benchmark_charts(svc.settings.benchmark_dir)
        context = {
            "product_count": svc.products.count(),
            "quarantine_total": svc.quarantine.count(),
            "event_count": svc.events.count(),
            "reasons": svc.quarantine.reasons(),
            "reason": reason or None,
            "source": source or None,
            "rows": svc.quarantine.page(reason=reason or None, source=source or None, limit=100),
            "charts": [Markup(c) for c in charts],
        }
        return _page(request, "admin.html", context)

    @router.get("/admin/quality", response_class=HTMLResponse, dependencies=[admin])
    def quality_page(
        request: Request, clusters: Annotated[int, Query(ge=0, le=200)] = 20
    ) -> HTMLResponse:
        """The offline data-quality report (`shopsense quality report`), shown in the admin page."""
        report = _services(request).quality_report(clusters=clusters).to_dict()
        return HTMLResponse(render_html(report))

    return router
