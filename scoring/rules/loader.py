"""Load and validate a rulebook file; every problem is reported at once with its file:line.

rulebook = load_rulebook()                       # data/rulebook.yaml
rulebook = parse_rulebook(text, "inline.yaml")   # tests, the dashboard's editor
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scoring.errors import RulebookError
from scoring.features.custom import CustomField, feature_columns, merged
from scoring.features.dictionary import field_clashes, read_entry
from scoring.located_yaml import load_located, parse_located
from scoring.rules.account_reading import read_accounts
from scoring.rules.reading import Path as KeyPath
from scoring.rules.reading import Reader
from scoring.rules.spec import GROUPS, AccountRollup, Decay, Gate, GroupCap, Rule, Rulebook, Segment
from scoring.settings import DEFAULTS

DEFAULT_RULEBOOK = DEFAULTS / "rulebook.yaml"

TOP_KEYS = (
    "version",
    "description",
    "fields",
    "groups",
    "grades",
    "mql",
    "gates",
    "rules",
    "accounts",
)
RULE_KEYS = ("id", "group", "when", "points", "per", "cap", "decay", "note")


def _decay(reader: Reader, raw: Any, path: KeyPath, group: Any) -> Decay | None:
    spec = reader.mapping(
        raw, path, allowed=("half_life_days", "since"), required=("half_life_days", "since")
    )
    if spec is None:
        return None
    if group != "engagement":
        reader.problem(path, "decay applies to engagement rules only")
    half_life = reader.number(
        spec.get("half_life_days"), (*path, "half_life_days"), "half_life_days", positive=True
    )
    if half_life is not None and not 0.001 <= half_life <= 36500:
        reader.problem(
            (*path, "half_life_days"), f"half_life_days must be 0.001 to 36500, got {half_life}"
        )
        half_life = None
    since = (
        reader.column(spec.get("since"), (*path, "since"), kinds=("days",))
        if "since" in spec
        else None
    )
    return Decay(half_life, since) if half_life is not None and since is not None else None


def _rule(reader: Reader, raw: Any, path: KeyPath, seen: dict[str, str]) -> Rule | None:
    spec = reader.mapping(raw, path, allowed=RULE_KEYS, required=("id", "group", "when", "points"))
    if spec is None:
        return None
    rule_id = reader.identifier(spec.get("id"), (*path, "id"), seen, "rule")
    group = spec.get("group")
    if "group" in spec and group not in GROUPS:
        reader.problem((*path, "group"), f"group must be one of {', '.join(GROUPS)}, got {group!r}")
    when = reader.predicate(spec.get("when"), (*path, "when")) if "when" in spec else None
    points = (
        reader.number(spec.get("points"), (*path, "points"), "points") if "points" in spec else None
    )
    per = reader.column(spec["per"], (*path, "per"), kinds=("count",)) if "per" in spec else None
    cap = (
        reader.number(spec["cap"], (*path, "cap"), "cap", positive=True) if "cap" in spec else None
    )
    if "cap" in spec and "per" not in spec:
        reader.problem(
            (*path, "cap"), "cap needs `per`: without it a rule scores at most its points"
        )
    decay = _decay(reader, spec["decay"], (*path, "decay"), group) if "decay" in spec else None
    note = spec.get("note", "")
    if not isinstance(note, str):
        reader.problem((*path, "note"), "note must be text")
    parts = (rule_id, when, points, group in GROUPS)
    if any(p is None or p is False for p in parts) or ("decay" in spec and decay is None):
        return None
    return Rule(str(rule_id), str(group), when, float(points), per, cap, decay, str(note))  # type: ignore[arg-type]


def _gate(reader: Reader, raw: Any, path: KeyPath, seen: dict[str, str]) -> Gate | None:
    spec = reader.mapping(
        raw, path, allowed=("id", "require", "message"), required=("id", "require", "message")
    )
    if spec is None:
        return None
    gate_id = reader.identifier(spec.get("id"), (*path, "id"), seen, "gate")
    require = (
        reader.predicate(spec.get("require"), (*path, "require")) if "require" in spec else None
    )
    message = reader.text(spec.get("message"), (*path, "message"), "message")
    if gate_id is None or require is None or message is None:
        return None
    return Gate(gate_id, require, message)


def _caps(reader: Reader, raw: Any, path: KeyPath) -> tuple[GroupCap, ...]:
    spec = reader.mapping(raw, path, allowed=GROUPS) or {}
    caps = []
    for group in GROUPS:
        bounds = reader.mapping(spec.get(group, {}), (*path, group), allowed=("min", "max")) or {}
        low, high = (
            reader.number(bounds[k], (*path, group, k), f"{group} {k}") if k in bounds else None
            for k in ("min", "max")
        )
        if low is not None and high is not None and low >= high:
            reader.problem((*path, group), f"{group} min {low} must be below max {high}")
        caps.append(GroupCap(group, low, high))
    return tuple(caps)


def _grades(reader: Reader, raw: Any, path: KeyPath) -> tuple[tuple[str, float | None], ...]:
    spec = (
        reader.mapping(raw, path, allowed=[str(k) for k in raw] if isinstance(raw, dict) else ())
        or {}
    )
    bands = list(spec.items())
    if len(bands) < 2 or bands[-1][1] is not None:
        reader.problem(
            path, "grades need two or more bands, best first, the last with no minimum (~)"
        )
        return (("A", None),)
    previous = float("inf")
    for name, minimum in bands[:-1]:
        value = reader.number(minimum, (*path, name), f"grade {name} minimum")
        if value is not None and value >= previous:
            reader.problem(
                (*path, name), f"grade {name} minimum {value} must be below the previous band's"
            )
        previous = value if value is not None else previous
    return tuple((str(name), minimum) for name, minimum in bands)


def _mql(reader: Reader, raw: Any, path: KeyPath) -> tuple[float, tuple[Segment, ...]]:
    spec = (
        reader.mapping(raw, path, allowed=("threshold", "segments"), required=("threshold",)) or {}
    )
    threshold = (
        reader.number(spec.get("threshold"), (*path, "threshold"), "threshold")
        if "threshold" in spec
        else 0
    )
    segments, names = [], set()
    for i, item in enumerate(
        reader.sequence(spec.get("segments", []), (*path, "segments"), "segments")
    ):
        where = (*path, "segments", i)
        seg = reader.mapping(
            item,
            where,
            allowed=("name", "when", "threshold"),
            required=("name", "when", "threshold"),
        )
        if seg is None:
            continue
        name = reader.text(seg.get("name"), (*where, "name"), "segment name")
        if name in names:
            reader.problem((*where, "name"), f"duplicate segment {name!r}")
        names.add(name)
        when = reader.predicate(seg.get("when"), (*where, "when")) if "when" in seg else None
        value = (
            reader.number(seg.get("threshold"), (*where, "threshold"), "threshold")
            if "threshold" in seg
            else None
        )
        if name and when and value is not None:
            segments.append(Segment(name, when, value))
    return float(threshold or 0), tuple(segments)


def _fields(reader: Reader, raw: Any, custom: Mapping[str, CustomField]) -> None:
    """The rulebook's own `fields:` section (custom fields it may name), added to `custom`."""
    spec = reader.mapping(
        raw, ("fields",), allowed=[str(k) for k in raw] if isinstance(raw, dict) else ()
    )
    declared = [
        read_entry(reader.doc, name, entry, reader.problems) for name, entry in (spec or {}).items()
    ]
    reader.problems.extend(field_clashes(reader.doc, spec or {}, known=custom))
    own = {f.name: f for f in declared if f is not None}
    reader.columns = feature_columns(merged(custom, own))


