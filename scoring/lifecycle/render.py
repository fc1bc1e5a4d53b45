"""The contract for people: Markdown tables, a mermaid state diagram and a Graphviz dot graph."""

from __future__ import annotations

from itertools import groupby

from scoring.lifecycle.contract import Contract, Stage, Transition
from scoring.lifecycle.guards import describe


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sla(stage: Stage) -> str:
    days = stage.sla_business_days
    if days is None:
        return ""
    return f"{days} business day{'s' if days != 1 else ''}"


def _role(stage: Stage) -> str:
    return ", ".join(
        r for r, on in (("initial", stage.initial), ("terminal", stage.terminal)) if on
    )


def declared_rows(contract: Contract) -> list[tuple[str, str, str]]:
    """One (from, to, guards) row per declared item: a list or `"*"` source stays one row."""
    rows = []
    for _, group in groupby(contract.transitions, key=lambda t: (t.entry, t.target)):
        items: list[Transition] = list(group)
        first = items[0]
        sources = (
            "any stage that is not terminal"
            if first.any_source
            else ", ".join(t.source for t in items)
        )
        rows.append((sources, first.target, ", ".join(g.name for g in first.guards)))
    return rows


def markdown(contract: Contract) -> str:
    """Stages, transitions and guards as Markdown tables, then the mermaid diagram."""
    lines = [f"Contract version `{contract.version}`.", "", "### Stages", ""]
    lines += ["| stage | label | role | SLA | meaning |", "| --- | --- | --- | --- | --- |"]
    for s in contract.stages:
        cells = (f"`{s.name}`", s.label, _role(s), _sla(s), s.description)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "### Transitions", "", "| from | to | guards |", "| --- | --- | --- |"]
    for source, target, guards in declared_rows(contract):
        lines.append(f"| {_cell(source)} | {target} | {_cell(guards) or '(none)'} |")
    lines += ["", "### Guards", "", "| guard | holds when |", "| --- | --- |"]
    for guard in contract.guards:
        lines.append(f"| `{guard.name}` | {_cell(describe(guard))} |")
    if contract.facts:
        lines += ["", "### Facts supplied with a move", "", "| fact | meaning |", "| --- | --- |"]
        lines += [f"| `{f.name}` | {_cell(f.help)} |" for f in contract.facts]
    lines += ["", "### Diagram", "", "```mermaid", mermaid(contract).rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


def _state_label(stage: Stage) -> str:
    sla = _sla(stage)
    label = f"{stage.label} (SLA {sla})" if sla else stage.label
    return label.replace('"', "'")


def mermaid(contract: Contract) -> str:
    """A mermaid `stateDiagram-v2`; edges are labelled with their guard names."""
    lines = ["stateDiagram-v2", "    direction LR"]
    lines += [f'    state "{_state_label(s)}" as {s.name}' for s in contract.stages]
    lines += [f"    [*] --> {name}" for name in contract.initial_stages]
    for t in contract.transitions:
        label = ", ".join(g.name for g in t.guards)
        lines.append(f"    {t.source} --> {t.target}" + (f" : {label}" if label else ""))
    lines += [f"    {name} --> [*]" for name in contract.terminal_stages]
    return "\n".join(lines) + "\n"


def _quote(*lines: str) -> str:
    """A dot string literal; several lines are joined with dot's `\\n` line break."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def dot(contract: Contract) -> str:
    """A Graphviz digraph: terminal stages drawn with a double border, edges labelled with guards."""
    lines = [
        "digraph lifecycle {",
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        "    start [shape=point];",
    ]
    for s in contract.stages:
        sla = _sla(s)
        label = _quote(s.label, f"SLA {sla}") if sla else _quote(s.label)
        extra = ", peripheries=2" if s.terminal else ""
        lines.append(f"    {s.name} [label={label}{extra}];")
    lines += [f"    start -> {name};" for name in contract.initial_stages]
    for t in contract.transitions:
        label = ", ".join(g.name for g in t.guards)
        lines.append(
            f"    {t.source} -> {t.target}" + (f" [label={_quote(label)}]" if label else "") + ";"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
