"""Every `smarketing` command, driven with a bad input, answers with one clear line, never a traceback.

The cases run through `scoring.cli.main` (the console script's entry point) in this process; a test
walks the typer app and fails when a command has no case here, so a new command needs one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
import typer.main
from new_user_export import write_export

from scoring.cli import app, main
from scoring.learn import load_model
from scoring.learn.card import NOT_FEATURE

BAD_URL = "not-a-url"
NO_CONTACTS = "the database has no contacts: import a file or run `smarketing demo` first"

# (arguments, what the one error line names). In the arguments {empty} is an empty migrated
# database's URL, {data} a database holding an imported export, {file} an existing plain file (so
# "{file}/x" cannot be written), {tmp} a fresh folder and {model} a trained model file.
CASES: list[tuple[tuple[str, ...], str]] = [
    (("accounts", "-d", BAD_URL), BAD_URL),
    (("accounts", "--top", "0", "-d", "{empty}"), "'--top'"),
    (("compare", "--report", "{tmp}/r.md", "--model", "{tmp}/none.skops"), "no such model file"),
    (
        ("compare", "--report", "{tmp}/r.md", "--model", "{model}", "-d", "{empty}"),
        NO_CONTACTS,
    ),
    (("dashboard", "--port", "70000", "-d", "{empty}"), "'--port'"),
    (("dashboard", "-d", BAD_URL), BAD_URL),
    (("dashboard", "--demo-leads", "0", "-d", "{empty}"), "'--demo-leads'"),
    (("db", "upgrade", "-d", "sqlite:///{file}/x.db"), "cannot make its folder {file}"),
    (("db", "upgrade", "-d", BAD_URL), BAD_URL),
    (("demo", "--leads", "0", "-d", "{empty}"), "--leads"),
    (("demo", "--leads", "-1", "-d", "{empty}"), "--leads"),
    (
        ("export", "--since", "2024-01-01", "{file}/out", "-d", "{empty}"),
        "{file} is a file, not a folder",
    ),
    (("export", "--since", "last week", "{tmp}/out", "-d", "{empty}"), "last week"),
    (("feedback", "check-values", "{tmp}/missing.yaml"), "missing.yaml"),
    (("feedback", "parked", "-d", BAD_URL), BAD_URL),
    (
        ("feedback", "resolve", "999", "--reason", "no_budget", "-d", "{empty}"),
        "parked verdict 999",
    ),
    (("handoff", "dead", "-d", BAD_URL), BAD_URL),
    (("handoff", "replay", "999", "-d", "{empty}"), "outbox id(s) 999: no such dead letter"),
    (("handoff", "replay", "-d", "{empty}"), "name outbox ids or pass --all"),
    (("handoff", "status", "-d", BAD_URL), BAD_URL),
    (("import", "canonical", "{tmp}/no-such-file.csv", "-d", "{empty}"), "no-such-file.csv"),
    (("info", "-d", "sqlite:///{tmp}/no/x.db"), "the folder {tmp}/no does not exist"),
    (("info", "-d", BAD_URL), BAD_URL),
    (("init", "{file}"), "exists and is not a folder"),
    (("init", "{tmp}/filled"), "already there"),
    (("lifecycle", "check", "{tmp}/missing.yaml"), "missing.yaml"),
    (("lifecycle", "move", "999", "mql", "-d", "{empty}"), "999"),
    (("lifecycle", "move", "1", "limbo", "-d", "{data}"), "limbo"),
    (("lifecycle", "show", "--contract", "{tmp}/missing.yaml"), "missing.yaml"),
    (("model", "publish", "{tmp}/none.skops", "--by", "ann", "-d", "{empty}"), "none.skops"),
    (("model", "rollback", "v999", "--by", "ann", "-d", "{empty}"), "`smarketing model show`"),
    (("model", "show", "-d", BAD_URL), BAD_URL),
    (("mql-list", "--out", "{file}/list.csv", "-d", "{data}"), "{file} is a file, not a folder"),
    (("mql-list", "--out", "{tmp}/list.docx", "-d", "{data}"), "use a .csv, .parquet or .xlsx"),
    (
        ("objectives", "check", "--objectives", "{tmp}/missing.yaml", "-d", "{empty}"),
        "missing.yaml",
    ),
    (
        ("openapi", "--write", "{tmp}/no-folder/openapi.json"),
        "cannot write there: the folder {tmp}/no-folder does not exist",
    ),
    (
        ("policy", "publish", "lifecycle", "{tmp}/missing.yaml", "--by", "ann", "-d", "{empty}"),
        "missing.yaml",
    ),
    (
        ("policy", "rollback", "reasons", "v999", "--by", "ann", "-d", "{empty}"),
        "no published reasons version 'v999' (see `smarketing policy versions reasons`)",
    ),
    (("policy", "show", "-d", BAD_URL), BAD_URL),
    (("policy", "versions", "recipes", "-d", "{empty}"), "recipes"),
    (("reps", "-d", BAD_URL), BAD_URL),
    (("rules", "check", "{tmp}/missing.yaml"), "missing.yaml"),
    (("rules", "columns", "--features", "{tmp}/missing.yaml"), "missing.yaml"),
    (("rules", "diff", "current", "v999", "-d", "{empty}"), "v999"),
    (("rules", "explain", "--lead", "999999", "-d", "{empty}"), "lead 999999"),
    (("rules", "publish", "{tmp}/missing.yaml", "--by", "ann", "-d", "{empty}"), "missing.yaml"),
    (("rules", "rollback", "v999", "--by", "ann", "-d", "{empty}"), "v999"),
    (("rules", "shadow", "abort", "--by", "ann", "-d", "{empty}"), "no shadow or canary"),
    (("rules", "shadow", "compare", "-d", "{empty}"), "no shadow or canary"),
    (("rules", "shadow", "promote", "--by", "ann", "-d", "{empty}"), "no shadow or canary"),
    (("rules", "shadow", "status", "-d", BAD_URL), BAD_URL),
    (("rules", "sql", "--dialect", "oracle"), "oracle"),
    (
        ("rules", "suggest", "--out", "{tmp}/s.yaml", "--cutoff", "2024-01-01", "-d", "{empty}"),
        NO_CONTACTS,
    ),
    (("rules", "versions", "-d", BAD_URL), BAD_URL),
    (("score", "--out", "{file}/scores.csv", "-d", "{data}"), "{file} is a file, not a folder"),
    (("serve", "-d", BAD_URL), BAD_URL),
    (("serve", "--log-level", "chatty", "-d", "{empty}"), "chatty"),
    (("serve", "--port", "70000", "-d", "{empty}"), "'--port'"),
    (("sla", "--stage", "limbo", "-d", "{empty}"), "--stage 'limbo': the lifecycle contract"),
    (("sources", "add", "web", "--scope", "everything", "-d", "{empty}"), "everything"),
    (("sources", "list", "-d", BAD_URL), BAD_URL),
    (("sources", "revoke", "ghost", "-d", "{empty}"), "ghost"),
    (("sources", "rotate", "ghost", "-d", "{empty}"), "ghost"),
    (
        ("suggest-rules", "--out", "{tmp}/s.yaml", "--cutoff", "2024-01-01", "-d", "{empty}"),
        NO_CONTACTS,
    ),
    (("train", "--split", "random", "-d", "{empty}"), NO_CONTACTS),
    (
        ("train", "--split", "random", "--not-feature", "shoe_size", "-d", "{data}"),
        "no such column to leave out: 'shoe_size'",
    ),
    (("warehouse", "dbt", "{file}", "--rulebook", "{tmp}/missing.yaml"), "missing.yaml"),
    (("warehouse", "dbt", "{file}"), "{file} is a file, not a folder"),
    (
        ("warehouse", "export", "--out", "{file}/parquet", "-d", "{empty}"),
        "{file} is a file, not a folder",
    ),
    (
        ("warehouse", "score", "--engine", "oracle", "--source", "{tmp}", "--out", "{tmp}/o"),
        "oracle",
    ),
    (
        ("warehouse", "score", "--engine", "duckdb", "--source", "{tmp}/none", "--out", "{tmp}/o"),
        "{tmp}/none",
    ),
    (("whatif", "--thresholds", "30", "-d", "{empty}"), NO_CONTACTS),
    (("worker", "-d", BAD_URL), BAD_URL),
    (("worker", "--adapter", "carrier-pigeon", "-d", "{empty}"), "carrier-pigeon"),
]


@pytest.fixture(scope="module", autouse=True)
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Nothing a case does reaches the checkout's var/ or the user's environment."""
    folder = tmp_path_factory.mktemp("bad_input_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SMARKETING_HOME", str(folder))
        patch.setenv("SMARKETING_SECRET_KEY", "k" * 40)  # `sources rotate` gets past the key
        for name in (
            "SMARKETING_TRACEBACK",
            "SMARKETING_DATABASE_URL",
            "SMARKETING_DATABASE_URL_FILE",
        ):
            patch.delenv(name, raising=False)
        yield folder


