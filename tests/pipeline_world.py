"""A generated CRM pipeline export (the shape of the `sales_pipeline` profile), for the import tests.

Accounts have no domains (known by name, one a subsidiary of another), one product is spelled two
ways ("GTX Pro" in the price list, "GTXPro" on two deals), early deals have no account, agents sit
in regional offices. Every count a test asserts is fixed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sources_world import write_csv

ACCOUNTS = (
    ("Acme Corporation", "technolgy", "1978", "1100.04", "2822", "United States", ""),
    ("Betasoloin", "medical", "1999", "251.41", "495", "Kenya", ""),
    ("Bubba Gump", "software", "2002", "987.39", "2253", "United States", ""),
    ("Cancity", "retail", "2001", "718.62", "2448", "United States", "Bubba Gump"),
    ("Dambase", "marketing", "1995", "2173.98", "4112", "Japan", ""),
    ("Kan-code", "software", "1982", "11698.03", "34288", "Kenya", "Acme Corporation"),
)
PRODUCTS = (
    ("GTX Basic", "GTX", "550"),
    ("GTX Pro", "GTX", "4821"),
    ("MG Special", "MG", "55"),
    ("GTK 500", "GTK", "26768"),
)
AGENTS = (
    ("Moses Frase", "Dustin Brinkmann", "Central"),
    ("Darcel Schlecht", "Melvin Marxen", "Central"),
    ("Zane Levy", "Summer Sewald", "West"),
    ("Maureen Marcano", "Summer Sewald", "West"),
    ("Versie Hillebrand", "Rocco Neubert", "East"),
)
DEALS = (
    ("1C1I7A6R", "Moses Frase", "GTX Basic", "Cancity", "Won", "2016-10-20", "2017-03-01", "1054"),
    (
        "Z063OYW0",
        "Darcel Schlecht",
        "GTXPro",
        "Acme Corporation",
        "Won",
        "2016-10-25",
        "2017-03-11",
        "4514",
    ),
    (
        "EC4QE1BX",
        "Darcel Schlecht",
        "MG Special",
        "Acme Corporation",
        "Won",
        "2016-10-25",
        "2017-03-07",
        "50",
    ),
    (
        "MV1LWRNH",
        "Moses Frase",
        "GTX Basic",
        "Acme Corporation",
        "Lost",
        "2016-10-25",
        "2017-03-09",
        "0",
    ),
    ("PE84CX4O", "Zane Levy", "GTX Pro", "Kan-code", "Won", "2016-10-25", "2017-03-02", "4713"),
    (
        "ZNBS69V1",
        "Maureen Marcano",
        "MG Special",
        "Dambase",
        "Lost",
        "2016-10-29",
        "2017-03-01",
        "0",
    ),
    ("9ME3374G", "Versie Hillebrand", "GTK 500", "Betasoloin", "Engaging", "2016-11-01", "", ""),
    ("7GN8Q4LL", "Zane Levy", "GTXPro", "Bubba Gump", "Engaging", "2016-11-02", "", ""),
    ("OLK9LKZB", "Versie Hillebrand", "GTX Basic", "", "Prospecting", "", "", ""),
    ("HAXMC4IX", "Moses Frase", "MG Special", "", "Prospecting", "", "", ""),
)


@dataclass(frozen=True)
class PipelineExport:
    """The four files, by the name the profile gives them."""

    accounts: Path
    products: Path
    sales_teams: Path
    sales_pipeline: Path

    @property
    def files(self) -> list[str]:
        return [
            str(self.accounts),
            str(self.products),
            str(self.sales_teams),
            str(self.sales_pipeline),
        ]


def pipeline_export(
    folder: Path,
    *,
    deals: tuple[tuple[str, ...], ...] = DEALS,
    agents: tuple[tuple[str, ...], ...] = AGENTS,
    capacities: dict[str, int] | None = None,
) -> PipelineExport:
    """Write the export into `folder`; with `capacities` the teams file gets a weekly_capacity."""
    folder.mkdir(parents=True, exist_ok=True)
    team_header = ["sales_agent", "manager", "regional_office"]
    team_rows = [list(agent) for agent in agents]
    if capacities is not None:
        team_header.append("weekly_capacity")
        team_rows = [[*row, str(capacities.get(row[0], 0))] for row in team_rows]
    header = (
        "account",
        "sector",
        "year_established",
        "revenue",
        "employees",
        "office_location",
        "subsidiary_of",
    )
    return PipelineExport(
        write_csv(folder / "accounts.csv", header, ACCOUNTS),
        write_csv(folder / "products.csv", ("product", "series", "sales_price"), PRODUCTS),
        write_csv(folder / "sales_teams.csv", team_header, team_rows),
        write_csv(
            folder / "sales_pipeline.csv",
            (
                "opportunity_id",
                "sales_agent",
                "product",
                "account",
                "deal_stage",
                "engage_date",
                "close_date",
                "close_value",
            ),
            deals,
        ),
    )
