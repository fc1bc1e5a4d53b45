"""CRM-native values (data/crm_values.yaml): what a CRM's own status fields mean (pure).

values = load_crm_values()                # checked against data/lifecycle.yaml and reasons.yaml
values.crm("hubspot").meaning("hs_lead_status", "UNQUALIFIED")   # CrmValue(stage="disqualified")

Every problem of the file is reported at once, each with its line; a target stage the contract does
not declare, or a reason the vocabulary does not hold (or has retired), is refused at load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoring.errors import ContractError, Problem
from scoring.lifecycle.contract import Contract
from scoring.lifecycle.loader import load_contract
from scoring.located_yaml import LocatedDocument, load_located, parse_located
from scoring.reasons import Vocabulary, load_reasons
from scoring.settings import DEFAULTS

DEFAULT_CRM_VALUES = DEFAULTS / "crm_values.yaml"
FEEDBACK_STAGES = frozenset(
    {"sal", "sales_qualified", "opportunity", "customer", "disqualified", "nurture"}
)
"""Stages a CRM's verdict may move a lead to (the targets of POST /v1/feedback's outcomes)."""
REASON_STAGES = frozenset({"disqualified", "nurture"})
"""Stages whose move must cite a reason: fixed in the file, or from the CRM's reason field."""
FEEDBACK_CRMS = frozenset({"hubspot"})
"""CRMs whose values arrive as feedback (webhooks); the others' are stages of imported leads."""
_CRM_KEYS = frozenset({"properties", "reasons", "reason_property", "lost_reason_property"})
_CRM_KEYS_IMPORT = frozenset({"properties", "reasons", "reason_field"})


@dataclass(frozen=True)
class CrmValue:
    """What one value of a CRM field means: a stage to move to (None: nothing moves), and a
    fixed reason when the value itself says why."""

    stage: str | None
    reason: str | None = None


