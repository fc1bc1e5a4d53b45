"""Benchmark of `smarketing import` on a ~50 MB HubSpot contacts export into a fresh database.

    python benchmarks/bench_import.py --megabytes 50 --json var/bench_import.json
    python benchmarks/bench_import.py --megabytes 50 --profile var/bench_import.prof

The file is a generated `hubspot_contacts` export (every column of the profile filled the way
HubSpot writes it: labels, "$1,200,000" revenues, country names, 5 % of rows with a blank
e-mail, companies shared by several contacts) written to a temporary folder. It is imported with
`scoring.sources.import_files` (what `smarketing import hubspot_contacts FILE` runs) into a fresh
SQLite file and, unless `--backend sqlite` alone is asked for, into a fresh PostgreSQL schema.
Reported: the file's size and rows, wall seconds per backend (`csv_50mb_s` is SQLite's), the
process's peak RSS after the SQLite import (`peak_rss_mb`) and the 1-minute load average.
`--profile FILE` runs the SQLite import under cProfile, writes the stats to FILE and prints the
30 functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench_score_store import postgres_schema
from report import emit

from scoring.db import make_engine, upgrade
from scoring.sources import import_files, load_profile

BYTES_PER_ROW = 246  # measured on the generated file; used to size it
STAGES = ["Subscriber", "Lead", "Lead", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead",
          "Opportunity", "Customer", "Other"]  # fmt: skip
SOURCES = ["Organic Search", "Paid Search", "Email Marketing", "Social Media", "Referrals",
           "Direct Traffic", "Offline Sources", "Paid Social"]  # fmt: skip
COUNTRIES = ["United States", "United Kingdom", "Germany", "France", "Canada", "India", "Australia",
             "Netherlands", "Spain", "Brazil", "Japan", "Sweden"]  # fmt: skip
TITLES = ["VP Marketing", "Marketing Manager", "Head of Growth", "CMO", "Software Engineer",
          "Director of Sales Operations", "Student", "Founder & CEO", "Demand Generation Lead"]  # fmt: skip
INDUSTRIES = ["Computer Software", "Financial Services", "Retail", "Hospital & Health Care",
              "Education Management", "Marketing and Advertising", "Manufacturing"]  # fmt: skip
FIRST = ["Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi"]
LAST = ["Smith", "Müller", "Garcia", "Nguyen", "O'Brien", "Kowalski", "Rossi", "Tanaka", "Dubois"]
STATUS = ["New", "Open", "In Progress", "Open Deal", "Unqualified", "Attempted to Contact"]
BANDS = ["1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+"]


def _pick(rng: np.random.Generator, values: list[str], rows: int) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.integers(0, len(values), rows)]


def export(rows: int, seed: int) -> pd.DataFrame:
    """A HubSpot contacts export of `rows` contacts (unique e-mails, ~4 contacts a company)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, rows + 1) + 50_000_000
    company = rng.integers(0, max(rows // 4, 1), rows)
    domain = np.char.add(np.char.add("company", company.astype(str)), ".example.com").astype(object)
    first, last = _pick(rng, FIRST, rows), _pick(rng, LAST, rows)
    email = (
        pd.Series(first).str.lower().str.slice(0, 3) + "." + ids.astype(str) + "@" + domain
    ).to_numpy(dtype=object)
    email[rng.random(rows) < 0.05] = ""
    revenue = rng.integers(1, 5000, rows) * 10_000
    created = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700 * 86400, rows), "s")
    return pd.DataFrame(
        {
            "Record ID": ids,
            "First Name": first,
            "Last Name": last,
            "Email": email,
            "Phone Number": np.char.add(
                "+1 555 ", rng.integers(1_000_000, 9_999_999, rows).astype(str)
            ),
            "Job Title": _pick(rng, TITLES, rows),
            "Company Name": np.char.add("Company ", company.astype(str)),
            "Website URL": domain,
            "Industry": np.asarray(INDUSTRIES, dtype=object)[company % len(INDUSTRIES)],
            "Annual Revenue": [f"${v:,}" for v in revenue[company % rows]],
            "Number of Employees": np.asarray(BANDS, dtype=object)[company % len(BANDS)],
            "Country/Region": _pick(rng, COUNTRIES, rows),
            "Lifecycle Stage": _pick(rng, STAGES, rows),
            "Lead Status": _pick(rng, STATUS, rows),
            "Original Source": _pick(rng, SOURCES, rows),
            "Original Source Drill-Down 1": _pick(
                rng, ["API", "Integration", "Import", "Form"], rows
            ),
            "Create Date": created.strftime("%Y-%m-%d %H:%M"),
            "Contact owner": _pick(rng, ["Jane Doe", "Sam Lee", "Ola Berg", "N/A"], rows),
            "Unsubscribed from all email": _pick(rng, ["false", "false", "false", "true"], rows),
        }
    )


def write_export(folder: Path, megabytes: float, seed: int) -> tuple[Path, int]:
    """Written by a child process, so generating it does not count in the import's peak RSS."""
    rows = int(megabytes * 1_000_000 / BYTES_PER_ROW)
    path = folder / "hubspot-crm-exports-all-contacts.csv"
    child = multiprocessing.get_context("fork").Process(target=_write, args=(path, rows, seed))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"generating {path.name} failed")
    return path, rows


def _write(path: Path, rows: int, seed: int) -> None:
    export(rows, seed).to_csv(path, index=False)


def import_once(url: str, path: Path, profile_to: Path | None = None) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    profile = load_profile("hubspot_contacts")
    profiler = cProfile.Profile() if profile_to else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = import_files(engine, profile, [str(path)])
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - started
    engine.dispose()
    assert result.written is not None
    if profiler and profile_to:
        profile_to.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile_to)
        pstats.Stats(str(profile_to)).sort_stats("cumulative").print_stats(30)
    return {"wall_s": round(wall, 2), "contacts": result.written.contacts}


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--profile", type=Path, help="cProfile the SQLite import into this file")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgresql"]
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path, rows = write_export(folder, args.megabytes, args.seed)
        report.update(file_mb=round(path.stat().st_size / 1_000_000, 1), rows=rows)
        if "sqlite" in backends:
            figures = import_once(f"sqlite:///{folder / 'import.db'}", path, args.profile)
            report.update(sqlite=figures, csv_50mb_s=figures["wall_s"], peak_rss_mb=_peak_mb())
        if "postgresql" in backends:
            with postgres_schema() as url:
                figures = import_once(url, path)
            report.update(postgresql=figures, postgresql_s=figures["wall_s"])
    report["load_avg"] = round(os.getloadavg()[0], 2)
    emit(report, args.json)


if __name__ == "__main__":
    main()
