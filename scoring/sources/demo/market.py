"""Market vocabulary of the demo data: industries, countries and regions, company names, competitors."""

from __future__ import annotations

import numpy as np

from scoring.sources.demo.vocab import distinct_words

# (industry, share of accounts, hidden fit in logit points, revenue per employee in USD)
INDUSTRIES: tuple[tuple[str, float, float, float], ...] = (
    ("Software", 0.20, 0.7, 260_000),
    ("Fintech", 0.07, 0.6, 320_000),
    ("Financial Services", 0.08, 0.3, 380_000),
    ("E-commerce", 0.07, 0.4, 300_000),
    ("Telecommunications", 0.04, 0.2, 420_000),
    ("Media", 0.05, 0.1, 220_000),
    ("Professional Services", 0.09, 0.2, 180_000),
    ("Healthcare", 0.07, 0.0, 200_000),
    ("Manufacturing", 0.08, -0.1, 310_000),
    ("Insurance", 0.04, 0.1, 450_000),
    ("Logistics", 0.04, 0.0, 240_000),
    ("Retail", 0.05, -0.1, 190_000),
    ("Energy", 0.03, -0.3, 600_000),
    ("Education", 0.04, -0.9, 90_000),
    ("Government", 0.03, -1.0, 120_000),
    ("Nonprofit", 0.02, -1.2, 70_000),
)
INDUSTRY_NAMES = np.array([i[0] for i in INDUSTRIES], dtype=object)
INDUSTRY_SHARES = np.array([i[1] for i in INDUSTRIES]) / sum(i[1] for i in INDUSTRIES)
INDUSTRY_FIT = np.array([i[2] for i in INDUSTRIES])
INDUSTRY_REVENUE_PER_EMPLOYEE = np.array([i[3] for i in INDUSTRIES])

REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_FIT = np.array([0.2, 0.1, -0.1, -0.4])

# (ISO country, region, share of accounts, served by sales, phone prefix)
COUNTRIES: tuple[tuple[str, str, float, bool, str], ...] = (
    ("US", "NA", 0.40, True, "+1"),
    ("CA", "NA", 0.05, True, "+1"),
    ("GB", "EMEA", 0.09, True, "+44"),
    ("DE", "EMEA", 0.07, True, "+49"),
    ("FR", "EMEA", 0.05, True, "+33"),
    ("NL", "EMEA", 0.03, True, "+31"),
    ("SE", "EMEA", 0.02, True, "+46"),
    ("ES", "EMEA", 0.02, True, "+34"),
    ("IT", "EMEA", 0.02, True, "+39"),
    ("IE", "EMEA", 0.015, True, "+353"),
    ("CH", "EMEA", 0.01, True, "+41"),
    ("PL", "EMEA", 0.015, True, "+48"),
    ("AE", "EMEA", 0.01, True, "+971"),
    ("ZA", "EMEA", 0.01, False, "+27"),
    ("NG", "EMEA", 0.01, False, "+234"),
    ("IN", "APAC", 0.05, True, "+91"),
    ("AU", "APAC", 0.03, True, "+61"),
    ("SG", "APAC", 0.015, True, "+65"),
    ("JP", "APAC", 0.015, True, "+81"),
    ("PK", "APAC", 0.01, False, "+92"),
    ("BR", "LATAM", 0.03, True, "+55"),
    ("MX", "LATAM", 0.02, True, "+52"),
    ("AR", "LATAM", 0.01, False, "+54"),
    ("CO", "LATAM", 0.01, False, "+57"),
)
COUNTRY_CODES = np.array([c[0] for c in COUNTRIES], dtype=object)
COUNTRY_REGION = np.array([REGIONS.index(c[1]) for c in COUNTRIES])
COUNTRY_SHARES = np.array([c[2] for c in COUNTRIES]) / sum(c[2] for c in COUNTRIES)
COUNTRY_SERVED = np.array([c[3] for c in COUNTRIES])
COUNTRY_PHONE = np.array([c[4] for c in COUNTRIES])
REGION_NAMES = np.array(REGIONS, dtype=object)