@dataclass(frozen=True)
class CrmMapping:
    """The values of one CRM: field -> value -> meaning, and its reason values -> reason codes."""

    crm: str
    properties: dict[str, dict[str, CrmValue]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    reason_property: str | None = None
    lost_reason_property: str | None = None
    reason_field: str | None = None

    def meaning(self, name: str, value: str) -> CrmValue | None:
        """The meaning of `name` = `value`; None when the file does not list it."""
        return self.properties.get(name, {}).get(value)

    def reason_code(self, value: str) -> str:
        """The reason code a CRM reason value stands for (a value that is a code stays as it is)."""
        return self.reasons.get(value, value)


@dataclass(frozen=True)
class CrmValues:
    version: str
    crms: dict[str, CrmMapping]
    source: str = ""

    def crm(self, name: str) -> CrmMapping:
        """The mapping of one CRM; an empty one (nothing mapped) when the file has no section."""
        return self.crms.get(name) or CrmMapping(name)


def load_crm_values(
    path: Path | str = DEFAULT_CRM_VALUES,
    contract: Contract | None = None,
    vocabulary: Vocabulary | None = None,
) -> CrmValues:
    """Load and check a CRM values file against `contract` and `vocabulary` (the shipped ones by
    default). Raises ContractError listing every problem with its file and line."""
    vocabulary = vocabulary or load_reasons()
    contract = contract or load_contract(vocabulary=vocabulary)
    return read_crm_values(load_located(path, ContractError), contract, vocabulary)


def parse_crm_values(
    text: str, contract: Contract, vocabulary: Vocabulary, source: str = "<crm values>"
) -> CrmValues:
    """Like `load_crm_values`, from YAML text."""
    return read_crm_values(parse_located(text, source, ContractError), contract, vocabulary)


class _Reader:
    def __init__(self, doc: LocatedDocument, contract: Contract, vocabulary: Vocabulary) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.stages = set(contract.stage_names)
        self.codes = vocabulary.active_codes
        self.retired = {r.code for r in vocabulary.reasons} - self.codes

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def code(self, path: tuple[Any, ...], code: object) -> str | None:
        if isinstance(code, str) and code in self.codes:
            return code
        word = "retired" if code in self.retired else "unknown"
        valid = ", ".join(sorted(self.codes))
        self.problem(path, f"{word} reason code {code!r} (valid: {valid})")
        return None

    def value(self, path: tuple[Any, ...], raw: object, feedback: bool) -> CrmValue | None:
        if raw is None:
            return CrmValue(None)
        entry = {"stage": raw} if isinstance(raw, str) else raw
        if not isinstance(entry, dict) or set(entry) - {"stage", "reason"}:
            self.problem(path, "expected a stage, ~, or {stage: ..., reason: ...}")
            return None
        stage, reason = entry.get("stage"), entry.get("reason")
        if stage not in self.stages:
            known = ", ".join(sorted(self.stages))
            self.problem(path, f"unknown stage {stage!r} (the contract declares: {known})")
            return None
        if feedback and stage not in FEEDBACK_STAGES:
            allowed = ", ".join(sorted(FEEDBACK_STAGES))
            self.problem(path, f"a CRM's verdict cannot move a lead to {stage} ({allowed})")
            return None
        if reason is not None and stage not in REASON_STAGES:
            self.problem(path, f"a move to {stage} takes no reason")
            return None
        code = self.code(path, reason) if reason is not None else None
        if reason is not None and code is None:
            return None
        return CrmValue(str(stage), code)

    def crm(self, name: str, section: object) -> CrmMapping | None:
        path: tuple[Any, ...] = (name,)
        feedback = name in FEEDBACK_CRMS
        if not isinstance(section, dict):
            self.problem(path, "expected a mapping with 'properties'")
            return None
        for key in set(section) - (_CRM_KEYS if feedback else _CRM_KEYS_IMPORT):
            self.problem((*path, key), f"unknown key {key!r}")
        properties: dict[str, dict[str, CrmValue]] = {}
        fields = section.get("properties")
        if not isinstance(fields, dict) or not fields:
            self.problem((*path, "properties"), "expected a mapping of field -> value -> stage")
            fields = {}
        for prop, values in fields.items():
            where = (*path, "properties", prop)
            if not isinstance(values, dict) or not values:
                self.problem(where, "expected a mapping of value -> stage")
                continue
            meanings = {str(v): self.value((*where, v), raw, feedback) for v, raw in values.items()}
            properties[str(prop)] = {v: m for v, m in meanings.items() if m is not None}
        reasons = section.get("reasons") or {}
        if not isinstance(reasons, dict):
            self.problem((*path, "reasons"), "expected a mapping of CRM value -> reason code")
            reasons = {}
        codes = {str(v): self.code((*path, "reasons", v), c) for v, c in reasons.items()}
        text = {
            k: section.get(k) for k in ("reason_property", "lost_reason_property", "reason_field")
        }
        for key, value in text.items():
            if value is not None and not (isinstance(value, str) and value):
                self.problem((*path, key), "expected a field name")
        return CrmMapping(
            crm=name,
            properties=properties,
            reasons={v: c for v, c in codes.items() if c is not None},
            **{k: v if isinstance(v, str) and v else None for k, v in text.items()},
        )


def read_crm_values(doc: LocatedDocument, contract: Contract, vocabulary: Vocabulary) -> CrmValues:
    """Check a parsed CRM values file; every problem is reported at once."""
    reader = _Reader(doc, contract, vocabulary)
    data = doc.data
    if not isinstance(data, dict):
        raise ContractError(
            [doc.problem((), "expected a mapping with 'version'")], source=doc.source
        )
    version = data.get("version")
    if not isinstance(version, str | int | float) or not str(version):
        reader.problem(("version",), "a 'version' is required (it is stamped on what it maps)")
    crms: dict[str, CrmMapping] = {}
    for name, section in data.items():
        if name == "version":
            continue
        mapping = reader.crm(str(name), section)
        if mapping is not None:
            crms[str(name)] = mapping
    if reader.problems:
        raise ContractError(reader.problems, source=doc.source)
    return CrmValues(str(version), crms, doc.source)
