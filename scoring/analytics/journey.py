"""One lead's journey: its touches, stage changes (who and why), assignment, handoff and CRM feedback on
one timeline, and its score over time from the stored score changes. Frames in, frames out.

    timeline = journey(touches, events, signals)     # at, step, what, why, actor
    trail = score_trail(signals, current=72.5, at=as_of)

`actor` names who moved the lead (a person or a rulebook) and the rep it went to: a page shows it
only to roles that may see personal fields. Free text that could carry personal data (the handoff's
reason, which names the rep) is left out of `why`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd

COLUMNS = ("at", "step", "what", "why", "actor")


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _words(code: object) -> str:
    return _text(code).replace("_", " ").replace(".", " ")


def _score(data: Mapping[str, Any]) -> tuple[str, str, str]:
    before = data.get("before")
    after = data.get("after")
    moved = f"{before:.1f} → {after:.1f}" if isinstance(before, int | float) else f"{after:.1f}"
    version = data.get("rulebook_version")
    return (f"score {moved}", f"rulebook {version}" if version else "", "")


def _assignment(data: Mapping[str, Any]) -> tuple[str, str, str]:
    team = data.get("team")
    rule = _words(data.get("rule", ""))
    return (f"assigned{' to team ' + str(team) if team else ''}", rule, _text(data.get("rep")))


def _handoff(data: Mapping[str, Any]) -> tuple[str, str, str]:
    outcome = data.get("outcome")
    attempt = data.get("attempt")
    said = f"attempt {attempt}: {_words(outcome)}" if attempt else _words(outcome)
    return (f"handoff to the CRM, {said}", _text(data.get("status")), "")


def _feedback(data: Mapping[str, Any]) -> tuple[str, str, str]:
    moved = f" ({data.get('from')} → {data.get('to')})" if data.get("to") else ""
    why = "; ".join(_text(data.get(k)) for k in ("reason_code", "note") if data.get(k))
    return (f"CRM says {_words(data.get('outcome'))}{moved}", why, "")


SIGNALS: dict[str, tuple[str, Callable[[Mapping[str, Any]], tuple[str, str, str]]]] = {
    "score_changed": ("Score", _score),
    "assignment": ("Assignment", _assignment),
    "handoff_queued": ("Handoff", lambda d: ("handoff queued for the CRM", "", "")),
    "handoff_blocked": ("Handoff", lambda d: ("handoff blocked", _words(d.get("error")), "")),
    "handoff_attempt": ("Handoff", _handoff),
    "feedback": ("CRM feedback", _feedback),
}
"""Signal kinds on the timeline, each with its step and its sentence (what, why, actor). Transitions
come from the lifecycle history itself and inbound events from the touches they made."""


def _data(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value:
        import json

        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, Mapping) else {}
    return {}


def journey(touches: pd.DataFrame, events: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """One row per thing that happened to the lead, oldest first.

    Args:
        touches: occurred_at, kind, campaign, asset.
        events: occurred_at, from_stage, to_stage, actor, reason_code, note.
        signals: occurred_at, kind, data (a mapping or its JSON).
    """
    touched = pd.DataFrame(
        {
            "at": touches["occurred_at"],
            "step": "Touch",
            "what": touches["kind"].map(_words),
            "why": touches["campaign"]
            .map(_text)
            .str.cat(touches["asset"].map(_text), sep=" ")
            .str.strip(),
            "actor": "",
        }
    )
    moved = pd.DataFrame(
        {
            "at": events["occurred_at"],
            "step": "Stage",
            "what": events["from_stage"].map(lambda s: _text(s) or "created")
            + " → "
            + events["to_stage"].map(_text),
            "why": events["reason_code"]
            .map(_words)
            .str.cat(events["note"].map(_text), sep=" ")
            .str.strip(),
            "actor": events["actor"].map(_text),
        }
    )
    rows = []
    for at, kind, data in zip(
        signals["occurred_at"], signals["kind"], signals["data"], strict=True
    ):
        if kind in SIGNALS:
            step, say = SIGNALS[kind]
            what, why, actor = say(_data(data))
            rows.append({"at": at, "step": step, "what": what, "why": why, "actor": actor})
    logged = pd.DataFrame(rows, columns=list(COLUMNS))
    parts = [p for p in (touched, moved, logged) if len(p)]
    if not parts:
        return pd.DataFrame(columns=list(COLUMNS))
    timeline = pd.concat(parts, ignore_index=True)
    timeline["at"] = pd.to_datetime(timeline["at"])
    return timeline.sort_values("at", kind="stable", ignore_index=True)[list(COLUMNS)]


def score_trail(signals: pd.DataFrame, *, current: float | None, at: datetime) -> pd.DataFrame:
    """The lead's score after each stored change (when it was stored), and its score at `at` (when
    it has one), in time order.

    Returns at, score, source ("stored" or "now").
    """
    stored = signals[signals["kind"] == "score_changed"]
    after = [_data(d).get("after") for d in stored["data"]]
    trail = pd.DataFrame(
        {"at": pd.to_datetime(stored["occurred_at"]), "score": after, "source": "stored"}
    ).dropna(subset=["score"])
    if current is not None and not pd.isna(current):
        now = pd.DataFrame({"at": [pd.Timestamp(at)], "score": [float(current)], "source": "now"})
        trail = pd.concat([trail, now], ignore_index=True) if len(trail) else now
    return trail.astype({"score": float}).sort_values("at", kind="stable", ignore_index=True)
