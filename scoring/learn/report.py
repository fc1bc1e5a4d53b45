"""Render a Comparison as Markdown or self-contained HTML (tables plus small inline SVG charts).

Every report shows how the leads were split (a random split or cross-validation is labelled as such at
the top, in capitals), the columns the leakage check excluded or kept (by override, as a small pure
value, or as declared known at creation), and the drift between the training and test periods.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from scoring.learn.compare import Comparison
from scoring.learn.intervals import Estimate
from scoring.learn.validation import RANDOM_WARNING

METRIC_NAMES = {
    "roc_auc": "ROC AUC (higher is better)",
    "pr_auc": "PR AUC (higher is better)",
    "brier": "Brier score (lower is better)",
    "calibration_in_the_large": "calibration in the large (observed - predicted)",
    "captured_at_capacity": "positives captured at the rulebook's capacity",
}


def sections(comparison: Comparison) -> list[tuple[str, str | pd.DataFrame]]:
    """(title, text or table) pairs in report order; both renderers walk this list."""
    c = comparison
    out: list[tuple[str, str | pd.DataFrame]] = []
    warning = c.warning or (RANDOM_WARNING if c.is_random_split else "")
    if warning:
        out.append(("WARNING", warning))
    out.append(
        (
            "Split",
            f"{c.description}. {c.leads} test leads, {c.positives} positives, {c.weeks} weeks.",
        )
    )
    out.append(("Metrics with bootstrap 95% intervals", _metric_table(c)))
    out.append(("Difference to the rulebook (paired bootstrap)", _difference_table(c)))
    out.append(("Capacity-matched comparison (same MQLs per week as the rulebook)", c.capacity))
    out += [(f"Cumulative gains and lift: {name}", table) for name, table in c.gains.items()]
    out += [(f"Calibration: {name}", table) for name, table in c.calibration.items()]
    out.append(("Drift between training and test periods", _drift_text(c.drift)))
    out.append(
        (
            "Leakage check (flagged columns and decisions)",
            c.leakage if len(c.leakage) else "no flags",
        )
    )
    out.append(("Disagreements", c.disagreements if len(c.disagreements) else "none"))
    out.append(("Per campaign", c.campaigns if len(c.campaigns) else "no campaign column"))
    out += [("Note", note) for note in c.notes]
    return out


def _metric_table(c: Comparison) -> pd.DataFrame:
    names = sorted(
        {m for metrics in c.metrics.values() for m in metrics}, key=list(METRIC_NAMES).index
    )
    return pd.DataFrame(
        {
            method: [_cell(metrics.get(name)) for name in names]
            for method, metrics in c.metrics.items()
        },
        index=[METRIC_NAMES.get(name, name) for name in names],
    )


def _difference_table(c: Comparison) -> pd.DataFrame:
    rows = {
        method: {METRIC_NAMES[k]: _cell(v, signed=True) for k, v in diffs.items()}
        for method, diffs in c.differences.items()
    }
    return pd.DataFrame(rows)


def _cell(estimate: Estimate | None, signed: bool = False) -> str:
    if estimate is None:
        return "n/a"
    sign = "+" if signed else ""
    return f"{estimate.value:{sign}.3f} [{estimate.low:{sign}.3f}, {estimate.high:{sign}.3f}]"


def _drift_text(drift: dict[str, float]) -> str:
    if not drift:
        return "not measured"
    parts = [f"{key.replace('_', ' ')}: {value:.4f}" for key, value in drift.items()]
    gap = drift.get("calibration_in_the_large")
    if gap is not None and abs(gap) > 0.02:
        parts.append(
            "the test period's positive rate differs from what the model expects: its probabilities are "
            "off on average there; rankings may still hold, but recalibrate before using probabilities"
        )
    return "; ".join(parts) + "."


def to_markdown(comparison: Comparison) -> str:
    lines = ["# Rules vs model", ""]
    for title, body in sections(comparison):
        lines += [f"## {title}", ""]
        lines.append(markdown_table(body) if isinstance(body, pd.DataFrame) else body)
        lines.append("")
    return "\n".join(lines)


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table (no extra dependency); a non-default index becomes the first column."""
    frame = table if isinstance(table.index, pd.RangeIndex) else table.reset_index(names="")
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = [
        "| " + " | ".join(_text(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_html(comparison: Comparison) -> str:
    parts = [
        "<!doctype html><meta charset='utf-8'><title>Rules vs model</title>",
        f"<style>{_CSS}</style>",
    ]
    parts.append("<h1>Rules vs model</h1>")
    for title, body in sections(comparison):
        css = " class='warning'" if title == "WARNING" else ""
        parts.append(f"<h2{css}>{html.escape(title)}</h2>")
        if isinstance(body, pd.DataFrame):
            parts.append(
                body.to_html(
                    index=not isinstance(body.index, pd.RangeIndex),
                    float_format=lambda v: f"{v:.4g}",
                )
            )
            if title.startswith("Calibration") and len(body):
                parts.append(
                    _svg_curve(
                        body["mean_predicted"], body["observed_rate"], "predicted", "observed"
                    )
                )
            if title.startswith("Cumulative gains") and len(body):
                parts.append(
                    _svg_curve(body["top_pct"] / 100, body["gain"], "top share of leads", "gain")
                )
        else:
            parts.append(f"<p{css}>{html.escape(body)}</p>")
    return "\n".join(parts)


def write(comparison: Comparison, path: str | Path) -> Path:
    """Write the report; `.html` gives HTML, anything else Markdown."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (
        to_html(comparison)
        if target.suffix.lower() in (".html", ".htm")
        else to_markdown(comparison)
    )
    target.write_text(text, encoding="utf-8")
    return target


def _svg_curve(xs: pd.Series, ys: pd.Series, x_label: str, y_label: str, size: int = 220) -> str:
    top = max(float(xs.max()), float(ys.max()), 1e-9)
    points = " ".join(
        f"{20 + (size - 30) * float(x) / top:.1f},{size - 20 - (size - 30) * float(y) / top:.1f}"
        for x, y in zip(xs, ys, strict=True)
    )
    diagonal = f"20,{size - 20} {size - 10},10"
    return (
        f"<svg width='{size}' height='{size}' role='img' aria-label='{y_label} against {x_label}'>"
        f"<polyline points='{diagonal}' fill='none' stroke='#bbb' stroke-dasharray='4'/>"
        f"<polyline points='{points}' fill='none' stroke='#1f77b4' stroke-width='2'/>"
        f"<text x='20' y='{size - 4}' font-size='10'>{x_label}</text>"
        f"<text x='2' y='10' font-size='10'>{y_label}</text></svg>"
    )


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}"
    "table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:2px 6px}"
    ".warning{color:#b00020;font-weight:bold}"
)
