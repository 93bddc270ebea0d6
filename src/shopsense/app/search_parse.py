"""What a query's parse does to a search, and the account of it.

- **Filters**: the confident price bounds (the tightest of each side) where the shopper set
  no price — and a price guess when the query is nothing but prices (``around 400``:
  :func:`only_a_price`) —, the brands the query says not to show, and the intent's
  category where the model is at least ``CATEGORY_PROBABILITY`` sure
  (``WORD_SORT_CATEGORY_PROBABILITY`` when the query's words sort: ``cheapest iphone``)
  and the shopper chose no category or one above it (:func:`narrows`).
- **Order** (:func:`parse_sort`): words asking for one (``cheapest``, ``最贵``) sort the
  results when the shopper chose no sort.
- **Ranking signals** (:func:`boost_by_parse`): the confident brands, colours, genders
  and sizes (another gender than the one named ranks lower, unisex aside), the kind of
  product the query names (its category's last word), the intent's category guesses, and
  a guess about the price (``jeans 50 bucks``, ``around 400``: products priced near it,
  ``PRICE_GUESS``), added to each candidate's score rescaled to [0, 1].
  Brands rank rather than filter: measured on Walmart→Amazon known-item search, a brand
  filter from the parse cost 0.033 MRR@10, because the same product is filed under a variant
  (``Mace`` / ``Mace Security``), a parent or a licensee (``Trendware`` for TRENDnet,
  ``Dane-Elec`` for Duracell) in another shop's records.
- **Not this** (``running shoes without nike``, ``不要耐克``, ``dress not red``, ``not for
  women``): a confident negated brand is excluded by the filter; a negated colour or
  gender ranks its products lower by ``ATTRIBUTE_WEIGHT`` (a catalogue may not record
  them); none is searched as words (a negated guess is, as its account says).
- **A generic word does not pick one sibling** (:func:`widen_category`): when products
  in sibling categories of the model's (same parent) have every item word of the query
  in their titles (not its price, colour, gender or size words) — at least
  ``MIN_HIDDEN`` of them and ``HIDDEN_SHARE`` as many as inside — the filter is widened
  to the parent. On the demo catalogue the weak-label model reads ``watch`` as *Smart
  Watches* with p 1.00, which hid every wrist watch; now it filters to *Watches*. The
  counts keep one misfiled product or a longer item (``Nail Polish Remover`` for ``nail
  polish``) from undoing a right filter, and products in other branches (innerwear
  ``shorts``, watches filed under *Free Gifts* in the Myntra catalogue) do not widen it.
- **The account**: :func:`apply_parse` says for every correction, attribute and intent
  whether search used it as a filter, to rank, as the query text, or not at all and why
  (:class:`ParseUse`); :meth:`ParseBoosts.of` says what each hit gained.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from shopsense.catalog.schema import CATEGORY_SEP
from shopsense.query.lexicon import aliases, norm
from shopsense.query.prices import PRICE_GUESS
from shopsense.query.types import AttributeFilter, CategoryGuess, Intent, ParsedQuery
from shopsense.query.understanding import remainder
from shopsense.ranking.pipeline import Ranked
from shopsense.retrieval.documents import attribute_pair, category_prefixes
from shopsense.retrieval.filters import SearchFilters
from shopsense.text.singular import search_terms

#: Filters applied from a parse only at or above these confidences.
ATTRIBUTE_CONFIDENCE = 0.8
CATEGORY_PROBABILITY = 0.9
#: ... and at this one when the query's own words sort the results (``cheapest iphone``):
#: sorted by price nothing ranks, so the kind asked for must be the filter, or the cheapest
#: cases come before the cheapest iPhone
WORD_SORT_CATEGORY_PROBABILITY = 0.5
#: Weights of the parse's ranking signals, added to a candidate's score rescaled to [0, 1]
#: within the pool: ``INTENT_WEIGHT × P(category)`` for a candidate under one of the
#: intent's guesses, ``ATTRIBUTE_WEIGHT`` for each confident colour / gender / size it
#: carries (``xl t-shirt``: the XL shirts, not a kids' 120),
#: ``BRAND_WEIGHT`` when its brand is one the query names.
INTENT_WEIGHT = 0.5
ATTRIBUTE_WEIGHT = 0.25
BRAND_WEIGHT = 0.5  # measured: 0.25 and 0.5 gave the same Walmart→Amazon MRR@10 (0.840)
#: what a candidate gains when its category's last word is a kind the query names: more
#: than a brand named (``huawei phone``: another brand's phone before a Huawei case;
#: measured: Myntra filtered NDCG@10 with understanding 0.956 at 0.25, 0.965 at 0.6)
KIND_WEIGHT = 0.6
SOFT_FIELDS = ("colour", "gender", "size")
#: a trouser size, waist and length (``W32 L32``): a size of its waist (``size 32``)
_WAIST = re.compile(r"\s*w\s*(\d{2})\s*[/x]?\s*l\s*\d{2}\s*$", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[\W_]+")
#: What search does with a part of the parse (``ParseUse.use``).
USES = ("filter", "rank", "query", "sort", "unused")
_SORT_NOTES = {
    "price_asc": "sorted by price, lowest first",
    "price_desc": "sorted by price, highest first",
    "newest": "sorted by when the product was listed, newest first",
}


@dataclass(frozen=True)
class ParseUse:
    """How a search used one part of its query's parse.

    ``field`` is ``spelling``, ``category``, ``sort`` or an attribute field (``price``,
    ``brand``, ``colour``, ``gender``, ``size``); ``text`` is the query text it was read
    from (empty for the category, which the model reads off the whole query); ``use`` is
    one of ``USES``; ``note`` says what it did or why it was left out."""

    field: str
    value: str
    text: str
    use: str
    note: str


def _brand_key(brand: str) -> str:
    """A brand squashed to letters and digits: ``I.R.I.S.`` is ``Iris``, ``Post-it`` ``POST IT``.
    (Not ``catalog.matching.records.squash``: that keeps ASCII only, and would make every
    Chinese brand name the empty string.)"""
    return _NOT_ALNUM.sub("", brand.casefold())


def _bound(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"price {low:g}–{high:g}"
    return f"price ≥ {low:g}" if low is not None else f"price ≤ {high:g}"


def apply_parse(
    parsed: ParsedQuery,
    given: SearchFilters,
    categories: Container[str] | None = None,
    sort: str = "relevance",
    currencies: Collection[str] = (),
    category_probability: float = CATEGORY_PROBABILITY,
) -> tuple[SearchFilters, tuple[ParseUse, ...]]:
    """The shopper's own filters plus the parse's (module docstring), and the account of
    every part of the parse. ``categories``: the catalogue's category prefixes (in the
    index's form, :func:`category_prefixes`); a predicted category outside them filters
    nothing (an intent model trained on another shop's labels would empty every page).
    Under any ``sort`` but relevance nothing ranks, and the account says so.
    ``category_probability``: how sure the intent must be to filter (lower when the query's
    own words chose the sort: ``WORD_SORT_CATEGORY_PROBABILITY``).
    ``currencies``: the catalogue's; where it has several, a price bound whose query names
    its currency (``300元``, ``$50``) keeps to products priced in it (prices are never
    converted), and one that names none says that it compares amounts as written."""
    uses = [
        ParseUse("spelling", c.corrected, c.original, "query", f"searched for {c.corrected!r}")
        for c in parsed.corrections
    ]
    floor = PRICE_GUESS if only_a_price(parsed) else ATTRIBUTE_CONFIDENCE
    prices = [f for f in parsed.filters if f.field == "price" and f.confidence >= floor]
    out, price_note = given, ""
    own_price = given.min_price is not None or given.max_price is not None
    # prices are never converted: the bounds kept are those in the shopper's currency
    # filter, else in the first currency named that the catalogue has
    named_all = [f.currency for f in prices if f.currency]
    first = given.currency or next(
        (c for c in named_all if not currencies or c in currencies),
        named_all[0] if named_all else None,
    )
    applied = [f for f in prices if f.currency in (None, first)]
    if applied and not own_price:
        # every bound at once: "100元以上200元以下", "over $20 under $50"
        low = max((f.low for f in applied if f.low is not None), default=None)
        high = min((f.high for f in applied if f.high is not None), default=None)
        if low is not None and high is not None and low > high:  # "over 200 under 100"
            applied = applied[:1]  # the first one alone
            low, high = applied[0].low, applied[0].high
        out = replace(out, min_price=low, max_price=high)
        price_note = f"only products at {_bound(low, high)}"
        named = next((f.currency for f in applied if f.currency), None)
        held = "/".join(sorted(currencies))
        if given.currency is not None:
            price_note += f" {given.currency}"
        elif len(currencies) > 1:
            if named in currencies:
                out = replace(out, currency=named)
                price_note += f" {named}"
            else:
                price_note += f", in any currency ({held} as written)"
        elif named and currencies and named not in currencies:  # one currency, another named
            price_note += f": {named} compared as written with prices in {held}"
    for f in parsed.filters:
        if f.field == "sort":  # accounted for by :func:`parse_sort`
            continue
        if own_price:
            unused = "your own price filter applies"
        elif f.currency and f.currency != first:
            held_by = "your currency filter is" if given.currency else "the first price in"
            unused = f"in {f.currency}, {held_by} {first}: prices are not converted"
        else:
            unused = "contradicts the first bound"
        uses.append(_attribute_use(f, f in applied and not own_price, unused, price_note, sort))
    excluded = tuple(
        dict.fromkeys(
            f.value
            for f in parsed.filters
            if f.negated and f.field == "brand" and f.confidence >= ATTRIBUTE_CONFIDENCE
        )
    )
    if excluded:
        out = replace(out, exclude_brands=(*out.exclude_brands, *excluded))
    intent = parsed.intent
    if intent is not None and intent.abstained:
        best = intent.top[0] if intent.top else None
        why = f" (best guess {best.category}, p {best.probability:.2f})" if best else ""
        uses.append(ParseUse("category", "unknown", "", "unused", f"the model abstains{why}"))
    elif intent is not None:
        free = narrows(intent.category, given.category)
        out, use = _category_use(intent, out, free, categories, sort, category_probability)
        uses.append(use)
    return out, tuple(uses)


def only_a_price(parsed: ParsedQuery) -> bool:
    """Whether the query is nothing but prices (and an order): ``around 400``, ``100元``.
    It has no words to rank by, so a price guess in it is the filter."""
    return not remainder(parsed.corrected, parsed.filters, {"price", "sort"}).strip()


def catalogue_kinds(categories: Iterable[str]) -> frozenset[str | None]:
    """The kinds of product that ``categories`` (category prefixes) name: each one's last
    word (``Running Shoes``: shoe)."""
    return frozenset(_kind(p.rsplit(CATEGORY_SEP, 1)[-1]) for p in categories)


def parse_sort(parsed: ParsedQuery, chosen: str) -> tuple[str, tuple[ParseUse, ...]]:
    """The sort a query asks for in words (``cheapest running shoes``, ``最便宜的耳机``:
    by price, lowest first), when it is confident and the shopper ``chosen`` none
    (relevance); the sort to use, and the account of every sort phrase."""
    sort, uses = chosen, []
    for f in parsed.filters:
        if f.field != "sort":
            continue
        if f.confidence < ATTRIBUTE_CONFIDENCE:
            note = f"a guess: confidence {f.confidence:.2f} < {ATTRIBUTE_CONFIDENCE:.2f}"
            uses.append(ParseUse("sort", f.value, f.text, "unused", note))
        elif chosen != "relevance":
            uses.append(ParseUse("sort", f.value, f.text, "unused", f"you sorted by {chosen}"))
        elif sort != "relevance":
            uses.append(ParseUse("sort", f.value, f.text, "unused", f"already {sort}"))
        else:
            sort = f.value
            uses.append(ParseUse("sort", f.value, f.text, "sort", _SORT_NOTES[f.value]))
    return sort, tuple(uses)


def _lift(field: str, value: str, text: str, note: str, sort: str) -> ParseUse:
    """The account of a ranking signal: it ranks only when results are sorted by relevance."""
    if sort != "relevance":
        return ParseUse(field, value, text, "unused", f"results sorted by {sort}")
    return ParseUse(field, value, text, "rank", note)


def _category_use(
    intent: Intent,
    out: SearchFilters,
    free: bool,
    categories: Container[str] | None,
    sort: str,
    sure: float = CATEGORY_PROBABILITY,
) -> tuple[SearchFilters, ParseUse]:
    """The predicted category as a filter (sure, known, and the shopper chose none), and the
    lift its known guesses give (:class:`ParseBoosts`), with the account of both."""
    lifts = ", ".join(
        f"{g.category} +{INTENT_WEIGHT * g.probability:.2f}"
        for g in known_guesses(intent, categories)
    )
    lifted = f"lifts {lifts}"
    if not _known(intent.category, categories):
        note = "not a category of this catalogue, so no filter"
        if lifts:
            return out, _lift("category", intent.category, "", f"{note}; {lifted}", sort)
        return out, ParseUse("category", intent.category, "", "unused", note)
    if intent.probability >= sure and free:
        note = f"only products under {intent.category} (p {intent.probability:.2f})"
        if sure < CATEGORY_PROBABILITY and intent.probability < CATEGORY_PROBABILITY:
            note += f": the query sorts by {sort}, so the kind asked for is the filter"
        note += f"; {lifted}" if sort == "relevance" else ""
        return replace(out, category=intent.category), ParseUse(
            "category", intent.category, "", "filter", note
        )
    return out, _lift("category", intent.category, "", lifted, sort)


#: parsed fields whose words are not the item (what the exact-match check leaves out);
#: a brand stays: ``apple watch`` must not widen to the wrist watches of other brands
ATTRIBUTE_FIELDS = frozenset(("price", "colour", "gender", "size", "sort", "lacks"))
#: a category filter is widened to its parent when the sibling products it would hide
#: that have every item word number at least ``MIN_HIDDEN`` and ``HIDDEN_SHARE`` of such
#: products inside it
MIN_HIDDEN = 2
HIDDEN_SHARE = 0.25


def item_words(parsed: ParsedQuery) -> str:
    """The corrected query without its attributes' words, nor a brand it says not to
    show: what names the item."""
    kept = [f for f in parsed.filters if f.field in ATTRIBUTE_FIELDS or _said_not(f)]
    return remainder(parsed.corrected, kept, {f.field for f in kept})


def _said_not(f: AttributeFilter) -> bool:
    """Whether search takes ``f`` for what the shopper does not want (a sure negation;
    a negated guess is searched as words, as the account says)."""
    return f.negated and f.confidence >= ATTRIBUTE_CONFIDENCE


def brand_and_kind(parsed: ParsedQuery) -> tuple[str, tuple[str, ...]]:
    """The item words without the confident brands named (``nike shoes`` → ``shoes``),
    and those brands; no brand: the item words and ``()``."""
    named = tuple(
        f
        for f in parsed.filters
        if f.field == "brand" and not f.negated and f.confidence >= ATTRIBUTE_CONFIDENCE
    )
    kept = [f for f in parsed.filters if f.field in ATTRIBUTE_FIELDS or _said_not(f)]
    bare = remainder(parsed.corrected, [*kept, *named], {"brand", *ATTRIBUTE_FIELDS})
    return bare, tuple(dict.fromkeys(f.value for f in named))


def widen_category(
    filters: SearchFilters,
    uses: Sequence[ParseUse],
    outside: Sequence[tuple[tuple[str, ...], str]],
    inside: int,
) -> tuple[SearchFilters, tuple[ParseUse, ...]]:
    """The parse's category filter widened to its parent when enough sibling products
    would be hidden: ``outside`` holds the (category levels, title) of products outside
    the filter whose titles have every item word, ``inside`` counts such products under
    it. Products under another branch (a shop's *Innerwear* shorts for ``shorts``) do
    not widen it; the account names a product the narrower filter would have hidden."""
    if filters.category is None:
        return filters, tuple(uses)
    wider = CATEGORY_SEP.join(filters.category.split(CATEGORY_SEP)[:-1])
    parent = SearchFilters(category=wider).category_prefix  # the index's form, as filters
    siblings = [title for category, title in outside if parent in category_prefixes(category)]
    if parent is None or len(siblings) < max(MIN_HIDDEN, HIDDEN_SHARE * inside):
        return filters, tuple(uses)
    out: list[ParseUse] = []
    for use in uses:
        if use.field == "category" and use.use == "filter":
            lifts = use.note.split("; ", 1)[1:]
            note = (
                f"only products under {wider}: {use.value} would hide {siblings[0]!r} and"
                f" {len(siblings) - 1} more whose titles have every word"
            )
            use = replace(use, value=wider, note="; ".join([note, *lifts]))
        out.append(use)
    return replace(filters, category=wider), tuple(out)


def category_names(categories: Iterable[Sequence[str]]) -> dict[frozenset[str], str]:
    """Each category node's name, as search terms (``Shoes`` → ``{shoe}``), → its path
    (``Footwear > Shoes``), when one node of that name holds every node whose name has
    those words (``Apparel > Dresses`` holds ``Apparel > Dresses > Dresses``). A name of
    nodes in two branches (``Accessories`` under Men and Women; ``Shoes`` under Footwear
    and Sports > Running) names none, nor does ``Running`` when *Running Shoes* sit
    elsewhere: a filter to one would hide the other."""
    nodes: dict[frozenset[str], set[tuple[str, ...]]] = {}
    for path in set(map(tuple, categories)):
        for depth in range(len(path)):
            name = frozenset(search_terms(path[depth]))
            if name:
                nodes.setdefault(name, set()).add(path[: depth + 1])
    out = {}
    for name, held in nodes.items():
        top = min(held, key=len)
        wider = (node for other, more in nodes.items() if name <= other for node in more)
        if all(node[: len(top)] == top for node in wider):
            out[name] = CATEGORY_SEP.join(top)
    return out


def name_category(
    filters: SearchFilters,
    uses: Sequence[ParseUse],
    words: str,
    names: Mapping[frozenset[str], str],
    sort: str,
    chosen: str | None = None,
) -> tuple[SearchFilters, tuple[ParseUse, ...]]:
    """When the query's item ``words`` are the name of one of the catalogue's category
    nodes (``shoes``, ``laptop``: plural folded), that category is the filter, in place of
    the model's guess: a shopper typing a category's name means all of it (``shoes``:
    *Footwear > Shoes*, running shoes and sneakers alike, not the guessed *Running
    Shoes*), and the catalogue's own names outrank a model trained on its titles. Under
    the shopper's ``chosen`` category only when it lies within it (:func:`narrows`)."""
    named = names.get(frozenset(search_terms(words)))
    if named is not None and chosen is not None and not narrows(named, chosen):
        if named == chosen or narrows(chosen, named):
            # "shoes" under the facet Footwear > Shoes it counted: all of it, not the
            # model's narrower guess (Running Shoes) that the shopper did not pick
            note = f"the query names {named}: your category {chosen} is the filter"
            return _named(filters, uses, named, words, chosen, note, sort, "unused")
    if named is None or filters.category == named or not narrows(named, chosen):
        return filters, tuple(uses)
    guess = next((u for u in uses if u.field == "category"), None)
    was = ""
    if guess is not None:
        was = "; the model abstains" if guess.value == "unknown" else ""
        was = was or f"; the model: {guess.value} ({guess.use})"
    note = f"only products under {named}: the query names this category{was}"
    return _named(filters, uses, named, words, named, note, sort, "filter")


def _named(
    filters: SearchFilters,
    uses: Sequence[ParseUse],
    named: str,
    words: str,
    category: str,
    note: str,
    sort: str,
    use: str,
) -> tuple[SearchFilters, tuple[ParseUse, ...]]:
    """``filters`` under ``category``, the account of the category the query ``named``
    in place of the model's (whose lifts still rank, by relevance)."""
    guess = next((u for u in uses if u.field == "category"), None)
    if guess is not None and guess.use != "unused" and sort == "relevance":
        lifts = guess.note.split("lifts ", 1)[1:]
        note += "".join(f"; lifts {lift}" for lift in lifts)
        use = "rank" if lifts and use == "unused" else use  # the model's guesses still lift
    kept = [u for u in uses if u.field != "category"]
    account = ParseUse("category", named, words.strip(), use, note)
    return replace(filters, category=category), (*kept, account)


def narrows(category: str, chosen: str | None) -> bool:
    """Whether the parse's ``category`` may be the filter under the shopper's ``chosen``
    one: when the shopper chose none, or one above it. A shopper who searched ``running
    shoes`` and then picked the facet *Footwear* keeps the 15 running shoes the facet
    counted, not every one of its 28 products; a category elsewhere is the shopper's."""
    if chosen is None:
        return True
    inner = SearchFilters(category=category).category_prefix or ""
    outer = SearchFilters(category=chosen).category_prefix or ""
    return inner.startswith(outer + CATEGORY_SEP)


def known_guesses(intent: Intent, categories: Container[str] | None) -> list[CategoryGuess]:
    """The intent's guesses that are categories of the catalogue (all, without a list)."""
    return [g for g in intent.top if _known(g.category, categories)]


def _known(category: str, categories: Container[str] | None) -> bool:
    return categories is None or known_category(category, categories)


def known_category(category: str, categories: Container[str]) -> bool:
    """Whether ``category`` (``Footwear > Shoes``) is one of ``categories``, the category
    prefixes of a catalogue in the index's form (:func:`category_prefixes`)."""
    prefix = SearchFilters(category=category).category_prefix
    return prefix is not None and prefix in categories


def _attribute_use(
    f: AttributeFilter, applied: bool, unused: str, price_note: str, sort: str
) -> ParseUse:
    """How search used attribute ``f`` (``applied``: a price bound in the filter;
    ``unused``: why a confident price bound is not)."""
    unsure = f.confidence < ATTRIBUTE_CONFIDENCE
    if f.field == "price" and applied:
        return ParseUse(f.field, f.value, f.text, "filter", price_note)
    if unsure and f.field == "price" and f.confidence >= PRICE_GUESS:
        held = f" {f.currency}" if f.currency else ""
        note = f"a guess, so it ranks: +{ATTRIBUTE_WEIGHT:g} to products at {_bound(f.low, f.high)}"
        return _lift(f.field, f.value, f.text, note + held, sort)
    if unsure:
        note = f"a guess: confidence {f.confidence:.2f} < {ATTRIBUTE_CONFIDENCE:.2f}"
        return ParseUse(f.field, f.value, f.text, "unused", note)
    if f.negated:
        if f.field == "lacks":
            note = "what the product should not have: not searched for as words"
            return ParseUse(f.field, f.value, f.text, "unused", note)
        if f.field == "brand":
            return ParseUse(f.field, f.value, f.text, "filter", f"no products of {f.value}")
        note = f"-{ATTRIBUTE_WEIGHT:g} to products whose {f.field} is {f.value}"
        return _lift(f.field, f.value, f.text, note, sort)
    if f.field == "price":
        if applied:
            return ParseUse(f.field, f.value, f.text, "filter", price_note)
        return ParseUse(f.field, f.value, f.text, "unused", unused)
    if f.field == "brand":
        return _lift(f.field, f.value, f.text, f"+{BRAND_WEIGHT:g} to {f.value}", sort)
    if f.field in SOFT_FIELDS:
        note = f"+{ATTRIBUTE_WEIGHT:g} to products whose {f.field} is {f.value}"
        return _lift(f.field, f.value, f.text, note, sort)
    return ParseUse(f.field, f.value, f.text, "unused", f"search does not use {f.field}")


def filters_from_parse(parsed: ParsedQuery, given: SearchFilters) -> SearchFilters:
    """The shopper's own filters plus the parse's confident ones (:func:`apply_parse`)."""
    return apply_parse(parsed, given)[0]


class ParseBoosts:
    """The parse's ranking signals (module docstring), read off the parse once."""

    def __init__(
        self,
        parsed: ParsedQuery,
        categories: Container[str] | None = None,
        currencies: Collection[str] = (),
        known_kinds: frozenset[str | None] | None = None,
    ) -> None:
        """``categories``: the catalogue's category prefixes; guesses outside them lift
        nothing and are left out (all are kept without a list). ``currencies``: the
        catalogue's; where it has several, a price guess naming its currency lifts only
        products priced in it (prices are never converted). ``known_kinds``: the kinds the
        catalogue's categories name (:func:`catalogue_kinds`), else read off
        ``categories``; only those lift."""
        intent = parsed.intent
        self.guesses: list[tuple[str | None, str, float]] = []
        if intent is not None and not intent.abstained:
            self.guesses = [
                (SearchFilters(category=g.category).category_prefix, g.category, g.probability)
                for g in known_guesses(intent, categories)
            ]
        confident = parsed.confident_filters(ATTRIBUTE_CONFIDENCE)
        # the value the lexicon reads, or any spelling the lexicon has for it: ``rose
        # gold`` and ``玫瑰金`` read as Rose (a Myntra colour) and lift a product whose
        # colour is Rose Gold too; ``grey`` lifts a ``Gray`` one
        # (pairs, label, weight): a negated colour (``not red``) ranks its products lower
        self.wanted = [
            (
                {attribute_pair(f.field, s) for s in (f.value, *_spellings(f.field, f.value))},
                f"not {f.field} {f.value}" if f.negated else f"{f.field} {f.value}",
                -ATTRIBUTE_WEIGHT if f.negated else ATTRIBUTE_WEIGHT,
            )
            for f in confident
            if f.field in SOFT_FIELDS
        ]
        # a gender the query names ranks the products made for another one lower (men's
        # shoes for "womens running shoes"); unisex ones are for everyone
        asked = {f.value for f in confident if f.field == "gender" and not f.negated}
        if len(asked) == 1:
            (one,) = asked
            others = {g for g in _lexicon_spellings("gender") if g not in (one, *_FOR_ALL)}
            self.wanted += [
                (
                    {
                        attribute_pair("gender", s)
                        for g in others
                        for s in (g, *_spellings("gender", g))
                    },
                    f"gender not {one}",
                    -ATTRIBUTE_WEIGHT,
                )
            ]
        self.named = {
            _brand_key(f.value): f.value for f in confident if f.field == "brand" and not f.negated
        }
        # the kind of product the query names: its last item word (``phone charger``: a
        # charger, not a phone), or the synonyms of the phrase it ends; a product whose
        # category's last word is one of them is that kind (``phone``: Smartphones, through
        # the synonym smartphone; not Phone Cases, which are cases)
        words = item_words(parsed)
        said = norm(words).strip()  # the synonym phrases are in this form (simplified)
        kinds: frozenset[str | None] = frozenset(search_terms(words)[-1:]) | {
            t
            for phrase, same in parsed.synonyms.items()
            if said.endswith(phrase)
            for s in same
            for t in search_terms(s)[-1:]
        }
        if known_kinds is None and isinstance(categories, Iterable):
            known_kinds = catalogue_kinds(categories)
        self.kinds = kinds & known_kinds if known_kinds is not None else kinds
        several = len(currencies) > 1
        self.prices = [
            (f.low, f.high, f.currency if several else None, _bound(f.low, f.high))
            for f in parsed.filters
            if f.field == "price" and PRICE_GUESS <= f.confidence < ATTRIBUTE_CONFIDENCE
        ]
        if only_a_price(parsed):  # the guess is the filter (apply_parse): it lifts nothing
            self.prices = []

    def __bool__(self) -> bool:
        return bool(self.guesses or self.wanted or self.named or self.prices or self.kinds)

    def of(
        self,
        category: tuple[str, ...],
        attributes: Mapping[str, str],
        brand: str | None,
        price: float | None = None,
        currency: str | None = None,
    ) -> dict[str, float]:
        """What a product of ``category``, ``attributes``, ``brand``, ``price`` and
        ``currency`` gains, by reason."""
        out: dict[str, float] = {}
        if self.guesses:
            have = set(category_prefixes(category))
            hits = [(p, name) for prefix, name, p in self.guesses if prefix in have]
            if hits:
                p, name = max(hits)
                out[f"category {name}"] = INTENT_WEIGHT * p
        if self.wanted:
            pairs = {attribute_pair(k, v) for k, v in attributes.items()}
            waist = _WAIST.match(attributes.get("size", ""))
            if waist:  # "jeans size 32": the waist of a W32 L32
                pairs.add(attribute_pair("size", waist.group(1)))
            for wanted, label, weight in self.wanted:
                if wanted & pairs:
                    out[label] = weight
        if brand is not None and _brand_key(brand) in self.named:
            out[f"brand {self.named[_brand_key(brand)]}"] = BRAND_WEIGHT
        if category and self.kinds and _kind(category[-1]) in self.kinds:
            out[f"kind {category[-1]}"] = KIND_WEIGHT
        if price is not None and not np.isnan(price):
            for low, high, held, label in self.prices:
                near = (low is None or price >= low) and (high is None or price <= high)
                if near and held in (None, currency):
                    out[label] = ATTRIBUTE_WEIGHT
                    break
        return out


@cache
def _kind(leaf: str) -> str | None:
    """The kind a category names: its name's last word (``Running Shoes``: shoe)."""
    terms = search_terms(leaf)
    return terms[-1] if terms else None


def _spellings(field: str, value: str) -> tuple[str, ...]:
    """The lexicon's spellings of a colour or gender ``value`` (``Rose``: rose, rose gold,
    玫瑰金)."""
    return _lexicon_spellings(field).get(value, ()) if field in _LEXICONS else ()


_LEXICONS = {"colour": "colours", "gender": "genders"}
#: genders whose products are for every shopper: never ranked lower for naming another
_FOR_ALL = ("Unisex",)


@cache
def _lexicon_spellings(field: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for a in aliases(_LEXICONS[field]):
        out.setdefault(a.value, []).append(a.alias)
    return {value: tuple(spelled) for value, spelled in out.items()}


def boost_by_parse(
    ranked: Ranked,
    parsed: ParsedQuery,
    categories: Sequence[tuple[str, ...]],
    attributes: Sequence[Mapping[str, str]],
    brands: Sequence[str | None] = (),
    known: Container[str] | None = None,
    prices: Sequence[float] | np.ndarray = (),
) -> Ranked:
    """Re-rank by what the parse says the shopper wants: the intent's category (unless it
    abstained), the confident brands and the confident colour / gender (ranking signals, not
    filters: a catalogue may not record them, another shop's records may file the product
    under another brand, and a near miss in colour still beats another kind of product).
    Candidates carrying none of them keep their order; with no signal at all, ``ranked``
    is returned as it is. ``known``: the catalogue's category prefixes (``ParseBoosts``)."""
    return rerank(ranked, ParseBoosts(parsed, known), categories, attributes, brands, prices)


def rerank(
    ranked: Ranked,
    boosts: ParseBoosts,
    categories: Sequence[tuple[str, ...]],
    attributes: Sequence[Mapping[str, str]],
    brands: Sequence[str | None] = (),
    prices: Sequence[float] | np.ndarray = (),
    currencies: Sequence[str | None] = (),
) -> Ranked:
    """:func:`boost_by_parse` with the signals already read off the parse (``prices``,
    ``currencies``: each product's, for a price guess; NaN / None where it has none)."""
    if not boosts:
        return ranked
    feature = np.zeros(len(ranked.rows))
    for i, row in enumerate(ranked.rows):
        r = int(row)
        brand = brands[r] if boosts.named and brands else None
        price = float(prices[r]) if boosts.prices and len(prices) else None
        currency = currencies[r] if boosts.prices and currencies else None
        feature[i] = sum(boosts.of(categories[r], attributes[r], brand, price, currency).values())
    if not feature.any():
        return ranked
    scores = np.asarray(ranked.scores, dtype=np.float64)
    span = float(scores.max() - scores.min()) or 1.0
    final = (scores - scores.min()) / span + feature
    order = np.argsort(-final, kind="stable")
    return replace(
        ranked,
        rows=ranked.rows[order],
        scores=final[order],
        features=_reorder(ranked.features, order),
        contributions=_reorder(ranked.contributions, order),
        lexical=ranked.lexical[order],
    )


def _reorder(matrix: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Rows of ``matrix`` in ``order`` (a matrix not computed for this run stays as is)."""
    return matrix[order] if len(matrix) == len(order) else matrix
