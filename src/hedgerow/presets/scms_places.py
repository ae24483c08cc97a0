"""Destination countries of the SCMS data as ISO 3166-1 alpha-2 codes and broad regions.

The table covers every country name of the SCMS shipment history (as spelled there, e.g. "Congo, DRC");
a name not listed maps to no code, and the preset then writes country ``ZZ`` and reports the name.
"""

from __future__ import annotations

AFRICA = "Africa"
AMERICAS = "Latin America & Caribbean"
ASIA = "Asia"
MIDDLE_EAST = "Middle East"

#: SCMS country name → (ISO 3166-1 alpha-2, region).
COUNTRIES: dict[str, tuple[str, str]] = {
    "Afghanistan": ("AF", ASIA),
    "Angola": ("AO", AFRICA),
    "Belize": ("BZ", AMERICAS),
    "Benin": ("BJ", AFRICA),
    "Botswana": ("BW", AFRICA),
    "Burkina Faso": ("BF", AFRICA),
    "Burundi": ("BI", AFRICA),
    "Cameroon": ("CM", AFRICA),
    "Congo, DRC": ("CD", AFRICA),
    "Côte d'Ivoire": ("CI", AFRICA),
    "Dominican Republic": ("DO", AMERICAS),
    "Ethiopia": ("ET", AFRICA),
    "Ghana": ("GH", AFRICA),
    "Guatemala": ("GT", AMERICAS),
    "Guinea": ("GN", AFRICA),
    "Guyana": ("GY", AMERICAS),
    "Haiti": ("HT", AMERICAS),
    "Kazakhstan": ("KZ", ASIA),
    "Kenya": ("KE", AFRICA),
    "Kyrgyzstan": ("KG", ASIA),
    "Lebanon": ("LB", MIDDLE_EAST),
    "Lesotho": ("LS", AFRICA),
    "Liberia": ("LR", AFRICA),
    "Libya": ("LY", AFRICA),
    "Malawi": ("MW", AFRICA),
    "Mali": ("ML", AFRICA),
    "Mozambique": ("MZ", AFRICA),
    "Namibia": ("NA", AFRICA),
    "Nigeria": ("NG", AFRICA),
    "Pakistan": ("PK", ASIA),
    "Rwanda": ("RW", AFRICA),
    "Senegal": ("SN", AFRICA),
    "Sierra Leone": ("SL", AFRICA),
    "South Africa": ("ZA", AFRICA),
    "South Sudan": ("SS", AFRICA),
    "Sudan": ("SD", AFRICA),
    "Swaziland": ("SZ", AFRICA),
    "Tanzania": ("TZ", AFRICA),
    "Togo": ("TG", AFRICA),
    "Uganda": ("UG", AFRICA),
    "Vietnam": ("VN", ASIA),
    "Zambia": ("ZM", AFRICA),
    "Zimbabwe": ("ZW", AFRICA),
}


def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of an SCMS country name, or None when the name is not in the table."""
    entry = COUNTRIES.get(name.strip())
    return entry[0] if entry else None


def region_of(name: str) -> str:
    """Broad region of an SCMS country name ("Unknown" when the name is not in the table)."""
    entry = COUNTRIES.get(name.strip())
    return entry[1] if entry else "Unknown"
