"""Recommendation routes: for a user, similar items, bought together, a session, promotions.

Every suggestion carries its explanation (``reason_code`` + ``reason``, and the
``anchor`` item or category it refers to). Freshness: an event committed by
``POST /events`` counts in that shopper's history (``/recommend/user``,
``/recommend/session``) at the very next request; the model behind similar items
and everyone else's suggestions is refitted after ``SHOPSENSE_RECOMMEND_REFIT_AFTER``
(1000) new events, on the request that crosses the bound.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from shopsense.api.auth import READ
from shopsense.api.errors import documented
from shopsense.api.limits import MAX_ID_BYTES, check_id
from shopsense.app.services import Services
from shopsense.recommend.engine import Controls, Promotion, Suggestion

router = APIRouter(prefix="/recommend", tags=["recommend"])
ERRORS = documented(400, 401, 403, 404, 422, 503)
Id = Annotated[str, Path(min_length=1, max_length=MAX_ID_BYTES, description="≤ 256 bytes")]
K = Annotated[int, Query(ge=1, le=100, description="how many suggestions")]


class RecommendedItem(BaseModel):
    item_id: str
    title: str | None = Field(description="the product's title, when it is in the catalogue")
    score: float
    reason_code: str = Field(
        description="because, bought_with, popular_in, session (for you); similar_shoppers,"
        " similar_content, same_category (similar items); bought_with, bought_with_category"
        " (bought together)"
    )
    reason: str = Field(description="why this item, in words")
    anchor: str | None = Field(description="the item or category the reason refers to")


class Recommendations(BaseModel):
    surface: str
    items: list[RecommendedItem]
    notice: str | None = Field(
        default=None, description="e.g. a user with no events gets the popular items"
    )


class PromotionIn(BaseModel):
    id: str = Field(min_length=1, max_length=MAX_ID_BYTES)
    name: str = Field(min_length=1, max_length=512)
    item_ids: list[Annotated[str, Field(max_length=MAX_ID_BYTES)]] = Field(
        default_factory=list, max_length=10_000
    )
    category_prefix: str | None = Field(default=None, max_length=512)


class PromotionRequest(BaseModel):
    user_id: str = Field(min_length=1, max_length=MAX_ID_BYTES)
    promotions: list[PromotionIn] = Field(min_length=1, max_length=1000)
    k: int = Field(default=3, ge=1, le=100)


class PromotionOut(BaseModel):
    promotion_id: str
    name: str
    propensity: float = Field(description="0–1: the user's predicted interest in what it covers")
    reason: str


class PromotionRanking(BaseModel):
    user_id: str
    promotions: list[PromotionOut]


def controls(
    in_stock: bool = False,
    include_sold_out: Annotated[
        bool, Query(description="also suggest sold-out items (left out by default)")
    ] = False,
    category: Annotated[str | None, Query(max_length=512, description="path prefix")] = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
    diversity: Annotated[float, Query(ge=0, le=1, description="0 off … 1 most diverse")] = 0.0,
    popularity_penalty: Annotated[float, Query(ge=0, le=10)] = 0.0,
) -> Controls:
    return Controls(
        in_stock=in_stock,
        include_sold_out=include_sold_out,
        category_prefix=category,
        price_min=min_price,
        price_max=max_price,
        diversity=diversity,
        popularity_penalty=popularity_penalty,
    )


ControlsDep = Annotated[Controls, Depends(controls)]


def _services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def _answer(
    svc: Services, surface: str, found: list[Suggestion], notice: str | None = None
) -> Recommendations:
    products = svc.products.get_many([s.item_id for s in found])
    items = [
        RecommendedItem(
            item_id=s.item_id,
            title=products[s.item_id].title if s.item_id in products else None,
            score=s.score,
            reason_code=s.reason_code,
            reason=s.reason,
            anchor=s.anchor,
        )
        for s in found
    ]
    return Recommendations(surface=surface, items=items, notice=notice)


@router.get(
    "/user/{user_id}", response_model=Recommendations, responses=ERRORS, dependencies=[READ]
)
def for_user(request: Request, user_id: Id, ctl: ControlsDep, k: K = 10) -> Recommendations:
    """For you: from the user's history (new events count at once); popular items without one."""
    check_id(user_id)
    svc = _services(request)
    rec = svc.recommendations
    notice = (
        None
        if rec.knows(user_id)
        else f"no events for user {user_id!r} yet: popular items (cold start)"
    )
    return _answer(svc, "for_you", rec.for_you(user_id, k, ctl), notice)


@router.get(
    "/item/{item_id}", response_model=Recommendations, responses=ERRORS, dependencies=[READ]
)
def similar(request: Request, item_id: Id, ctl: ControlsDep, k: K = 10) -> Recommendations:
    """Similar items: viewed by the same shoppers, similar title/photo, same category."""
    check_id(item_id)
    svc = _services(request)
    return _answer(svc, "similar", svc.recommendations.similar(item_id, k, ctl))


@router.get(
    "/item/{item_id}/bought-together",
    response_model=Recommendations,
    responses=ERRORS,
    dependencies=[READ],
)
def bought_together(
    request: Request, item_id: Id, ctl: ControlsDep, k: Annotated[int, Query(ge=1, le=50)] = 5
) -> Recommendations:
    """Frequently bought together: co-purchase lift in the same session, by category when rare
    (then the companions whose titles fit the item first); the filters apply."""
    check_id(item_id)
    svc = _services(request)
    return _answer(svc, "bought_together", svc.recommendations.bought_together(item_id, k, ctl))


@router.get(
    "/session/{session_id}", response_model=Recommendations, responses=ERRORS, dependencies=[READ]
)
def session(request: Request, session_id: Id, ctl: ControlsDep, k: K = 10) -> Recommendations:
    """Continue a session: next items after what the session viewed (404 for an unknown one)."""
    check_id(session_id)
    svc = _services(request)
    return _answer(
        svc, "continue_session", svc.recommendations.continue_session(session_id, k, ctl)
    )


@router.post("/promotions", response_model=PromotionRanking, responses=ERRORS, dependencies=[READ])
def promotions(request: Request, body: PromotionRequest) -> PromotionRanking:
    """Rank promotions by the user's predicted propensity for the items they cover, with why."""
    svc = _services(request)
    promos = [
        Promotion(p.id, p.name, tuple(p.item_ids), p.category_prefix) for p in body.promotions
    ]
    ranked = svc.recommendations.promotions(body.user_id, promos, body.k)
    return PromotionRanking(
        user_id=body.user_id,
        promotions=[
            PromotionOut(
                promotion_id=p.promotion_id, name=p.name, propensity=p.propensity, reason=p.reason
            )
            for p in ranked
        ],
    )
