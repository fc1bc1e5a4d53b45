"""Convention tests: exact public API, every setting documented (layering: tests/test_layering.py)."""

from __future__ import annotations

import scoring
from scoring.settings import PROJECT_ROOT, SETTINGS


def test_public_api_is_exactly_what_is_listed() -> None:
    assert scoring.__all__ == [
        "ConfigError",
        "ContractError",
        "DataError",
        "DefinitionError",
        "ImportRejected",
        "MappingError",
        "Problem",
        "RulebookError",
        "Settings",
        "SmarketingError",
        "TransitionNotAllowed",
        "__version__",
    ]
    for name in scoring.__all__:
        assert hasattr(scoring, name), name


def test_every_setting_is_documented_in_the_readme() -> None:
    from scoring.handoff.settings import SERVICE_SETTINGS

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in (*SETTINGS, *SERVICE_SETTINGS) if f"`{s.name}`" not in readme]
    assert not missing, f"README settings table misses {missing}"


def test_every_module_opens_with_a_docstring() -> None:
    undocumented = []
    for path in sorted((PROJECT_ROOT / "scoring").rglob("*.py")) + sorted(
        (PROJECT_ROOT / "dashboard").rglob("*.py")
    ):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8").lstrip()
        if text and not text.startswith(('"""', "'''")):
            undocumented.append(str(path.relative_to(PROJECT_ROOT)))
    assert not undocumented