def _rulebook(reader: Reader, custom: Mapping[str, CustomField]) -> Rulebook:
    doc = reader.doc
    top = reader.mapping(doc.data, (), allowed=TOP_KEYS, required=("version", "rules", "mql")) or {}
    _fields(reader, top.get("fields", {}), custom)
    version = reader.text(top.get("version"), ("version",), "version") if "version" in top else ""
    seen_rules: dict[str, str] = {}
    raw_rules = reader.sequence(top.get("rules", []), ("rules",), "rules")
    rules = [_rule(reader, raw, ("rules", i), seen_rules) for i, raw in enumerate(raw_rules)]
    if "rules" in top and not raw_rules:
        reader.problem(("rules",), "a rulebook needs at least one rule")
    seen_gates: dict[str, str] = {}
    raw_gates = reader.sequence(top.get("gates", []), ("gates",), "gates")
    gates = [_gate(reader, raw, ("gates", i), seen_gates) for i, raw in enumerate(raw_gates)]
    threshold, segments = _mql(reader, top.get("mql", {}), ("mql",)) if "mql" in top else (0.0, ())
    return Rulebook(
        version=str(version or ""),
        rules=tuple(r for r in rules if r is not None),
        gates=tuple(g for g in gates if g is not None),
        caps=_caps(reader, top.get("groups", {}), ("groups",)),
        threshold=threshold,
        segments=segments,
        grades=_grades(reader, top["grades"], ("grades",)) if "grades" in top else (("A", None),),
        source=doc.source,
        accounts=read_accounts(reader, top["accounts"], ("accounts",))
        if "accounts" in top
        else AccountRollup(),
        custom=tuple(sorted(reader.custom_read.items())),
    )


def _validated(reader: Reader, custom: Mapping[str, CustomField] | None) -> Rulebook:
    rulebook = _rulebook(reader, custom or {})
    reader.finish()
    if reader.problems:
        raise RulebookError(reader.problems, source=reader.doc.source)
    return rulebook


def parse_rulebook(
    text: str, source: str = "<rulebook>", *, custom: Mapping[str, CustomField] | None = None
) -> Rulebook:
    """Parse and validate rulebook YAML text; raises RulebookError listing every problem.

    Args:
        custom: custom fields rules may name as `custom.<name>` besides those the rulebook's own
            `fields:` section declares (scoring.features.custom).
    """
    return _validated(Reader(parse_located(text, source, RulebookError)), custom)


def load_rulebook(
    path: Path | str = DEFAULT_RULEBOOK, *, custom: Mapping[str, CustomField] | None = None
) -> Rulebook:
    """Read and validate a rulebook file; raises RulebookError listing every problem."""
    return _validated(Reader(load_located(path, RulebookError)), custom)
