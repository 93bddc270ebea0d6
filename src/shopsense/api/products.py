"""Product routes: get, list, upsert, delete, bulk upsert with a status per item."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from shopsense.api.auth import READ, WRITE
from shopsense.api.errors import ApiError, documented
from shopsense.api.limits import MAX_ID_BYTES, check_id, check_page
from shopsense.app.product_writes import MAX_BULK_ITEMS
from shopsense.app.services import Services
from shopsense.catalog.schema import Product

router = APIRouter(tags=["products"])
ERRORS = documented(400, 401, 403, 404, 413, 422, 503)
ProductId = Annotated[
    str, Path(min_length=1, max_length=MAX_ID_BYTES, description="Product id, ≤ 256 bytes")
]


class ProductPage(BaseModel):
    total: int
    limit: int
    offset: int
    products: list[Product]


class UpsertResult(BaseModel):
    id: str
    status: str = Field(description="inserted, updated or unchanged")


class BulkRequest(BaseModel):
    products: list[Any] = Field(
        max_length=MAX_BULK_ITEMS,
        description="Product objects (fields of Product); each is validated on its own",
    )


class BulkItem(BaseModel):
    index: int
    id: str | None
    status: str = Field(description="inserted, updated, unchanged or error")
    code: str | None = Field(
        default=None, description="why an error: invalid_product or a quality-gate reason code"
    )
    message: str | None = None


class BulkResult(BaseModel):
    run_id: int = Field(description="the ingest_runs row counting this request")
    inserted: int
    updated: int
    unchanged: int
    errors: int
    quarantined: int = Field(description="items kept in the quarantine (every error)")
    repaired: int = Field(description="items the gate cleaned (repairs recorded per field)")
    items: list[BulkItem]


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


@router.get("/products", response_model=ProductPage, responses=ERRORS, dependencies=[READ])
def list_products(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    brand: Annotated[str | None, Query(max_length=256)] = None,
    category: Annotated[str | None, Query(max_length=512, description="path prefix")] = None,
) -> ProductPage:
    check_page(limit, offset)
    svc = services(request)
    rows = svc.products.page(limit=limit, offset=offset, brand=brand, category_prefix=category)
    return ProductPage(total=svc.products.count(), limit=limit, offset=offset, products=rows)


@router.get("/products/{product_id}", response_model=Product, responses=ERRORS, dependencies=[READ])
def get_product(request: Request, product_id: ProductId) -> Product:
    check_id(product_id)
    return services(request).products.get(product_id)


@router.put(
    "/products/{product_id}",
    response_model=UpsertResult,
    responses={**ERRORS, 201: {"model": UpsertResult, "description": "Inserted"}},
    dependencies=[WRITE],
    status_code=200,
)
def put_product(
    request: Request, response: Response, product_id: ProductId, product: Product
) -> UpsertResult:
    check_id(product_id)
    if product.id != product_id:
        raise ApiError(
            400, "id_mismatch", f"the body's id {product.id!r} is not the path's {product_id!r}"
        )
    (item,) = services(request).write_products([product.model_dump()], name="put").items
    if item.status == "error":
        raise ApiError(422, item.code or "quality_gate", f"quarantined: {item.message}")
    if item.status == "inserted":
        response.status_code = 201
    return UpsertResult(id=product_id, status=item.status)


@router.delete("/products/{product_id}", status_code=204, responses=ERRORS, dependencies=[WRITE])
def delete_product(request: Request, product_id: ProductId) -> Response:
    check_id(product_id)
    services(request).delete_product(product_id)
    return Response(status_code=204)


@router.post("/products/bulk", response_model=BulkResult, responses=ERRORS, dependencies=[WRITE])
def bulk_upsert(request: Request, body: BulkRequest) -> BulkResult:
    """Upsert up to 10,000 products; each item is validated alone and passed through the
    quality gate, and gets its own status; a bad item gets an error with a reason code and
    is kept in the quarantine (source ``api:bulk``, line = its position)."""
    done = services(request).write_products(body.products, name="bulk")
    return BulkResult(
        run_id=done.run_id,
        inserted=done.count("inserted"),
        updated=done.count("updated"),
        unchanged=done.count("unchanged"),
        errors=done.count("error"),
        quarantined=done.count("error"),
        repaired=done.repaired,
        items=[BulkItem(**vars(i)) for i in done.items],
    )
