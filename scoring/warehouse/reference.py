"""docs/rulebook.md, generated from the registries so it cannot drift (a test compares them).

python -m scoring.warehouse.reference > docs/rulebook.md
"""

from __future__ import annotations

import sys

import yaml

from scoring.features.columns import FEATURES
from scoring.rules.operators import OPERATORS, Operator
from scoring.warehouse.dialects import TARGETS, render
from scoring.warehouse.faces import sql_condition
from scoring.warehouse.tables import feature_table

FORMAT = """\
# The rulebook

`data/rulebook.yaml` is the contract between marketing and sales: which leads fit, which behaviour
counts, when a lead becomes an MQL. It is validated on load; every problem is reported at once with
its file and line (`smarketing rules check FILE`). Its `version` is stamped on every score.

This page is generated from the operator and feature registries by
`python -m scoring.warehouse.reference > docs/rulebook.md`; a test fails when it is out of date.

## Format

```yaml
version: "2026.11.1"
groups:                      # optional bounds of each group's points
  fit: {min: -40, max: 60}
  engagement: {min: -30, max: 70}
grades: {A: 40, B: 25, C: 10, D: ~}   # fit bands, best first; the last has no minimum
mql:
  threshold: 60
  segments:                  # optional; first matching segment wins
    - name: enterprise
      when: {column: employees, op: gte, value: 5000}
      threshold: 70
gates:                       # all must hold for a lead to become an MQL
  - id: valid_email
    require: {column: email_valid, op: is_true}
    message: the email address is syntactically valid
rules:
  - id: industry_core        # lower_snake_case, unique
    group: fit               # fit | engagement
    when: {column: industry, op: in, value: [Software, Fintech]}
    points: 15               # negative points are fine
  - id: pricing_interest
    group: engagement
    when: {column: pricing_views_30d, op: at_least, value: 1}
    points: 4
    per: pricing_views_30d   # points per occurrence (a count column) ...
    cap: 16                  # ... capped at 16 points (needs `per`)
    decay: {half_life_days: 14, since: days_since_pricing_view}   # engagement only
  - id: student_or_intern
    group: fit
    when:                    # `all:` (and) or `any:` (or) of conditions
      any:
        - {column: seniority, op: eq, value: student}
        - {column: job_title, op: contains_any, value: [student, intern]}
    points: -25
```

## Semantics

- **Strength** of a rule for a lead: 0 when `when` does not hold; otherwise 1, or the value of the
  `per` count column; times `2 ** (-days / half_life_days)` with `days` read from the `decay.since`
  column (0 when that column is missing: no evidence of recency).
- **Points** of a rule: strength x points, clipped to [-cap, cap]. **Group points**: the sum over the
  group's rules, clipped to the group's [min, max]. **Score** = fit + engagement.
- **Grade**: the first band whose minimum the fit reaches. **MQL**: every gate holds and
  score >= the lead's threshold (its first matching segment's, else `mql.threshold`).
- **Missing values** satisfy no operator except `is_missing` (so `not_in` and `ne` are false on a
  missing value): identical on every backend.
- **Text**: `eq`/`in` compare exactly (case-sensitive). `contains_any` and `matches` fold ASCII A-Z
  to lower case on both sides and leave other characters alone, as SQLite's lower() does; write
  patterns in lower case, in the portable subset (no `\\d`, `\\w`, `(?...)`, `[[:class:]]`).
- **Numbers**: every SQL engine computes in DOUBLE. Integer points give identical scores everywhere;
  decayed points agree to ~1e-15 (float64 in numpy; the hit matrix keeps decay factors in float64).

## Accounts

The optional `accounts:` section says how an account's score is rolled up from its contacts (the
dashboard's Accounts page, `smarketing accounts`, `GET /v1/accounts/{account_id}`):

```yaml
accounts:
  best_contact: true           # start from the best contact's score (false: start from 0)
  buying_group:
    points_per_role: 5         # added once per role engaged
    window_days: 30            # engaged: touched in the last 30 days (1 to 3650)
    roles:                     # a contact plays the first role it matches
      decision_maker: {seniority: [c_level, vp]}
      champion: {seniority: [director, manager], department: [Marketing, Sales, Revenue Operations]}
      finance: {department: [Finance]}
      user: {seniority: [manager, individual_contributor]}
```

- A role lists `seniority` and/or `department` values; a contact plays it when every list given
  holds its value. Each contact plays at most one role: the first it matches, in the order written.
- **Account score** = best contact's score (with `best_contact: true`) + `points_per_role` x the
  number of distinct roles played by contacts touched within `window_days` before the moment of
  scoring. Touches after that moment are ignored.
- Without the section an account scores its best contact's score; every problem in it (unknown
  key, a role with neither list, a non-numeric `points_per_role`, a window out of range) is
  reported with its line, with the rest of the rulebook's problems.

## Push-down

`smarketing rules sql --dialect D` prints ONE SELECT over a feature table (see
`scoring.warehouse.tables`; missing values must be NULL, not NaN) returning lead_id, fit, engagement,
score, grade, failed_gates (comma-separated ids) and mql (1/0).

## Custom fields

A data set's own columns (visits, time on site, lead origin...) are features too. A rule names one
as `custom.<name>`, where `<name>` is the `attributes.<name>` a mapping profile sends the column to;
every operator applies as to a built-in column of the same kind, in numpy and in SQL alike.

```yaml
fields:                      # optional: custom fields this rulebook reads (it then loads anywhere)
  total_visits: {type: number, label: website visits, known_at: activity}
  lead_origin: {type: category, known_at: creation}
rules:
  - id: many_visits
    group: engagement
    when: {column: custom.total_visits, op: gte, value: 5}
    points: 10
```

- A profile's `attributes.<name>` targets declare the fields, by their `type`: integer and number
  become `number` (missing: NULL/NaN), boolean `flag` (missing: false), text (the default)
  `category`; dates are not features. An import that declares
  custom fields stores their typed values in a side table (`custom_features`, catalogue
  `custom_fields`), so scoring never parses the JSON attributes.
- `known_at` is `creation` (known when the lead arrives), `activity` (grows with activity) or
  `post_outcome` (known only after the outcome: never proposed as a rule, flagged for learning). A
  profile's `post_outcome` columns are `post_outcome`; the rest default to `creation`.
- The same entries may live in a feature dictionary file (`fields:` at its top, e.g.
  `data/features.yaml`), passed as `--features` to `smarketing rules check | explain | suggest`;
  `rules check` and `rules sql` also take `--profile NAME` to declare a profile's fields.
- A name is letters, digits and `_` (not starting with a digit), at most 63 characters (PostgreSQL's
  identifier limit), never `contact_id` (the side table's key) and unique ignoring case: `Visits`
  beside `visits` is refused, in a profile, a feature dictionary, a rulebook's `fields:` and against
  the fields earlier imports recorded, because SQLite and DuckDB cannot hold both columns. A data
  set declares at most 500 custom fields (a profile at most 500 attributes), well under SQLite's
  2000 and PostgreSQL's 1600 columns. Every such problem is reported at load, with its line.
- An unknown column is refused with its line, the closest name, the first 20 custom fields and the
  counts; after 20 unknown columns in one file the rest are counted, not listed.
  `smarketing rules columns [--profile NAME] [--features FILE]` lists every column a rule may name.
- `smarketing rules suggest` without `--cutoff` proposes fit and engagement rules (built-in and
  custom features) for an imported data set, starting from `--rulebook` or an empty one; it prints
  the diff and its what-if (MQLs, won MQLs, precision against the base rate) and writes the proposed
  rulebook (with its `fields:` section) with `--out`.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _yaml_example(op: Operator) -> str:
    column, raw = op.example
    if raw is None:
        return f"{{column: {column}, op: {op.name}}}"
    value = yaml.safe_dump(raw, default_flow_style=True, width=1000).strip()
    value = value.removesuffix("\n...").strip()
    return f"{{column: {column}, op: {op.name}, value: {value}}}"


def _sql_example(op: Operator) -> str:
    column, raw = op.example
    value, _ = op.argument.check(raw, FEATURES[column].kind)
    expression = sql_condition(op.name, feature_table("features", [column]).c[column], value)
    return render(expression, "postgresql")


def _english_example(op: Operator) -> str:
    column, raw = op.example
    value, _ = op.argument.check(raw, FEATURES[column].kind)
    return op.english(FEATURES[column].label, value)


def operators_table() -> str:
    rows = [
        "| operator | applies to | value | meaning | example (YAML and English) | example (PostgreSQL) |",
        "|---|---|---|---|---|---|",
    ]
    for op in OPERATORS.values():
        cells = (
            f"`{op.name}`",
            ", ".join(sorted(op.kinds)),
            op.argument.name,
            op.help,
            f"`{_yaml_example(op)}` reads \u201c{_english_example(op)}\u201d",
            f"`{_sql_example(op)}`",
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows)


def features_table() -> str:
    rows = ["| column | kind | in English | meaning |", "|---|---|---|---|"]
    rows += [f"| `{c.name}` | {c.kind} | {c.label} | {c.help} |" for c in FEATURES.values()]
    return "\n".join(rows)


def dialects_table() -> str:
    rows = ["| dialect | engine |", "|---|---|"]
    rows += [f"| `{t.name}` | {t.help} |" for t in TARGETS.values()]
    return "\n".join(rows)


def rulebook_reference() -> str:
    """The whole of docs/rulebook.md."""
    return (
        f"{FORMAT}\n{dialects_table()}\n\n## Operators\n\n{operators_table()}\n\n"
        f"## Feature columns\n\nThe columns a rule may name (scoring.features.FEATURES).\n\n{features_table()}\n"
    )


if __name__ == "__main__":
    sys.stdout.write(rulebook_reference())
