"""A generated lead export without dates: custom columns (visits, time on site, origin) and a profile."""

from __future__ import annotations

import csv
import random
from pathlib import Path

HEADER = [
    "Prospect ID",
    "Lead Origin",
    "Lead Source",
    "TotalVisits",
    "Total Time Spent on Website",
    "Do Not Email",
    "Converted",
]
ORIGINS = ("API", "Landing Page Submission", "Lead Add Form")

PROFILE = """
name: generated_leads
description: A lead export without dates, its own fields mapped as typed custom fields.
files:
  leads:
    format: csv
    columns:
      Prospect ID: contact.external_id
      Lead Origin: attributes.lead_origin
      Lead Source: contact.lead_source
      TotalVisits: {to: attributes.total_visits, type: integer}
      Total Time Spent on Website: {to: attributes.time_on_website, type: number}
      Do Not Email: {to: attributes.do_not_email, type: boolean, values: {"Yes": true, "No": false}}
      Converted: {to: outcome.won, values: {"1": true, "0": false}}
"""


def write_export(folder: Path, leads: int = 400, seed: int = 3) -> tuple[Path, Path]:
    """The CSV (conversion driven by time on site and origin) and its profile; returns both paths."""
    rng = random.Random(seed)
    rows = []
    for i in range(leads):
        seconds = rng.randint(0, 2000)
        origin = rng.choice(ORIGINS)
        chance = 0.05 + 0.5 * (seconds > 900) + 0.3 * (origin == "Lead Add Form")
        visits = "" if i % 17 == 0 else str(rng.randint(0, 12))  # some visits unknown
        rows.append(
            [
                f"P{i:04d}",
                origin,
                rng.choice(["Google", "Direct Traffic"]),
                visits,
                str(seconds),
                rng.choice(["Yes", "No"]),
                "1" if rng.random() < chance else "0",
            ]
        )
    export = folder / "leads.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    profile = folder / "generated_leads.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    return export, profile
