"""Tenant ids with a skewed, Zipf-like share of the traffic."""

TENANTS = (
    "acme-logistics", "northwind-health", "globex-retail", "initech-finance", "umbrella-travel",
    "contoso-telecom", "hooli-cloud", "stark-industrial", "wayne-legal", "cyberdyne-ops",
    "soylent-foods", "tyrell-biotech", "vandelay-imports", "wonka-confections", "pied-piper-data",
    "massive-dynamic", "oscorp-labs", "gringotts-bank", "monarch-insurance", "blue-sun-energy",
    "aperture-research", "black-mesa-hr", "dunder-mifflin", "sterling-cooper", "prestige-worldwide",
    "bluth-homes", "los-pollos-dispatch", "krusty-kitchens", "nakatomi-trading", "weyland-shipping",
    "zorg-manufacturing", "ollivander-retail", "paper-street-soap", "rekall-travel", "duff-beverages",
    "mooby-foods", "gekko-capital", "spacely-sprockets", "cogswell-cogs", "planet-express",
    "lacuna-clinics", "virtucon-media", "tricell-pharma", "yoyodyne-aero", "frobozz-games",
)

# Zipf exponent ~1.1: a few tenants dominate, a long tail sends a handful of traces.
TENANT_WEIGHTS = tuple(1.0 / (rank ** 1.1) for rank in range(1, len(TENANTS) + 1))


def tenant_display_name(tenant_id):
    return " ".join(w.capitalize() for w in tenant_id.split("-"))
