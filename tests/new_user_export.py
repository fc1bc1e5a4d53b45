"""A generated lead export shaped like a real CRM's: final outcomes, no dates, no e-mails, custom fields.

    path, profile = write_export(tmp_path, leads=600, seed=1)
    # smarketing import {profile} {path}

The columns follow the public lead-scoring exports sales teams share (origin, source, visits, time on
site, occupation, a sales-filled tag column that leaks the outcome). Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

PROFILE = """\
name: new_user_leads
description: A lead export with final outcomes and no dates.
missing: ["", "Select"]
files:
  leads:
    format: csv
    columns:
      Prospect ID: contact.external_id
      First Name: contact.first_name
      Last Name: contact.last_name
      Company: attributes.company
      Lead Source: contact.lead_source
      Job Title: contact.job_title
      Do Not Email: {to: contact.do_not_contact, values: {"Yes": true, "No": false}}
      Lead Origin: attributes.lead_origin
      TotalVisits: {to: attributes.total_visits, type: integer}
      Total Time Spent on Website: {to: attributes.time_on_site, type: integer}
      Page Views Per Visit: {to: attributes.page_views_per_visit, type: number}
      What is your current occupation: attributes.occupation
      Tags: attributes.tags
      Converted: {to: outcome.won, values: {"1": true, "0": false}, other: error}
    post_outcome: [Tags]
"""

ORIGINS = ("Landing Page Submission", "API", "Lead Add Form", "Lead Import")
SOURCES = ("Google", "Direct Traffic", "Olark Chat", "Organic Search", "Reference")
OCCUPATIONS = ("Unemployed", "Working Professional", "Student", "Select")
TITLES = ("Head of Marketing", "Analyst", "VP Sales", "Student", "Select")


def export_frame(leads: int = 600, seed: int = 1) -> pd.DataFrame:
    """The export as a frame: outcome driven by visits, time on site and occupation."""
    rng = np.random.default_rng(seed)
    visits = rng.poisson(3, leads)
    minutes = rng.gamma(2.0, 250.0, leads).round().astype(int)
    occupation = rng.choice(OCCUPATIONS, leads, p=[0.5, 0.2, 0.1, 0.2])
    logit = -2.0 + 0.0025 * minutes + 0.15 * visits + 2.0 * (occupation == "Working Professional")
    won = rng.random(leads) < 1 / (1 + np.exp(-logit))
    tags = np.where(won, "Will revert after reading the email", "Ringing")
    return pd.DataFrame(
        {
            "Prospect ID": [f"p-{seed}-{i:05d}" for i in range(leads)],
            "First Name": rng.choice(["Ada", "Bob", "=HYPERLINK(1)", "Chen"], leads),
            "Last Name": rng.choice(["Lovelace", "Builder", "Wu"], leads),
            "Company": rng.choice(["Acme", "Globex", "Initech", "+Umbrella"], leads),
            "Lead Source": rng.choice(SOURCES, leads),
            "Job Title": rng.choice(TITLES, leads),
            "Do Not Email": rng.choice(["Yes", "No"], leads, p=[0.1, 0.9]),
            "Lead Origin": rng.choice(ORIGINS, leads),
            "TotalVisits": visits,
            "Total Time Spent on Website": minutes,
            "Page Views Per Visit": rng.gamma(2.0, 1.2, leads).round(2),
            "What is your current occupation": occupation,
            "Tags": tags,
            "Converted": won.astype(int),
        }
    )


def write_export(folder: Path, leads: int = 600, seed: int = 1) -> tuple[Path, Path]:
    """Write the export CSV and its mapping profile into `folder`; return (csv, profile)."""
    folder.mkdir(parents=True, exist_ok=True)
    csv, profile = folder / "leads.csv", folder / "new_user_leads.yaml"
    export_frame(leads, seed).to_csv(csv, index=False)
    profile.write_text(PROFILE, encoding="utf-8")
    return csv, profile