@pytest.fixture(scope="module")
def data(home: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding a generated lead export (final outcomes, no dates, custom fields)."""
    folder = tmp_path_factory.mktemp("bad_input_data")
    csv, profile = write_export(folder, leads=200, seed=3)
    url = f"sqlite:///{folder / 'leads.db'}"
    code, said = _smarketing("import", str(profile), str(csv), "-d", url)
    assert code == 0, said
    return url


@pytest.fixture(scope="module")
def model(data: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad_input_model") / "won.skops"
    code, said = _smarketing("train", "--split", "random", "--kind", "logistic",
                             "--resamples", "20", "--out", str(path), "-d", data)  # fmt: skip
    assert code == 0, said
    return path


def _smarketing(*args: str) -> tuple[int, str]:
    """Exit status and everything printed (stdout, then stderr) by the console script's entry point."""
    out, err = StringIO(), StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        sys.stdout, sys.stderr = saved
    return code, out.getvalue() + err.getvalue()


def _command_of(args: tuple[str, ...]) -> str:
    """The command path an argument list names (`rules check`), read off the typer app."""
    command, path = typer.main.get_command(app), []
    for arg in args:
        subcommands = getattr(command, "commands", None)
        if not subcommands or arg not in subcommands:
            break
        command, path = subcommands[arg], [*path, arg]
    return " ".join(path)


def _leaves(command: object, path: tuple[str, ...] = ()) -> Iterator[str]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield " ".join(path)
        return
    for name, sub in subcommands.items():
        yield from _leaves(sub, (*path, name))


def test_every_command_has_a_bad_input_case() -> None:
    declared = set(_leaves(typer.main.get_command(app)))
    driven = {_command_of(args) for args, _ in CASES}
    assert declared - driven == set(), "commands without a bad-input case in CASES"
    assert driven - declared == set(), "cases for commands the app does not declare"


@pytest.mark.parametrize(
    ("args", "named"), CASES, ids=lambda v: " ".join(v) if isinstance(v, tuple) else None
)
def test_bad_input_gives_one_clear_line(
    args: tuple[str, ...], named: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    places = {"tmp": str(tmp_path), "file": str(tmp_path / "plain.txt")}
    (tmp_path / "plain.txt").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "filled").mkdir()
    (tmp_path / "filled" / "rulebook.yaml").write_text("version: mine\n", encoding="utf-8")
    places["empty"] = f"sqlite:///{tmp_path / 'empty.db'}"
    text = " ".join(args)
    if "{data}" in text:
        places["data"] = request.getfixturevalue("data")
    if "{model}" in text:
        places["model"] = str(request.getfixturevalue("model"))
    code, said = _smarketing(*(arg.format(**places) for arg in args))
    flat = " ".join(said.split())
    assert code != 0, said
    assert "Traceback" not in said and "unexpected" not in said, said
    assert named.format(**places) in flat, said
    errors = [line for line in said.splitlines() if line.startswith("error:")]
    assert len(errors) <= 1, said


def test_a_text_column_splits_at_random_and_left_out_columns_are_in_the_card(
    data: str, tmp_path: Path
) -> None:
    code, said = _smarketing("train", "--split", "random", "--split-column", "occupation",
                             "--not-feature", "company", "--kind", "logistic", "--resamples", "20",
                             "--out", str(tmp_path / "m.skops"), "-d", data)  # fmt: skip
    flat = " ".join(said.split())
    assert code == 0, said
    assert "OUTCOMES TREATED AS FINAL" in flat  # a category holds no dates: no outcome window
    assert "Left out on request (not features): `company`" in flat
    card = load_model(tmp_path / "m.skops").card
    assert {"column": "company", "signal": NOT_FEATURE, "evidence": "left out on request"} in (
        card.excluded
    )
    assert not any("company" in columns for columns in card.features.values())


def test_a_database_folder_is_made_only_for_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = tmp_path / "typo" / "x.db"
    code, said = _smarketing("info", "-d", f"sqlite:///{typed}")
    assert code == 1 and f"the folder {typed.parent} does not exist" in said
    assert not typed.parent.exists()
    home = tmp_path / "new" / "home"
    monkeypatch.setenv("SMARKETING_HOME", str(home))
    code, said = _smarketing("info")
    assert code == 0, said
    assert (home / "smarketing.db").is_file()