# Company size segments by employees: SMB < 100 <= mid-market < 1000 <= enterprise.
SEGMENT_BOUNDS = np.array([100, 1000])
SEGMENTS = ("SMB", "MM", "ENT")

# Company names are two words; the domain is a pseudo-random bijection of the account's global index
# onto (head, tail, slot), so domains are unique across chunks without a lookup. Every slot is a distinct
# (prefix, top-level domain) pair; .com is more common because more slots use it.
NAME_HEADS = distinct_words(
    """blue red green silver north south east west bright clear swift quick true prime core open
    deep high iron stone oak pine cedar maple river lake ocean harbor summit peak ridge valley field cloud
    sky star sun moon nova astro quantum pixel byte data signal vector matrix logic metric insight lumen
    spark flux pulse wave echo orbit zen arc apex atlas beacon bold brave cobalt coral crimson crystal
    delta ember falcon fox golden granite hawk horizon indigo ivy jade juniper keystone kite lantern lion
    maven meridian mint nimbus noble onyx opal orchid pacific pilot polar quartz radiant raven sage
    scarlet shore sierra solar sterling storm terra tidal timber topaz trail vantage velvet verde vista
    willow wolf zenith amber aspen birch bison copper dune elm fern glacier heron jasper lotus marble
    nectar olive pebble prairie quill reef saffron sparrow thistle tundra umber vale wren yonder anchor
    bridge canyon compass acorn alpine arrow aurora basalt bay blaze bloom bolt breeze brook cairn cargo
    cascade cipher citadel clover comet condor crest current cypress dawn drift eagle east elder ether
    fable fathom fjord flint forest frontier garnet gemini grove gulf helix hollow icon island kestrel
    lark ledger lumina magnet mesa mirror monarch mosaic nautilus nexus north oasis omega osprey otter
    paragon patch pebble phoenix pinnacle plaza prism puma radius rain rapid relay rocket rover ruby
    saga sapphire sextant shadow signal slate sonic spruce summit tandem tango thunder titan torch
    trident tulip unity upland vertex viking violet vivid voyager walnut whale wild"""
)
NAME_TAILS = distinct_words(
    """works labs logic ly base stack hub forge point path line grid bit shift scale flow sync
    loop mark wise bridge gate wave field craft mint nest port ware sense soft tech systems data cloud
    cast link net worx metrics view sight ops desk box core kit lane leaf rock stone well wood vale bay
    dale ford haven land light mind quest ridge root seed side sphere spring star storm stream tide
    tower trail tree vault verse vision wing yard zone able ai io ify hq one now plus pro go x analytics
    apps bank beam cart chain check deck dock edge engine fuel garden gen grow health house lab layer
    leap lens loft matic media motion nation node pay place pulse rise route shop signal space stats
    studio suite team trust venture works zen"""
)
DOMAIN_SLOTS: tuple[tuple[str, str], ...] = (
    ("", ".com"),
    ("get", ".com"),
    ("try", ".com"),
    ("use", ".com"),
    ("go", ".com"),
    ("hello", ".com"),
    ("", ".io"),
    ("", ".co"),
    ("", ".net"),
    ("", ".de"),
    ("", ".co.uk"),
    ("", ".fr"),
    ("", ".app"),
    ("", ".tech"),
)
NAME_SUFFIXES = np.array(
    [
        "",
        "",
        " Inc.",
        " Labs",
        " Systems",
        " Group",
        " Technologies",
        " GmbH",
        " Ltd",
        " Solutions",
    ],
    dtype=object,
)

# Competitors: a few accounts whose contacts sign up to look at the product.
COMPETITORS: tuple[tuple[str, str, str, int], ...] = (
    ("LeadLadder", "leadladder.ai", "US", 420),
    ("Scorewright", "scorewright.com", "US", 180),
    ("FunnelOwl", "funnelowl.io", "GB", 95),
    ("PipeSage", "pipesage.com", "DE", 260),
    ("Qualyx", "qualyx.ai", "FR", 60),
)
