"""Shared pieces of the import tests: the real data sets, a database snapshot, small CRM exports."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine, select

from scoring.db.models import Base
from scoring.settings import PROJECT_ROOT

DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
UCI = DATASETS / "uci_bank_marketing" / "bank-additional-full.csv"
OLIST_MQLS = DATASETS / "olist_marketing_funnel" / "olist_marketing_qualified_leads_dataset.csv"
OLIST_DEALS = DATASETS / "olist_marketing_funnel" / "olist_closed_deals_dataset.csv"

Snapshot = dict[str, tuple[int, str]]


def snapshot(engine: Engine) -> Snapshot:
    """Per table: the row count and a hash of every row, ordered by primary key."""
    result: Snapshot = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
            result[table.name] = (len(rows), digest)
    return result


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], **options: str
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n", **options)  # type: ignore[arg-type]
        writer.writerow(header)
        writer.writerows(rows)
    return path


def head_of(source: Path, target: Path, rows: int) -> Path:
    """The header and first `rows` data lines of a file, byte for byte."""
    with source.open("rb") as handle:
        lines = [handle.readline() for _ in range(rows + 1)]
    target.write_bytes(b"".join(lines))
    return target


def replace_cell(path: Path, line: int, column: int, value: str, delimiter: str = ",") -> None:
    """Overwrite one cell of a simple CSV (no quoted delimiters) at a 1-based line and column index."""
    text = path.read_bytes().decode("utf-8")
    ending = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(ending)
    cells = lines[line - 1].split(delimiter)
    cells[column] = value
    lines[line - 1] = delimiter.join(cells)
    path.write_bytes(ending.join(lines).encode("utf-8"))


HUBSPOT_HEADER = (
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Job Title",
    "Company Name",
    "Website URL",
    "Industry",
    "Annual Revenue",
    "Number of Employees",
    "Country/Region",
    "Lifecycle Stage",
    "Lead Status",
    "Original Source",
    "Create Date",
    "Contact owner",
)
HUBSPOT_ROWS = (
    (
        "5101",
        "Ada",
        "Lovelace",
        "Ada@Analytical.io",
        "+44 20 7946 0958",
        "CTO",
        "Analytical Engines",
        "https://www.analytical.io/about",
        "Software",
        "$2,500,000",
        "25-50",
        "United Kingdom",
        "Marketing Qualified Lead",
        "Open",
        "Organic Search",
        "2024-03-05 14:22",
        "Grace Hopper",
    ),
    (
        "5102",
        "Blaise",
        "Pascal",
        "blaise@calc.fr",
        "",
        "Founder",
        "Calculatrices SA",
        "calc.fr",
        "Hardware",
        "",
        "1-5",
        "France",
        "Customer",
        "Open Deal",
        "Referrals",
        "2023-11-30 09:01",
        "",
    ),
    (
        "5103",
        "Charles",
        "Babbage",
        "",
        "",
        "",
        "Difference Ltd",
        "",
        "",
        "",
        "",
        "GB",
        "Lead",
        "New",
        "Paid Search",
        "2024-01-02 08:00",
        "",
    ),
)

SALESFORCE_HEADER = (
    "Lead ID",
    "First Name",
    "Last Name",
    "Title",
    "Company / Account",
    "Website",
    "Email",
    "Phone",
    "Lead Source",
    "Lead Status",
    "Disqualification Reason",
    "Country",
    "Industry",
    "No. of Employees",
    "Annual Revenue",
    "Rating",
    "Create Date",
)
SALESFORCE_ROWS = (
    (
        "00Q5g00000AbCdE",
        "Marie",
        "Curie",
        "Head of Research",
        "Radium Labs",
        "radium-labs.com",
        "marie@radium-labs.com",
        "(555) 010-0001",
        "Web",
        "Working - Contacted",
        "",
        "USA",
        "Biotech",
        "1,200",
        "USD 4,000,000.00",
        "Hot",
        "3/5/2024",
    ),
    (
        "00Q5g00000AbCdF",
        "Pierre",
        "Curie",
        "Intern",
        "Radium Labs",
        "https://radium-labs.com",
        "pierre@radium-labs.com",
        "",
        "Partner Referral",
        "Closed - Not Converted",
        "Not a Decision Maker",
        "US",
        "Biotech",
        "1,200",
        "",
        "Cold",
        "12/31/2023",
    ),
    (
        "00Q5g00000AbCdG",
        "Lise",
        "Meitner",
        "VP Engineering",
        "Fission GmbH",
        "",
        "lise@fission.de",
        "",
        "Web",
        "Open - Not Contacted",
        "",
        "Germany",
        "Energy",
        "",
        "",
        "",
        "1/15/2024",
    ),
)
