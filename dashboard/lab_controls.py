"""The scoring lab's controls: rule weights (grouped), half-lives, caps, segments, gates, threshold."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.views import BIND
from scoring.rules import Rule, Rulebook
from scoring.rules.tuning import Tuning


def _span(points: float) -> float:
    return max(50.0, abs(points) * 2)


def _weight_sliders(rules: list[Rule], title: str, disabled: bool) -> dict[str, float]:
    chosen: dict[str, float] = {}
    with st.expander(f"{title} ({len(rules)})", expanded=False):
        for rule in rules:
            span = _span(rule.points)
            chosen[rule.id] = st.slider(
                rule.id.replace("_", " "),
                min_value=-span,
                max_value=span,
                value=float(rule.points),
                step=1.0,
                key=state.WEIGHT_PREFIX + rule.id,
                bind=BIND,
                disabled=disabled,
                help=f"When {rule.english()}. Published: {rule.points:g} points"
                + (f" per occurrence, cap {rule.cap:g}" if rule.per else ""),
            )
    return chosen


def _half_life_sliders(rules: list[Rule], disabled: bool) -> dict[str, float]:
    chosen: dict[str, float] = {}
    with st.expander(f"Decay half-lives ({len(rules)})", expanded=False):
        for rule in rules:
            assert rule.decay is not None  # only decayed rules are passed here
            chosen[rule.id] = st.slider(
                f"{rule.id.replace('_', ' ')} (days)",
                min_value=1.0,
                max_value=365.0,
                value=float(rule.decay.half_life_days),
                step=1.0,
                key=state.HALF_LIFE + "_" + rule.id,
                bind=BIND,
                disabled=disabled,
                help="Points halve every this many days since the touch.",
            )
    return chosen


def _cap_inputs(book: Rulebook, disabled: bool) -> dict[str, tuple[float | None, float | None]]:
    caps: dict[str, tuple[float | None, float | None]] = {}
    with st.expander("Group caps", expanded=False):
        for group in ("fit", "engagement"):
            cap = book.cap(group)
            low, high = st.columns(2)
            lo = low.number_input(
                f"{group} min",
                value=None if cap.min is None else float(cap.min),
                step=5.0,
                key=f"{state.CAP_PREFIX}{group}_min",
                bind=BIND,
                disabled=disabled,
                help=f"Lowest {group} points a lead can have (empty: no floor).",
            )
            hi = high.number_input(
                f"{group} max",
                value=None if cap.max is None else float(cap.max),
                step=5.0,
                key=f"{state.CAP_PREFIX}{group}_max",
                bind=BIND,
                disabled=disabled,
                help=f"Highest {group} points a lead can have (empty: no ceiling).",
            )
            caps[group] = (lo, hi)
    return caps


def _segment_offsets(book: Rulebook, disabled: bool) -> dict[str, float]:
    offsets: dict[str, float] = {}
    with st.expander(f"Segment thresholds ({len(book.segments)})", expanded=False):
        for segment in book.segments:
            published = float(segment.threshold - book.threshold)
            offsets[segment.name] = float(
                st.slider(
                    f"{segment.name.replace('_', ' ')}: points above the MQL threshold",
                    min_value=min(-50.0, published * 2),
                    max_value=max(50.0, published * 2),
                    value=published,
                    step=1.0,
                    key=state.SEGMENT_PREFIX + segment.name,
                    bind=BIND,
                    disabled=disabled,
                    help=f"Leads where {segment.when.english()} need the MQL threshold plus this. "
                    f"Published: {segment.threshold:g} ({published:+g}).",
                )
            )
    return offsets


def _gate_switches(book: Rulebook, disabled: bool) -> list[str]:
    off: list[str] = []
    with st.expander(f"Gates ({len(book.gates)})", expanded=False):
        for gate in book.gates:
            if not st.checkbox(
                f"{gate.id.replace('_', ' ')}",
                value=True,
                key=state.GATE_PREFIX + gate.id,
                bind=BIND,
                disabled=disabled,
                help=f"Requires {gate.english()}; a lead failing it cannot become an MQL.",
            ):
                off.append(gate.id)
    return off


def threshold_slider(book: Rulebook, disabled: bool = False) -> float:
    top = max(150.0, book.threshold * 2)
    return float(
        st.slider(
            "MQL threshold",
            min_value=0.0,
            max_value=top,
            value=float(book.threshold),
            step=1.0,
            key=state.THRESHOLD,
            bind=BIND,
            disabled=disabled,
            help="A lead whose score reaches this (and passes every gate) is an MQL. "
            "Segment thresholds move by the same amount.",
        )
    )


def tuning_controls(book: Rulebook, disabled: bool = False) -> Tuning:
    """Draw the sliders; return only what differs from the rulebook in force (threshold aside).
    `disabled`: drawn at the published values, not movable (a role without what-ifs)."""
    negative = [r for r in book.rules if r.points < 0]
    weights = _weight_sliders(
        [r for r in book.rules if r.group == "fit" and r.points >= 0], "Fit rules", disabled
    )
    weights |= _weight_sliders(
        [r for r in book.rules if r.group == "engagement" and r.points >= 0],
        "Engagement rules",
        disabled,
    )
    weights |= _weight_sliders(negative, "Negative rules", disabled)
    half_lives = _half_life_sliders([r for r in book.rules if r.decay is not None], disabled)
    caps = _cap_inputs(book, disabled)
    offsets = _segment_offsets(book, disabled)
    gates_off = _gate_switches(book, disabled)
    changed = {k: v for k, v in weights.items() if v != book.rule(k).points}
    decayed = {k: v for k, v in half_lives.items() if v != book.rule(k).decay.half_life_days}  # type: ignore[union-attr]
    new_caps = {g: c for g, c in caps.items() if c != (book.cap(g).min, book.cap(g).max)}
    moved = {
        s.name: offsets[s.name]
        for s in book.segments
        if offsets[s.name] != s.threshold - book.threshold
    }
    return Tuning.of(
        weights=changed,
        half_lives=decayed,
        caps=new_caps,
        segment_offsets=moved,
        gates_off=gates_off,
    )


def defaults(book: Rulebook) -> dict[str, object]:
    """Every lab control at the rulebook in force: what "Reset view" puts back."""
    values: dict[str, object] = {state.THRESHOLD: float(book.threshold)}
    for rule in book.rules:
        values[state.WEIGHT_PREFIX + rule.id] = float(rule.points)
        if rule.decay is not None:
            values[state.HALF_LIFE + "_" + rule.id] = float(rule.decay.half_life_days)
    for group in ("fit", "engagement"):
        cap = book.cap(group)
        values[f"{state.CAP_PREFIX}{group}_min"] = None if cap.min is None else float(cap.min)
        values[f"{state.CAP_PREFIX}{group}_max"] = None if cap.max is None else float(cap.max)
    for segment in book.segments:
        values[state.SEGMENT_PREFIX + segment.name] = float(segment.threshold - book.threshold)
    values |= {state.GATE_PREFIX + gate.id: True for gate in book.gates}
    return values


def lab_title(book: Rulebook, threshold: float, published: dict[str, object]) -> str:
    """The lab's title: the threshold shown and how many other controls differ from `book`."""
    moved = sum(
        1
        for key, value in published.items()
        if key != state.THRESHOLD and st.session_state.get(key, value) != value
    )
    changed = f", {moved} setting{'s' if moved != 1 else ''} moved from {book.version}"
    return f"Scoring lab: threshold {threshold:g}{changed if moved else ''}"
