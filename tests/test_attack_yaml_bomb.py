"""Replayed attack: a YAML alias bomb ("billion laughs") in a definition file expanded to gigabytes.

Definition files are read through scoring.located_yaml: aliases may expand a document to at most
100,000 nodes (the alias that passes is named with its line) and a file may have at most 2 MiB.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import ContractError, RulebookError
from scoring.located_yaml import MAX_BYTES, MAX_NODES
from scoring.reasons import parse_reasons
from scoring.rules import load_rulebook

pytestmark = pytest.mark.timeout(10)


def billion_laughs(levels: int = 9) -> tuple[str, int]:
    """The classic bomb (9 levels of 9 aliases: 9**9 strings) and the line of its last level."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghij"[: levels - 1]:
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
        previous = name
    lines.append("version: '1'")
    return "\n".join(lines) + "\n", len(lines) - 1


def test_a_billion_laughs_rulebook_is_refused_naming_the_alias_line(tmp_path: Path) -> None:
    text, last = billion_laughs()
    path = tmp_path / "rulebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as refused:
        load_rulebook(path)
    message = str(refused.value)
    assert f"past {MAX_NODES:,} nodes" in message
    line = int(
        message.split(f"{path}:")[2].split(":")[0]
    )  # the header names the file, then the line
    assert 2 <= line <= last
    alias = text.splitlines()[line - 1]
    assert "*" in alias  # the named line holds the aliases that multiply


def test_the_bomb_in_a_reasons_list_is_refused_too() -> None:
    text, _ = billion_laughs()
    with pytest.raises(ContractError, match="expands the document"):
        parse_reasons(text, "reasons.yaml")


def test_aliases_that_only_repeat_a_part_still_work(tmp_path: Path) -> None:
    text, _ = billion_laughs(levels=3)  # 9 * 9 * 9 = 729 strings: fine
    from scoring.located_yaml import parse_located

    doc = parse_located(text, "small.yaml")
    assert len(doc.data["c"]) == 9 and doc.data["c"][0][0][0] == "lol"


def test_an_oversized_definition_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text("# padding\n" * (MAX_BYTES // 10 + 1), encoding="utf-8")
    with pytest.raises(RulebookError, match="at most 2,097,152"):
        load_rulebook(path)
