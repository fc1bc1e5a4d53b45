"""The disqualification reasons vocabulary: load and check `data/reasons.yaml` (pure).

Writing the vocabulary into the database is the storage edge's job: scoring.store.reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scoring.errors import ContractError, Problem
from scoring.located_yaml import parse_located
from scoring.settings import DEFAULTS

DEFAULT_REASONS = DEFAULTS / "reasons.yaml"


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    description: str = ""
    active: bool = True


@dataclass(frozen=True)
class Vocabulary:
    version: str
    reasons: tuple[Reason, ...]

    @property
    def active_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.reasons if r.active)

    def get(self, code: str) -> Reason | None:
        return next((r for r in self.reasons if r.code == code), None)


def load_reasons(path: Path = DEFAULT_REASONS) -> Vocabulary:
    """Parse and check a reasons file; every problem is reported at once."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractError([Problem(str(path), str(exc))], source=str(path)) from exc
    return parse_reasons(text, str(path))


def parse_reasons(text: str, source: str = "<reasons>") -> Vocabulary:
    """Like `load_reasons`, from YAML text (a published version)."""
    path = source
    doc = parse_located(text, source, ContractError).data
    problems: list[Problem] = []
    reasons: list[Reason] = []
    seen: set[str] = set()
    if not isinstance(doc, dict) or not isinstance(doc.get("reasons"), list):
        raise ContractError([Problem(str(path), "expected a mapping with a 'reasons' list")])
    for i, item in enumerate(doc["reasons"]):
        where = f"{path}:reasons[{i}]"
        if not isinstance(item, dict) or not item.get("code") or not item.get("label"):
            problems.append(Problem(where, "each reason needs a 'code' and a 'label'"))
            continue
        code = str(item["code"])
        if code in seen:
            problems.append(Problem(where, f"duplicate reason code {code!r}"))
        seen.add(code)
        reasons.append(
            Reason(
                code,
                str(item["label"]),
                str(item.get("description", "")),
                item.get("active", True) is not False,
            )
        )
    if problems:
        raise ContractError(problems, source=str(path))
    return Vocabulary(str(doc.get("version", "")), tuple(reasons))
