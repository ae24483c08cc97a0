"""Product templates of the demo catalogue: what a consumer-electronics distributor sells, and what it costs.

Static reference data only. Each :class:`ProductTemplate` is one product line ("USB-C charger") with its
variants ("20W", "65W", ...); the catalogue draws items from them. Costs are factory prices in USD, demand is
the median weekly unit sales of one item at a warehouse of market size 1 (Los Angeles). Gross margins follow
the trade: laptops, monitors and commodity cables and chargers earn little, cases and wearables much more.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hedgerow.demo.network import Origin


class Category(StrEnum):
    """Product category of a demo item."""

    PHONE_ACCESSORIES = "Phone accessories"
    CABLES = "Cables"
    CHARGERS = "Chargers & adapters"
    LAPTOPS = "Laptops"
    LAPTOP_ACCESSORIES = "Laptop accessories"
    AUDIO = "Audio"
    WEARABLES = "Wearables"
    PERIPHERALS = "Computer peripherals"
    SMART_HOME = "Smart home"
    STORAGE = "Storage"
    TABLETS = "Tablets"
    TV_VIDEO = "TV & video"
    BUNDLES = "Bundles"


#: Categories of low-margin accessories that bundles cannot be sold without.
LOW_MARGIN_ACCESSORIES: frozenset[Category] = frozenset({Category.CABLES, Category.CHARGERS})


@dataclass(frozen=True)
class CategoryProfile:
    """How a category behaves.

    Attributes
    ----------
    margin:
        Range of gross margin on the selling price (fraction).
    season_amplitude:
        Multiplier of the regional seasonal swing (1 = the region's profile as is; gifts swing more).
    trend_per_year:
        Mean log growth of unit demand per year.
    pack_size:
        Units per carton; orders are whole cartons.
    sku_weight:
        Relative number of SKUs the catalogue holds in the category.
    """

    margin: tuple[float, float]
    season_amplitude: float
    trend_per_year: float
    pack_size: int
    sku_weight: float


PROFILES: dict[Category, CategoryProfile] = {
    Category.PHONE_ACCESSORIES: CategoryProfile((0.42, 0.60), 0.9, 0.04, 50, 1.6),
    Category.CABLES: CategoryProfile((0.08, 0.16), 0.6, 0.03, 100, 1.3),
    Category.CHARGERS: CategoryProfile((0.10, 0.18), 0.7, 0.05, 50, 1.2),
    Category.LAPTOPS: CategoryProfile((0.09, 0.15), 1.0, -0.03, 5, 0.8),
    Category.LAPTOP_ACCESSORIES: CategoryProfile((0.30, 0.45), 0.9, 0.02, 20, 1.0),
    Category.AUDIO: CategoryProfile((0.30, 0.45), 1.4, 0.06, 20, 1.2),
    Category.WEARABLES: CategoryProfile((0.25, 0.38), 1.5, 0.12, 20, 0.8),
    Category.PERIPHERALS: CategoryProfile((0.22, 0.38), 1.0, 0.00, 10, 1.0),
    Category.SMART_HOME: CategoryProfile((0.30, 0.45), 1.2, 0.08, 20, 0.8),
    Category.STORAGE: CategoryProfile((0.18, 0.30), 0.8, -0.02, 50, 0.9),
    Category.TABLETS: CategoryProfile((0.12, 0.20), 1.2, -0.04, 10, 0.5),
    Category.TV_VIDEO: CategoryProfile((0.14, 0.22), 1.4, 0.00, 1, 0.4),
    Category.BUNDLES: CategoryProfile((0.10, 0.30), 1.3, 0.05, 5, 0.0),
}


@dataclass(frozen=True)
class ProductTemplate:
    """One product line.

    Attributes
    ----------
    category, name, variants:
        Item names are ``f"{name} {variant}"``.
    cost_usd:
        Factory cost of the cheapest and of the dearest variant (USD per unit).
    weight_kg, volume_m3:
        Weight (kg) and shipping volume (m³) of one unit of the cheapest variant; dearer variants are heavier.
    units_per_week:
        Median weekly sales of one item at a warehouse of market size 1 (units per week).
    origins:
        Suppliers that make it, the first being the most frequent.
    """

    category: Category
    name: str
    variants: tuple[str, ...]
    cost_usd: tuple[float, float]
    weight_kg: float
    volume_m3: float
    units_per_week: float
    origins: tuple[Origin, ...]


_SZ, _SH, _VN, _MX = Origin.SHENZHEN, Origin.SHANGHAI, Origin.HO_CHI_MINH, Origin.GUADALAJARA
_C = Category
_T = ProductTemplate

TEMPLATES: tuple[ProductTemplate, ...] = (
    _T(_C.PHONE_ACCESSORIES, "Phone case", ("6.1in clear", "6.1in silicone", "6.7in clear", "6.7in leather"), (1.2, 4.5), 0.05, 0.0004, 60, (_SZ, _VN)),
    _T(_C.PHONE_ACCESSORIES, "Screen protector", ("6.1in tempered glass", "6.7in tempered glass", "6.1in privacy"), (0.6, 1.8), 0.03, 0.0002, 80, (_SZ,)),
    _T(_C.PHONE_ACCESSORIES, "Power bank", ("5000mAh", "10000mAh", "20000mAh PD"), (6.0, 17.0), 0.2, 0.0006, 25, (_SZ, _VN)),
    _T(_C.PHONE_ACCESSORIES, "Wireless charger", ("pad 15W", "stand 15W", "3-in-1 stand"), (4.5, 16.0), 0.15, 0.0008, 20, (_SZ,)),
    _T(_C.PHONE_ACCESSORIES, "Car phone mount", ("magnetic", "vent clip"), (2.5, 5.0), 0.1, 0.0006, 18, (_SZ,)),
    _T(_C.CABLES, "USB-C to USB-C cable", ("1m", "2m", "1m braided", "2m 240W"), (0.9, 3.2), 0.04, 0.0002, 110, (_SZ, _VN)),
    _T(_C.CABLES, "USB-C to Lightning cable", ("1m", "2m"), (1.4, 2.4), 0.04, 0.0002, 70, (_SZ,)),
    _T(_C.CABLES, "USB-A to USB-C cable", ("1m", "2m"), (0.7, 1.3), 0.04, 0.0002, 60, (_SZ,)),
    _T(_C.CABLES, "HDMI 2.1 cable", ("1m", "2m", "3m"), (1.8, 3.6), 0.12, 0.0005, 40, (_SZ, _MX)),
    _T(_C.CABLES, "DisplayPort 1.4 cable", ("2m",), (2.6, 2.6), 0.12, 0.0005, 15, (_SZ,)),
    _T(_C.CABLES, "Ethernet Cat6 cable", ("2m", "5m", "10m"), (0.8, 2.6), 0.15, 0.0006, 30, (_SZ, _MX)),
    _T(_C.CABLES, "Thunderbolt 4 cable", ("0.8m", "2m"), (7.5, 14.0), 0.06, 0.0002, 10, (_SH,)),
    _T(_C.CHARGERS, "USB-C charger", ("20W", "30W", "45W", "65W", "100W GaN"), (3.2, 16.0), 0.1, 0.0003, 70, (_SZ, _VN)),
    _T(_C.CHARGERS, "USB-C laptop power adapter", ("65W", "90W", "140W"), (9.0, 24.0), 0.3, 0.0008, 22, (_SZ, _SH)),
    _T(_C.CHARGERS, "Travel adapter", ("universal", "EU/UK/US 3-pack"), (3.5, 6.0), 0.15, 0.0005, 20, (_SZ,)),
    _T(_C.CHARGERS, "Car charger", ("dual USB-C 40W",), (3.8, 3.8), 0.05, 0.0002, 25, (_SZ,)),
    _T(_C.CHARGERS, "USB-C to HDMI adapter", ("4K60", "8K60"), (3.5, 8.0), 0.04, 0.0002, 25, (_SZ,)),
    _T(_C.CHARGERS, "USB-C to Ethernet adapter", ("1G", "2.5G"), (4.0, 8.5), 0.05, 0.0002, 12, (_SZ,)),
    _T(_C.LAPTOPS, "Laptop 14in", ("i5 16GB 512GB", "i7 16GB 1TB", "Ryzen 5 16GB 512GB"), (420, 720), 1.4, 0.008, 9, (_SH,)),
    _T(_C.LAPTOPS, "Ultrabook 13in", ("i5 8GB 256GB", "i7 16GB 512GB"), (520, 860), 1.1, 0.006, 6, (_SH,)),
    _T(_C.LAPTOPS, "Gaming laptop 15.6in", ("RTX 4060", "RTX 4070"), (780, 1150), 2.3, 0.012, 4, (_SH, _SZ)),
    _T(_C.LAPTOPS, "Chromebook 11.6in", ("4GB 64GB", "8GB 128GB"), (150, 210), 1.1, 0.006, 10, (_SH,)),
    _T(_C.LAPTOPS, "Laptop 16in", ("i7 32GB 1TB",), (980, 980), 2.0, 0.011, 3, (_SH,)),
    _T(_C.LAPTOP_ACCESSORIES, "USB-C hub", ("5-in-1", "7-in-1", "10-in-1"), (7.0, 19.0), 0.1, 0.0004, 30, (_SZ,)),
    _T(_C.LAPTOP_ACCESSORIES, "Docking station", ("USB-C dual 4K", "Thunderbolt 4"), (38.0, 95.0), 0.6, 0.003, 8, (_SH, _SZ)),
    _T(_C.LAPTOP_ACCESSORIES, "Laptop sleeve", ("13in", "14in", "16in"), (4.0, 6.5), 0.25, 0.002, 20, (_VN,)),
    _T(_C.LAPTOP_ACCESSORIES, "Laptop stand", ("aluminium", "foldable"), (6.0, 14.0), 0.8, 0.003, 14, (_SZ,)),
    _T(_C.LAPTOP_ACCESSORIES, "Laptop backpack", ("15.6in", "17in"), (11.0, 16.0), 0.9, 0.012, 10, (_VN,)),
    _T(_C.AUDIO, "Wireless earbuds", ("basic", "ANC", "sport", "pro ANC"), (9.0, 48.0), 0.06, 0.0004, 35, (_VN, _SZ)),
    _T(_C.AUDIO, "Noise-cancelling headphones", ("on-ear", "over-ear"), (38.0, 85.0), 0.3, 0.004, 10, (_VN,)),
    _T(_C.AUDIO, "Bluetooth speaker", ("mini", "portable", "party"), (9.0, 75.0), 0.4, 0.003, 14, (_VN, _SZ)),
    _T(_C.AUDIO, "Soundbar", ("2.0", "2.1 with subwoofer"), (55.0, 120.0), 3.5, 0.04, 4, (_VN, _MX)),
    _T(_C.AUDIO, "USB microphone", ("cardioid", "podcast kit"), (22.0, 48.0), 0.6, 0.004, 6, (_SZ,)),
    _T(_C.AUDIO, "Wired earphones", ("USB-C", "3.5mm"), (2.2, 3.0), 0.03, 0.0002, 30, (_SZ,)),
    _T(_C.WEARABLES, "Smartwatch", ("40mm", "44mm", "LTE 44mm"), (55.0, 120.0), 0.08, 0.0008, 12, (_SZ, _VN)),
    _T(_C.WEARABLES, "Fitness band", ("basic", "AMOLED"), (12.0, 24.0), 0.04, 0.0004, 16, (_SZ,)),
    _T(_C.WEARABLES, "Smart ring", ("titanium",), (95.0, 95.0), 0.02, 0.0002, 3, (_SZ,)),
    _T(_C.WEARABLES, "Watch strap", ("silicone 41mm", "silicone 45mm", "milanese 45mm"), (1.5, 4.0), 0.03, 0.0002, 25, (_SZ, _VN)),
    _T(_C.PERIPHERALS, "Wireless mouse", ("compact", "ergonomic", "gaming"), (4.5, 19.0), 0.1, 0.0006, 30, (_VN, _SZ)),
    _T(_C.PERIPHERALS, "Mechanical keyboard", ("TKL", "full-size", "75% wireless"), (22.0, 45.0), 0.9, 0.004, 10, (_SZ,)),
    _T(_C.PERIPHERALS, "Webcam", ("1080p", "4K"), (11.0, 38.0), 0.2, 0.001, 12, (_SZ,)),
    _T(_C.PERIPHERALS, "Monitor 24in", ("FHD IPS", "FHD 165Hz"), (72.0, 98.0), 3.8, 0.035, 8, (_MX, _SH)),
    _T(_C.PERIPHERALS, "Monitor 27in", ("QHD IPS", "4K USB-C"), (135.0, 210.0), 5.2, 0.05, 6, (_MX, _SH)),
    _T(_C.PERIPHERALS, "Mouse pad", ("XL", "wrist rest"), (1.5, 3.0), 0.3, 0.001, 18, (_VN,)),
    _T(_C.SMART_HOME, "Smart plug", ("single", "4-pack"), (4.0, 13.0), 0.1, 0.0008, 25, (_SZ, _MX)),
    _T(_C.SMART_HOME, "Wi-Fi mesh router", ("2-pack Wi-Fi 6", "3-pack Wi-Fi 7"), (55.0, 160.0), 1.2, 0.008, 7, (_MX, _SZ)),
    _T(_C.SMART_HOME, "Security camera", ("indoor", "outdoor"), (14.0, 32.0), 0.3, 0.0015, 12, (_SZ, _MX)),
    _T(_C.SMART_HOME, "Smart bulb", ("E27 colour", "GU10 white"), (3.0, 5.0), 0.08, 0.0004, 28, (_SZ,)),
    _T(_C.SMART_HOME, "Video doorbell", ("battery", "wired"), (24.0, 38.0), 0.4, 0.002, 8, (_SZ, _MX)),
    _T(_C.STORAGE, "microSD card", ("64GB", "128GB", "256GB", "512GB"), (3.5, 22.0), 0.01, 0.00005, 45, (_SH, _SZ)),
    _T(_C.STORAGE, "Portable SSD", ("500GB", "1TB", "2TB"), (32.0, 95.0), 0.06, 0.0002, 14, (_SH,)),
    _T(_C.STORAGE, "USB flash drive", ("32GB", "64GB", "128GB"), (2.2, 6.5), 0.01, 0.00005, 35, (_SH, _SZ)),
    _T(_C.STORAGE, "External HDD", ("2TB", "4TB"), (48.0, 78.0), 0.25, 0.0008, 9, (_SH,)),
    _T(_C.TABLETS, "Tablet 10in", ("64GB", "128GB"), (95.0, 125.0), 0.5, 0.002, 9, (_SH,)),
    _T(_C.TABLETS, "Tablet 11in Pro", ("256GB", "512GB"), (280.0, 360.0), 0.5, 0.002, 5, (_SH,)),
    _T(_C.TABLETS, "E-reader 6in", ("basic", "waterproof"), (48.0, 72.0), 0.2, 0.001, 7, (_SH,)),
    _T(_C.TV_VIDEO, "TV 4K", ("43in", "55in", "65in"), (170.0, 420.0), 9.0, 0.12, 5, (_MX,)),
    _T(_C.TV_VIDEO, "Streaming stick", ("HD", "4K"), (14.0, 24.0), 0.06, 0.0004, 20, (_MX, _SZ)),
    _T(_C.TV_VIDEO, "Projector", ("mini 1080p",), (95.0, 95.0), 1.4, 0.008, 3, (_SZ,)),
)  # fmt: skip


@dataclass(frozen=True)
class BundleTemplate:
    """A kit sold as one item: its name and components as ``(product template name, qty per bundle)``."""

    name: str
    components: tuple[tuple[str, int], ...]


BUNDLE_TEMPLATES: tuple[BundleTemplate, ...] = (
    BundleTemplate(
        "Laptop starter kit",
        (("Laptop 14in", 1), ("USB-C laptop power adapter", 1), ("USB-C to USB-C cable", 1), ("Laptop sleeve", 1)),
    ),
    BundleTemplate(
        "Phone essentials kit",
        (("USB-C charger", 1), ("USB-C to USB-C cable", 2), ("Screen protector", 2), ("Phone case", 1)),
    ),
    BundleTemplate(
        "Home office kit",
        (("Monitor 27in", 1), ("HDMI 2.1 cable", 1), ("Mechanical keyboard", 1), ("Wireless mouse", 1), ("Webcam", 1)),
    ),
    BundleTemplate(
        "Streaming creator kit",
        (("USB microphone", 1), ("Webcam", 1), ("USB-C hub", 1), ("USB-C to USB-C cable", 2)),
    ),
    BundleTemplate(
        "Travel tech kit",
        (("Travel adapter", 1), ("Power bank", 1), ("USB-C charger", 1), ("USB-C to USB-C cable", 1)),
    ),
    BundleTemplate(
        "Smart home starter kit",
        (("Smart plug", 1), ("Smart bulb", 2), ("Wi-Fi mesh router", 1), ("Ethernet Cat6 cable", 1)),
    ),
)

#: Editions that tell apart items drawn from the same template and variant (colours first, then revisions).
EDITIONS: tuple[str, ...] = ("", "black", "white", "graphite", "blue", "silver", "green", "rose", "sand")
