"""Bundles pull demand through to their components.

Selling one bundle at a location consumes ``qty_per_bundle`` units of each component at that location
(contract table ``bundles``). A component's demand paths are therefore its own paths plus, scenario by
scenario, ``qty_per_bundle`` times the paths of every bundle that contains it at the same location. Bundle
paths are drawn from the bundle's own random streams, so the pull-through of a scenario is the same number
whether the bundle is sampled alone or with its components. One level of nesting is resolved (a bundle inside
a bundle is not expanded further).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hedgerow.errors import DemandDataError


@dataclass(frozen=True)
class BundleLinks:
    """Which bundles each component belongs to.

    Attributes
    ----------
    components:
        component item_id → tuple of (bundle item_id, qty_per_bundle).
    """

    components: dict[str, tuple[tuple[str, float], ...]]

    @staticmethod
    def empty() -> BundleLinks:
        """No bundles."""
        return BundleLinks({})

    @staticmethod
    def from_frame(bundles: pd.DataFrame | None) -> BundleLinks:
        """Build the links from a bundles table (bundle_item_id, component_item_id, qty_per_bundle).

        Raises
        ------
        DemandDataError
            When a column is missing or a quantity is not positive.
        """
        if bundles is None or bundles.empty:
            return BundleLinks.empty()
        needed = ("bundle_item_id", "component_item_id", "qty_per_bundle")
        missing = [c for c in needed if c not in bundles.columns]
        if missing:
            raise DemandDataError(f"bundles: the following columns are missing: {', '.join(missing)}")
        links: dict[str, list[tuple[str, float]]] = {}
        for bundle, component, qty in bundles.loc[:, list(needed)].itertuples(index=False):
            q = float(qty)
            if not q > 0:
                raise DemandDataError(
                    f"bundles: qty_per_bundle of {component!r} in {bundle!r} must be positive, got {qty!r}"
                )
            if str(bundle) == str(component):
                raise DemandDataError(f"bundles: {bundle!r} lists itself as a component")
            links.setdefault(str(component), []).append((str(bundle), q))
        return BundleLinks({k: tuple(v) for k, v in links.items()})

    def bundles_of(self, component_item_id: str) -> tuple[tuple[str, float], ...]:
        """Bundles (item_id, qty per bundle) that contain the component."""
        return self.components.get(component_item_id, ())

    def implied_series(self, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Component item-locations implied by bundles sold at a location but missing from ``pairs``."""
        by_location: dict[str, set[str]] = {}
        for item, loc in pairs:
            by_location.setdefault(loc, set()).add(item)
        implied: set[tuple[str, str]] = set()
        for component, members in self.components.items():
            for bundle, _ in members:
                for loc, items in by_location.items():
                    if bundle in items and component not in items:
                        implied.add((component, loc))
        return implied
