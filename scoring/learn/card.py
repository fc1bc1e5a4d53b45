"""The model card: what a saved model predicts, from which data, with which features, and how well.

Stored inside the model file as JSON and checked when the file is loaded (format, library versions,
feature schema). `to_markdown()` is what `smarketing train` prints and what reports include.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

FORMAT = "smarketing-model/1"
NOT_FEATURE = "not_feature"
"""The `signal` of an `excluded` entry that names a column left out on request (`--not-feature`)."""
LIBRARIES = ("scikit-learn", "numpy", "pandas", "scipy", "skops", "smarketing")


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a saved model depends on, plus Python's."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass(frozen=True)
class ModelCard:
    """Everything a reviewer needs to trust (or refuse) a model file."""

    kind: str
    target: dict[str, Any]
    split: dict[str, Any]
    training_window: dict[str, str]
    features: dict[str, list[str]]
    excluded: list[dict[str, str]]
    overrides: dict[str, str]
    data_hash: str
    metrics: dict[str, dict[str, float]]
    context: dict[str, Any] = field(default_factory=dict)
    leakage_notes: list[dict[str, str]] = field(default_factory=list)
    """Flags that kept their column (a small pure value; a column declared known at creation),
    with the decision taken."""
    versions: dict[str, str] = field(default_factory=library_versions)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    format: str = FORMAT

    @property
    def leakage_flags(self) -> list[dict[str, str]]:
        """The `excluded` entries of the leakage check (not unusable columns, not ones left out on
        request)."""
        return [e for e in self.excluded if e["signal"] not in ("unusable", NOT_FEATURE)]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, default=str)

    @classmethod
    def from_json(cls, text: str) -> ModelCard:
        return cls(**json.loads(text))

    def to_markdown(self) -> str:
        """A short human-readable card."""
        lines = [
            f"# Model card: {self.kind} model for `{self.target.get('name')}`",
            "",
            f"- Target: {self.target.get('description', '')} (event `{self.target.get('event_column')}`)",
            f"- Split: {self.split.get('description', '')}",
            f"- Training window: {self.training_window.get('first')} to {self.training_window.get('last')}"
            f" ({self.split.get('train_leads')} leads); test: {self.split.get('test_leads')} leads",
            f"- Left out as too young to have an outcome: {self.split.get('excluded')}",
            f"- Positive rate: training {self.split.get('train_positive_rate', float('nan')):.4f}, test "
            f"{self.split.get('test_positive_rate', float('nan')):.4f}; mean prediction on test "
            f"{self.split.get('mean_predicted_test', float('nan')):.4f}",
            f"- Data: {self.context}" if self.context else "- Data: (no context recorded)",
            f"- Data hash (sha256 of the training rows and labels): `{self.data_hash}`",
            f"- Features used ({sum(len(v) for v in self.features.values())}): "
            + ", ".join(f"`{c}`" for cols in self.features.values() for c in cols),
            f"- Created {self.created_at} with "
            + ", ".join(f"{k} {v}" for k, v in self.versions.items()),
            "",
            "| metric | value | 95% interval |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| {name} | {m['value']:.4f} | {m['low']:.4f} – {m['high']:.4f} |"
            for name, m in self.metrics.items()
        ]
        lines += ["", "Excluded by the leakage check:", ""]
        lines += [
            f"- `{e['column']}`: {e['signal']}: {e['evidence']}" for e in self.leakage_flags
        ] or ["- none"]
        if self.leakage_notes:
            lines += ["", "Flagged by the leakage check but kept:", ""]
            lines += [
                f"- `{e['column']}`: {e['signal']}: {e['evidence']} ({e['decision']})"
                for e in self.leakage_notes
            ]
        unusable = [f"`{e['column']}`" for e in self.excluded if e["signal"] == "unusable"]
        if unusable:
            lines += ["", f"Not usable as features ({len(unusable)}): " + ", ".join(unusable)]
        requested = [f"`{e['column']}`" for e in self.excluded if e["signal"] == NOT_FEATURE]
        if requested:
            lines += ["", "Left out on request (not features): " + ", ".join(requested)]
        if self.overrides:
            lines += ["", "Kept despite a leakage flag (override and its reason):", ""]
            lines += [f"- `{column}`: {reason}" for column, reason in self.overrides.items()]
        return "\n".join(lines) + "\n"
