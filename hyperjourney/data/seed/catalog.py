"""Northwind Goods catalog: footwear and outdoor apparel with fit notes, support features and age gates.

Core models and prices match the knowledge base (product-goods-catalog.md) so answers grounded in
the docs agree with the orders; variants (gender, colour) bring the catalog to about 150 products.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any

from hyperjourney.data.ingest.rows import ProductRow

CENT = Decimal("0.01")

# (model, category, US price, attributes, popularity): popularity is relative demand before variants split it.
_MODELS: tuple[tuple[str, str, float, dict[str, Any], float], ...] = (
    (
        "Stratus Support",
        "running_shoes",
        139,
        {
            "supports": ["flat_feet", "overpronation"],
            "features": ["stability", "removable_footbed"],
            "fit": "true_to_size",
            "widths": ["D", "2E"],
        },
        10,
    ),
    ("Stratus Neutral", "running_shoes", 129, {"features": ["cushioned"], "fit": "true_to_size"}, 9),
    ("Switchback Trail", "running_shoes", 145, {"features": ["trail", "rock_plate"], "fit": "narrow_forefoot"}, 6),
    ("Tempo Racer", "running_shoes", 159, {"features": ["lightweight", "carbon_plate"], "fit": "true_to_size"}, 3),
    ("Pacer Daily", "running_shoes", 99, {"features": ["cushioned"], "fit": "true_to_size"}, 5),
    ("Glide Max", "running_shoes", 169, {"features": ["max_cushion"], "fit": "true_to_size"}, 3),
    (
        "Ridge Hiker",
        "hiking_boots",
        179,
        {"features": ["waterproof", "leather"], "fit": "runs_small", "widths": ["D", "2E"]},
        7,
    ),
    ("Ridge Hiker Low", "hiking_boots", 149, {"features": ["waterproof"], "fit": "runs_small"}, 5),
    (
        "Summit Expedition Boot",
        "hiking_boots",
        289,
        {"features": ["waterproof", "crampon_compatible"], "fit": "runs_small"},
        1,
    ),
    ("Canyon Trail Sandal", "hiking_boots", 69, {"features": ["quick_dry"], "fit": "true_to_size"}, 2),
    (
        "Harbor Walker",
        "walking_work_shoes",
        119,
        {
            "supports": ["flat_feet", "orthotics"],
            "features": ["extra_depth", "removable_footbed"],
            "fit": "true_to_size",
            "widths": ["D", "2E", "4E"],
        },
        7,
    ),
    (
        "Shift Pro",
        "walking_work_shoes",
        109,
        {"supports": ["orthotics"], "features": ["slip_resistant", "removable_footbed"], "fit": "true_to_size"},
        6,
    ),
    ("Harbor Slip-On", "walking_work_shoes", 89, {"features": ["easy_on"], "fit": "true_to_size"}, 3),
    ("Cityline Sneaker", "walking_work_shoes", 95, {"features": ["lightweight"], "fit": "true_to_size"}, 3),
    ("Arch Support Insole", "insoles", 39, {"supports": ["flat_feet", "overpronation"]}, 4),
    ("Cushion Insole", "insoles", 24, {}, 2),
    ("Squall Shell Jacket", "jackets", 189, {"features": ["waterproof", "pit_zips"], "fit": "regular"}, 5),
    ("Cascade Down Jacket", "jackets", 229, {"features": ["650_fill_down", "packable"], "fit": "regular"}, 4),
    ("Summit Parka", "jackets", 299, {"features": ["waterproof", "insulated"], "fit": "relaxed"}, 1),
    ("Gust Windbreaker", "jackets", 79, {"features": ["packable"], "fit": "regular"}, 2),
    ("Trailhead Fleece", "layers", 89, {"fit": "regular"}, 5),
    ("Tempo Run Tee", "layers", 38, {"features": ["quick_dry"], "fit": "slim"}, 6),
    ("Merino Base Layer", "layers", 69, {"features": ["merino"], "fit": "slim"}, 2),
    ("Stride Run Tights", "layers", 59, {"fit": "slim"}, 2),
    ("Switchback Hiking Pants", "layers", 79, {"features": ["stretch"], "fit": "regular"}, 2),
    ("Merino Trail Sock", "socks", 18, {"features": ["merino"]}, 8),
    ("Merino Trail Sock 3-Pack", "socks", 48, {"features": ["merino"]}, 4),
    ("Cushion Run Sock", "socks", 14, {}, 7),
    ("Cushion Run Sock 3-Pack", "socks", 36, {}, 4),
    ("Liner Sock", "socks", 12, {}, 2),
    ("Trail Cap", "accessories", 28, {}, 3),
    ("Merino Beanie", "accessories", 24, {}, 2),
    ("Trail Gaiters", "accessories", 35, {}, 1),
    ("Beacon Headlamp", "accessories", 45, {}, 2),
    ("Insulated Bottle", "accessories", 22, {}, 3),
    ("Stride Running Belt", "accessories", 32, {}, 2),
    ("Carbon Trekking Poles", "accessories", 129, {}, 1),
    ("Replacement Laces", "accessories", 8, {}, 2),
    ("Shoe Care Kit", "accessories", 19, {}, 1),
    ("Ridgeline Daypack 24L", "accessories", 99, {}, 2),
    ("Fieldcraft Fixed-Blade Knife", "camp_tools", 59, {"age_gated_reason": "knife"}, 1),
    ("Trail Pocket Knife", "camp_tools", 39, {"age_gated_reason": "knife"}, 1.5),
    ("Bear Deterrent Spray", "camp_tools", 52, {"age_gated_reason": "spray"}, 0.5),
)
FOOTWEAR = ("running_shoes", "hiking_boots", "walking_work_shoes")
_GENDERED = (*FOOTWEAR, "jackets", "layers")
_COLOURS = ("Slate", "Moss", "Ember", "Glacier", "Night", "Sand")
_MARGINS = {
    "running_shoes": (0.35, 0.5),
    "hiking_boots": (0.35, 0.5),
    "walking_work_shoes": (0.35, 0.5),
    "insoles": (0.5, 0.6),
    "jackets": (0.4, 0.55),
    "layers": (0.45, 0.6),
    "socks": (0.5, 0.6),
    "accessories": (0.25, 0.55),
    "camp_tools": (0.25, 0.4),
}
_SIZES = {
    "running_shoes": "7-15 men, 5-12 women",
    "hiking_boots": "7-15 men, 5-12 women",
    "walking_work_shoes": "7-15 men, 5-12 women",
    "jackets": "XS-XXL",
    "layers": "XS-XXL",
    "socks": "S-XL",
}


@dataclass(frozen=True)
class Catalog:
    products: list[ProductRow]
    popularity: list[float]

    def cum_weights(self, boost: dict[str, float] | None = None, *, adults_only_ok: bool = True) -> list[float]:
        """Cumulative choice weights; ``boost`` multiplies by category or support tag, minors never get gated items."""
        weights = []
        for product, pop in zip(self.products, self.popularity, strict=True):
            w = pop
            if boost:
                w *= boost.get(product.category, 1.0)
                for tag in product.attributes.get("supports", ()):
                    w *= boost.get(tag, 1.0)
            if product.age_gated and not adults_only_ok:
                w = 0.0
            weights.append(w)
        return list(accumulate(weights))


def build_catalog(rng: random.Random) -> Catalog:
    products: list[ProductRow] = []
    popularity: list[float] = []
    for model, category, price, attrs, pop in _MODELS:
        genders = ("men", "women") if category in _GENDERED else ("",)
        # Best sellers come in more colourways.
        colours = rng.sample(
            _COLOURS, k=1 if category in ("insoles", "camp_tools") else 3 if pop >= 5 else 2 if pop >= 2 else 1
        )
        for gender in genders:
            for i, colour in enumerate(colours):
                label = ", ".join(x for x in (f"{gender.title()}'s" if gender else "", colour) if x)
                product_id = f"sku_{len(products) + 1:04d}"
                unit = Decimal(str(price)) * (Decimal("1.1") if i == 2 else 1)  # third colourway: limited edition
                low, high = _MARGINS[category]
                margin = rng.uniform(low, high) if i < 2 else rng.uniform(0.15, low)
                inventory = 0 if rng.random() < 0.06 else int(rng.lognormvariate(4.5, 1.0))
                attributes = {
                    "model": f"Northwind {model}",
                    **({"gender": gender} if gender else {}),
                    "colour": colour.lower(),
                    **({"sizes": _SIZES[category]} if category in _SIZES else {}),
                    **attrs,
                }
                products.append(
                    ProductRow(
                        product_id=product_id,
                        name=f"Northwind {model} ({label})",
                        category=category,
                        price=unit.quantize(CENT),
                        margin=Decimal(f"{margin:.4f}"),
                        inventory=inventory,
                        age_gated="age_gated_reason" in attrs,
                        attributes=attributes,
                    )
                )
                popularity.append(pop / len(genders) * rng.uniform(0.5, 1.5) / (1 + i))
    return Catalog(products, popularity)
