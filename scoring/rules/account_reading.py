"""Read the rulebook's optional `accounts:` section (the account roll-up) with every problem located."""

from __future__ import annotations

from typing import Any

from scoring.rules.reading import Path, Reader
from scoring.rules.spec import AccountRollup, BuyingRole

ACCOUNT_KEYS = ("best_contact", "buying_group")
GROUP_KEYS = ("roles", "points_per_role", "window_days")
ROLE_KEYS = ("seniority", "department")


def _values(reader: Reader, raw: Any, path: Path, what: str) -> tuple[str, ...]:
    values = reader.sequence(raw, path, what)
    if not all(isinstance(v, str) and v for v in values):
        reader.problem(path, f"{what} must be a list of names")
        return ()
    return tuple(values)


def _role(reader: Reader, name: Any, raw: Any, path: Path) -> BuyingRole | None:
    if not isinstance(name, str) or not name.isidentifier():
        reader.problem(path, f"role name must be a word like decision_maker, got {name!r}")
        return None
    spec = reader.mapping(raw, path, allowed=ROLE_KEYS)
    if spec is None:
        return None
    if not spec:
        reader.problem(path, f"role {name} needs a seniority or a department list")
        return None
    return BuyingRole(
        name,
        _values(reader, spec.get("seniority", []), (*path, "seniority"), "seniority"),
        _values(reader, spec.get("department", []), (*path, "department"), "department"),
    )


def _group(reader: Reader, raw: Any, path: Path) -> tuple[tuple[BuyingRole, ...], float, float]:
    spec = reader.mapping(raw, path, allowed=GROUP_KEYS, required=("roles", "points_per_role"))
    if spec is None:
        return (), 0.0, 30.0
    roles_raw = spec.get("roles", {})
    if not isinstance(roles_raw, dict) or not roles_raw:
        reader.problem((*path, "roles"), "roles must map each role name to who plays it")
        roles_raw = {}
    roles = [_role(reader, name, raw, (*path, "roles", name)) for name, raw in roles_raw.items()]
    points = (
        reader.number(spec["points_per_role"], (*path, "points_per_role"), "points_per_role")
        if "points_per_role" in spec
        else None
    )
    window = (
        reader.number(spec["window_days"], (*path, "window_days"), "window_days", positive=True)
        if "window_days" in spec
        else 30.0
    )
    if window is not None and window > 3650:
        reader.problem((*path, "window_days"), f"window_days must be at most 3650, got {window}")
    return tuple(r for r in roles if r is not None), float(points or 0.0), float(window or 30.0)


def read_accounts(reader: Reader, raw: Any, path: Path) -> AccountRollup:
    """The `accounts:` section as an AccountRollup; problems are recorded on `reader`."""
    spec = reader.mapping(raw, path, allowed=ACCOUNT_KEYS)
    if spec is None:
        return AccountRollup()
    best = spec.get("best_contact", True)
    if not isinstance(best, bool):
        reader.problem((*path, "best_contact"), f"best_contact must be true or false, got {best!r}")
        best = True
    if "buying_group" not in spec:
        return AccountRollup(best_contact=best)
    roles, points, window = _group(reader, spec["buying_group"], (*path, "buying_group"))
    return AccountRollup(best, roles, points, window)
