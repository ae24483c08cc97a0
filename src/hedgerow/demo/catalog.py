"""The demo catalogue: items drawn from product templates, their costs, prices and bundles.

Items are drawn from :data:`~hedgerow.demo.templates.TEMPLATES` in proportion to each category's SKU weight;
an item is a template, a variant and an edition ("Wireless earbuds ANC white"). The components the bundles need
(a cable above all) are always drawn first, so every network, however small, can assemble its kits. Bundles
are items too: their cost is the sum of their components plus kitting, their price the components' prices less
a bundle discount.

Pure: sizes and a random generator in, arrays out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from hedgerow.demo.network import Supplier, Warehouse, Zone, units_per_usd
from hedgerow.demo.templates import (
    BUNDLE_TEMPLATES,
    EDITIONS,
    LOW_MARGIN_ACCESSORIES,
    PROFILES,
    TEMPLATES,
    Category,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

#: One bundle per this many items (at least one).
ITEMS_PER_BUNDLE = 60
#: Bundles sell at this fraction of the sum of their components' prices ...
BUNDLE_PRICE_FACTOR = 0.95
#: ... but never below this gross margin.
MIN_BUNDLE_MARGIN = 0.06
#: Kitting and packaging cost added to a bundle's components (USD per bundle).
KITTING_COST_USD = 1.50
#: Share of items that sell slowly everywhere (long tail), their demand a few percent of their template's.
SLOW_MOVER_SHARE = 0.15
#: Price level of a region relative to the US, after currency conversion.
PRICE_PREMIUM: dict[Zone, float] = {
    Zone.US_WEST: 1.0,
    Zone.US_EAST: 1.0,
    Zone.NORTH_EUROPE: 1.10,
    Zone.JAPAN: 1.05,
    Zone.SOUTHEAST_ASIA: 1.02,
}


@dataclass(frozen=True)
class Catalog:
    """Every item of the demo, one entry per item in each array (item ``i`` is ``item_id[i]``).

    Attributes
    ----------
    item_id, name, category, template:
        Identifier, readable name, :class:`~hedgerow.demo.templates.Category` value and product line.
    is_bundle:
        Whether the item is a kit assembled at the warehouse from other items.
    unit_cost_usd:
        Purchase (or kitting) cost (USD per unit).
    price_usd:
        Reference selling price at a US warehouse (USD per unit); margin = 1 − cost / price.
    weight_kg, volume_m3:
        Per unit.
    supplier_id:
        Default supplier; empty for bundles.
    units_per_week:
        Median weekly demand at a warehouse of market size 1 (units per week).
    slow_mover:
        Long-tail item: intermittent, lumpy demand everywhere.
    season_amplitude, trend_per_year:
        Seasonal swing multiplier and log growth of demand per year.
    pack_size:
        Units per carton.
    bundle_parent, bundle_component, bundle_qty:
        Bill of materials: item indices of the bundle and of the component, and units per bundle.
    """

    item_id: StrArray
    name: StrArray
    category: StrArray
    template: StrArray
    is_bundle: BoolArray
    unit_cost_usd: FloatArray
    price_usd: FloatArray
    weight_kg: FloatArray
    volume_m3: FloatArray
    supplier_id: StrArray
    units_per_week: FloatArray
    slow_mover: BoolArray
    season_amplitude: FloatArray
    trend_per_year: FloatArray
    pack_size: IntArray
    bundle_parent: IntArray
    bundle_component: IntArray
    bundle_qty: IntArray

    @property
    def margin(self) -> FloatArray:
        """Gross margin on the reference price (fraction)."""
        return 1.0 - self.unit_cost_usd / self.price_usd

    def frame(self) -> pd.DataFrame:
        """The catalogue as a frame: item_id, name, category, template, is_bundle, cost, price, margin (USD)."""
        return pd.DataFrame(
            {
                "item_id": pd.array(self.item_id, dtype="string"),
                "name": pd.array(self.name, dtype="string"),
                "category": pd.array(self.category, dtype="string"),
                "template": pd.array(self.template, dtype="string"),
                "is_bundle": self.is_bundle,
                "unit_cost_usd": self.unit_cost_usd,
                "price_usd": self.price_usd,
                "margin": np.round(self.margin, 4),
            }
        )


def _essential_templates(n_bundles: int) -> list[int]:
    """Templates the bundles need, low-margin accessories first, each once."""
    names: list[str] = []
    for k in range(n_bundles):
        for comp, _ in BUNDLE_TEMPLATES[k % len(BUNDLE_TEMPLATES)].components:
            if comp not in names:
                names.append(comp)
    index = {t.name: i for i, t in enumerate(TEMPLATES)}
    ordered = sorted(names, key=lambda n: TEMPLATES[index[n]].category not in LOW_MARGIN_ACCESSORIES)
    return [index[n] for n in ordered]


def _editions(keys: IntArray) -> IntArray:
    """Occurrence number (0, 1, ...) of each key among the equal keys before it."""
    return np.asarray(pd.Series(keys).groupby(keys).cumcount(), dtype=np.int64)


def _edition_suffix(k: int) -> str:
    if k < len(EDITIONS):
        return f" {EDITIONS[k]}" if EDITIONS[k] else ""
    return f" rev {k - len(EDITIONS) + 2}"


@dataclass(frozen=True)
class _Regular:
    """The regular (non-bundle) items in draw order."""

    template: IntArray
    name: list[str]
    category: list[Category]
    cost: FloatArray
    price: FloatArray
    weight: FloatArray
    volume: FloatArray
    units: FloatArray
    slow: BoolArray
    supplier: list[str]


def _draw_regular(n: int, n_bundles: int, suppliers: tuple[Supplier, ...], rng: np.random.Generator) -> _Regular:
    categories = [t.category for t in TEMPLATES]
    per_category = {c: categories.count(c) for c in set(categories)}
    weights = np.array([PROFILES[c].sku_weight / per_category[c] for c in categories])
    essential = _essential_templates(n_bundles)[:n]
    drawn = rng.choice(len(TEMPLATES), size=n - len(essential), p=weights / weights.sum())
    tpl = np.concatenate([np.array(essential, dtype=np.int64), drawn.astype(np.int64)])
    n_variants = np.array([len(t.variants) for t in TEMPLATES])[tpl]
    variant = np.minimum((rng.random(n) * n_variants).astype(np.int64), n_variants - 1)
    rank = variant / np.maximum(n_variants - 1, 1)  # 0 for the cheapest variant, 1 for the dearest
    edition = _editions(tpl * 100 + variant)

    def per_template(values: list[float]) -> FloatArray:
        out: FloatArray = np.asarray(values, dtype=np.float64)[tpl]
        return out

    cost_lo, cost_hi = (
        per_template([t.cost_usd[0] for t in TEMPLATES]),
        per_template([t.cost_usd[1] for t in TEMPLATES]),
    )
    cost = np.round(cost_lo * (cost_hi / cost_lo) ** rank * rng.lognormal(0.0, 0.08, n), 2)
    heavier = (1 + 0.5 * rank) * rng.lognormal(0, 0.05, n)
    cat = [TEMPLATES[t].category for t in tpl]
    margin = rng.uniform([PROFILES[c].margin[0] for c in cat], [PROFILES[c].margin[1] for c in cat])
    slow = rng.random(n) < SLOW_MOVER_SHARE
    units = per_template([t.units_per_week for t in TEMPLATES]) * rng.lognormal(0.0, 0.8, n)
    by_origin = {s.origin: s.supplier_id for s in suppliers}
    second = rng.random(n) < 0.3
    return _Regular(
        template=tpl,
        name=[
            f"{TEMPLATES[t].name} {TEMPLATES[t].variants[v]}{_edition_suffix(int(e))}"
            for t, v, e in zip(tpl, variant, edition, strict=True)
        ],
        category=cat,
        cost=cost,
        price=np.round(cost / (1.0 - margin), 2),
        weight=per_template([t.weight_kg for t in TEMPLATES]) * heavier,
        volume=per_template([t.volume_m3 for t in TEMPLATES]) * heavier,
        units=np.where(slow, units * rng.uniform(0.01, 0.05, n), units),
        slow=slow,
        supplier=[
            by_origin[TEMPLATES[t].origins[1 if two and len(TEMPLATES[t].origins) > 1 else 0]]
            for t, two in zip(tpl, second, strict=True)
        ],
    )


def _draw_bundles(
    items: _Regular, n_bundles: int, rng: np.random.Generator
) -> tuple[list[str], IntArray, IntArray, IntArray]:
    """Bundle names and bill of materials (bundle number, component index, qty).

    Each component is an item of the template's product line (else of its category); no item twice in a kit.
    """
    by_template = pd.Series(np.arange(len(items.template))).groupby(items.template).apply(list).to_dict()
    by_category = (
        pd.Series(np.arange(len(items.category))).groupby([c.value for c in items.category]).apply(list).to_dict()
    )
    index = {t.name: i for i, t in enumerate(TEMPLATES)}
    names: list[str] = []
    bom: list[tuple[int, int, int]] = []
    for b in range(n_bundles):
        template = BUNDLE_TEMPLATES[b % len(BUNDLE_TEMPLATES)]
        names.append(template.name + _edition_suffix(b // len(BUNDLE_TEMPLATES)))
        chosen: set[int] = set()
        for comp_name, comp_qty in template.components:
            k = index[comp_name]
            same = by_template.get(k) or by_category.get(TEMPLATES[k].category.value, [])
            pool = [i for i in same if i not in chosen]
            if pool:
                pick = pool[int(rng.integers(len(pool)))]
                chosen.add(pick)
                bom.append((b, pick, comp_qty))
    parent, component, qty = (np.array([row[j] for row in bom], dtype=np.int64) for j in range(3))
    return names, parent, component, qty


def build_catalog(n_items: int, suppliers: tuple[Supplier, ...], rng: np.random.Generator) -> Catalog:
    """Draw a catalogue of ``n_items`` items, of which one in :data:`ITEMS_PER_BUNDLE` is a bundle.

    Parameters
    ----------
    n_items:
        Number of items including bundles (at least 2).
    suppliers:
        The network's suppliers; each template's origins are mapped to them.
    rng:
        Source of every draw.
    """
    if n_items < 2:
        raise ValueError(f"n_items must be at least 2, got {n_items}")
    n_bundles = max(1, round(n_items / ITEMS_PER_BUNDLE))
    n_regular = n_items - n_bundles
    items = _draw_regular(n_regular, n_bundles, suppliers, rng)
    b_names, kit, component, qty = _draw_bundles(items, n_bundles, rng)

    def kit_sum(values: FloatArray) -> FloatArray:
        return np.bincount(kit, values[component] * qty, n_bundles).astype(np.float64)

    b_cost = np.round(kit_sum(items.cost) + KITTING_COST_USD, 2)
    b_price = np.round(np.maximum(kit_sum(items.price) * BUNDLE_PRICE_FACTOR, b_cost / (1.0 - MIN_BUNDLE_MARGIN)), 2)
    categories = items.category + [Category.BUNDLES] * n_bundles
    order = rng.permutation(n_items)  # item ids in random catalogue order
    inverse = np.empty(n_items, dtype=np.int64)
    inverse[order] = np.arange(n_items)
    width = max(5, len(str(n_items)))

    def arr(values: npt.ArrayLike, dtype: npt.DTypeLike) -> npt.NDArray[Any]:
        return np.asarray(values, dtype=dtype)[order]

    return Catalog(
        item_id=np.array([f"ITM-{i + 1:0{width}d}" for i in range(n_items)]),
        name=arr(items.name + b_names, np.str_),
        category=arr([c.value for c in categories], np.str_),
        template=arr(
            [TEMPLATES[t].name for t in items.template]
            + [BUNDLE_TEMPLATES[b % len(BUNDLE_TEMPLATES)].name for b in range(n_bundles)],
            np.str_,
        ),
        is_bundle=arr(np.arange(n_items) >= n_regular, np.bool_),
        unit_cost_usd=arr(np.concatenate([items.cost, b_cost]), np.float64),
        price_usd=arr(np.concatenate([items.price, b_price]), np.float64),
        weight_kg=arr(np.round(np.concatenate([items.weight, kit_sum(items.weight)]), 3), np.float64),
        volume_m3=arr(np.round(np.concatenate([items.volume, 1.2 * kit_sum(items.volume)]), 5), np.float64),
        supplier_id=arr(items.supplier + [""] * n_bundles, np.str_),
        units_per_week=arr(np.concatenate([items.units, 4.0 * rng.lognormal(0.0, 0.5, n_bundles)]), np.float64),
        slow_mover=arr(np.concatenate([items.slow, np.zeros(n_bundles, dtype=bool)]), np.bool_),
        season_amplitude=arr([PROFILES[c].season_amplitude for c in categories], np.float64)
        * rng.uniform(0.8, 1.2, n_items),
        trend_per_year=arr([PROFILES[c].trend_per_year for c in categories], np.float64)
        + rng.normal(0.0, 0.08, n_items),
        pack_size=arr([PROFILES[c].pack_size for c in categories], np.int64),
        bundle_parent=inverse[kit + n_regular],
        bundle_component=inverse[component],
        bundle_qty=qty,
    )


def nice_price(values: FloatArray, currency: str, *, down: bool = False) -> FloatArray:
    """Round prices to shelf prices: 4.39, 12.99, 129.99 (two decimals) or ¥498, ¥5,980 (JPY).

    Rounding up (the default) leaves a shelf price unchanged; rounding ``down`` gives a shelf price strictly
    below the value, so a promotion price is always below the list price it cuts.

    Parameters
    ----------
    values:
        Raw prices in ``currency`` per unit (positive).
    currency:
        ISO 4217 code; JPY has no minor unit.
    down:
        Round to the shelf price below rather than above.
    """
    eps = 1e-9  # absorbs binary noise: 4.39 / 0.1 must count as 43.9
    rounder = np.floor if down else np.ceil

    def to(step: float | FloatArray, ending: float) -> FloatArray:
        shifted = values / step + (eps if down else -eps)
        return np.asarray(rounder(shifted) * step - ending, dtype=np.float64)

    if currency == "JPY":
        return np.where(values >= 1000, to(100.0, 20.0), to(10.0, 2.0))
    step = np.where(values >= 100, 1.0, np.where(values >= 10, 0.5, 0.1))
    return np.round(to(step, 0.01), 2)


def local_prices(
    catalog: Catalog,
    item: IntArray,
    location: IntArray,
    sites: tuple[Warehouse, ...],
    fx_per_usd: Mapping[str, float],
    rng: np.random.Generator,
) -> FloatArray:
    """Current shelf price of each item-location in the location's currency.

    The US reference price is converted at the latest rate, raised by the region's :data:`PRICE_PREMIUM`,
    moved by a local ±3 % and rounded with :func:`nice_price`.

    Parameters
    ----------
    catalog:
        The items.
    item, location:
        Item and warehouse index of each item-location.
    sites:
        The warehouses (their currency and zone).
    fx_per_usd:
        Units of each currency per USD.
    rng:
        Source of the local deviations.
    """
    rate = np.array([units_per_usd(s.currency, fx_per_usd) for s in sites])
    premium = np.array([PRICE_PREMIUM[s.zone] for s in sites])
    raw = catalog.price_usd[item] * rate[location] * premium[location] * rng.lognormal(0.0, 0.015, len(item))
    out = np.empty(len(item))
    for k, site in enumerate(sites):
        here = location == k
        out[here] = nice_price(raw[here], site.currency)
    return out
