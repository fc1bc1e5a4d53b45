"""Custom fields: a data set's own columns as typed features for rules, SQL push-down and proposals."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from custom_export import write_export
from sources_world import UCI
from sqlalchemy import Engine
from typer.testing import CliRunner

from scoring.cli import app
from scoring.errors import DataError, DefinitionError, RulebookError
from scoring.features.custom import fields_from_profile, known_at
from scoring.features.dictionary import parse_feature_dictionary
from scoring.features.table import feature_arrow
from scoring.rules import Rulebook, evaluate_hits, explain, parse_rulebook, score
from scoring.sources import import_files, load_profile
from scoring.store.custom import read_custom_fields
from scoring.store.features import read_features, write_features
from scoring.warehouse import compile_rulebook
from scoring.warehouse.dialects import register_sqlite_functions

AS_OF = datetime(2100, 1, 1)
runner = CliRunner()

EXPORT_RULES = """
version: custom-1
mql: {threshold: 15}
gates:
  - id: emailable
    require: {column: custom.do_not_email, op: is_false}
    message: the lead accepts email
rules:
  - {id: long_visit, group: fit, when: {column: custom.time_on_website, op: gte, value: 900},
     points: 20}
  - {id: mid_visit, group: fit, when: {column: custom.time_on_website, op: between,
     value: [300, 899.5]}, points: 5}
  - {id: add_form, group: fit, when: {column: custom.lead_origin, op: in, value: [Lead Add Form]},
     points: 10}
  - {id: not_api, group: fit, when: {column: custom.lead_origin, op: not_in, value: [API]},
     points: 2}
  - {id: landing, group: fit, when: {column: custom.lead_origin, op: contains_any, value: [LANDING]},
     points: 1}
  - {id: form_word, group: fit, when: {column: custom.lead_origin, op: matches, value: "form$"},
     points: 1}
  - {id: visits_unknown, group: engagement, when: {column: custom.total_visits, op: is_missing},
     points: -3}
  - {id: many_visits, group: engagement, when: {all: [{column: custom.total_visits, op: gt,
     value: 6}, {column: lead_source, op: eq, value: Google}]}, points: 7}
  - {id: few_visits, group: engagement, when: {column: custom.total_visits, op: lte, value: 1},
     points: -2}
"""


def _import_export(engine: Engine, folder: Path) -> None:
    export, profile = write_export(folder)
    import_files(engine, load_profile(str(profile)), [str(export)])


def _sql_scores(engine: Engine, leads: pd.DataFrame, rulebook: Rulebook) -> pd.DataFrame:
    used = leads[["lead_id", *sorted(rulebook.columns)]]
    with engine.begin() as connection:
        write_features(connection, used, table="custom_scored")
        driver = connection.connection.driver_connection
        if engine.dialect.name == "sqlite":
            register_sqlite_functions(driver)
        cursor = driver.cursor()
        cursor.execute(compile_rulebook(rulebook, engine.dialect.name, table="custom_scored"))
        rows = cursor.fetchall()
    return _by_lead(rows)


def _by_lead(rows: list) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(r)[:7] for r in rows]).iloc[:, [0, 3, 5, 6]]
    frame.columns = ["lead_id", "score", "failed_gates", "mql"]
    return frame.sort_values("lead_id").reset_index(drop=True)


def _assert_same(expected: pd.DataFrame, actual: pd.DataFrame) -> None:
    assert list(actual["lead_id"]) == list(expected["lead_id"])
    np.testing.assert_array_equal(actual["score"].to_numpy(float), expected["score"])
    assert list(actual["failed_gates"].fillna("")) == list(expected["failed_gates"])
    assert list(actual["mql"].astype(bool)) == list(expected["mql"])


def test_a_profile_declares_typed_custom_fields_with_when_they_are_known() -> None:
    uci = fields_from_profile(load_profile("uci_bank_marketing"))
    assert (uci["age"].kind, uci["job"].kind, uci["euribor3m"].kind) == (
        "number",
        "category",
        "number",
    )
    when = known_at(uci)
    assert when["custom.duration"] == "post_outcome"
    assert when["custom.age"] == "creation"


def test_import_stores_custom_fields_as_typed_feature_columns(
    engine: Engine, tmp_path: Path
) -> None:
    _import_export(engine, tmp_path)
    assert set(read_custom_fields(engine)) == {
        "lead_origin",
        "total_visits",
        "time_on_website",
        "do_not_email",
    }
    leads = read_features(engine, as_of=AS_OF)
    assert len(leads) == 400
    assert isinstance(leads["custom.lead_origin"].dtype, pd.CategoricalDtype)
    assert str(leads["custom.total_visits"].dtype) == "float64"
    assert str(leads["custom.do_not_email"].dtype) == "bool"
    source = pd.read_csv(tmp_path / "leads.csv", dtype=str, keep_default_na=False)
    by_id = leads.set_index(leads["lead_id"].rank(method="first").astype(int) - 1)
    visits = pd.to_numeric(source["TotalVisits"].replace("", np.nan))
    np.testing.assert_array_equal(by_id["custom.total_visits"].to_numpy(), visits.to_numpy())
    assert list(by_id["custom.lead_origin"].astype(str)) == list(source["Lead Origin"])


def test_rules_over_custom_fields_score_the_same_in_numpy_and_sql(
    engine: Engine, tmp_path: Path
) -> None:
    _import_export(engine, tmp_path)
    leads = read_features(engine, as_of=AS_OF)
    rulebook = parse_rulebook(EXPORT_RULES, "custom.yaml", custom=read_custom_fields(engine))
    expected = score(evaluate_hits(rulebook, leads)).frame()
    assert 0 < int(expected["mql"].sum()) < len(leads)
    assert (expected["score"] != 0).all() or (expected["score"] != 0).any()
    _assert_same(expected, _sql_scores(engine, leads, rulebook))
    connection = duckdb.connect()
    try:
        connection.register("source", feature_arrow(leads[["lead_id", *sorted(rulebook.columns)]]))
        connection.execute("CREATE TABLE features AS SELECT * FROM source")
        rows = connection.execute(compile_rulebook(rulebook, "duckdb")).fetchall()
    finally:
        connection.close()
    _assert_same(expected, _by_lead(rows))


def test_explanations_name_the_custom_field(engine: Engine, tmp_path: Path) -> None:
    _import_export(engine, tmp_path)
    leads = read_features(engine, as_of=AS_OF)
    rulebook = parse_rulebook(EXPORT_RULES, "custom.yaml", custom=read_custom_fields(engine))
    hits = evaluate_hits(rulebook, leads)
    lead = int(leads.loc[leads["custom.time_on_website"] >= 900, "lead_id"].iloc[0])
    assert "time on website is at least 900" in str(explain(hits, lead))


def test_an_unknown_column_lists_the_custom_fields() -> None:
    fields = fields_from_profile(load_profile(str(write_export_profile())))
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(
            EXPORT_RULES.replace(
                "custom.total_visits, op: is_missing", "TotalVisits, op: is_missing"
            ),
            "custom.yaml",
            custom=fields,
        )
    [problem] = caught.value.problems
    message = str(problem)
    assert message.startswith("custom.yaml:21: unknown column 'TotalVisits'")
    for name in ("custom.total_visits", "custom.lead_origin", "custom.time_on_website"):
        assert name in message
    assert "built-in columns (docs/rulebook.md#feature-columns)" in message
    assert "list every column with `smarketing rules columns`" in message


def write_export_profile() -> Path:
    import tempfile

    return write_export(Path(tempfile.mkdtemp()), leads=1)[1]


def test_a_rulebook_declares_its_own_custom_fields_and_they_are_checked() -> None:
    text = EXPORT_RULES.replace(
        "mql: {threshold: 15}",
        "fields:\n  total_visits: {type: number, label: website visits, known_at: activity}\n"
        "  time_on_website: {type: number}\n  lead_origin: {type: category}\n"
        "  do_not_email: {type: flag}\nmql: {threshold: 15}",
    )
    rulebook = parse_rulebook(text, "own.yaml")
    assert dict(rulebook.custom)["custom.total_visits"] == "number"
    assert rulebook.rule("few_visits").english() == "website visits is at most 1"
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(text.replace("type: flag", "type: yes_no"), "own.yaml")
    first, then = (str(p) for p in caught.value.problems)
    assert first == "own.yaml:7: do_not_email: type must be one of number, category, flag"
    assert then.startswith("own.yaml:11: unknown column 'custom.do_not_email'")


def test_the_feature_dictionary_reports_every_problem_with_its_line() -> None:
    text = (
        "fields:\n"
        "  total_visits: {type: number, known_at: activity}\n"
        "  lead_origin: {type: text}\n"
        "  bad-name: {type: number}\n"
        "  spent: {type: number, known_at: later, colour: red}\n"
    )
    with pytest.raises(DefinitionError) as caught:
        parse_feature_dictionary(text, "features.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "features.yaml:3: lead_origin: type must be one of number, category, flag",
        "features.yaml:4: field name 'bad-name' must be letters, digits and _",
        "features.yaml:5: spent: unknown key 'colour'",
        "features.yaml:5: spent: known_at must be one of creation, activity, post_outcome",
    ]
    fields = parse_feature_dictionary(text.split("  lead_origin")[0], "features.yaml")
    assert known_at(fields) == {"custom.total_visits": "activity"}


def test_rules_suggest_proposes_custom_rules_where_the_default_rulebook_has_no_mql(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'export.db'}"
    export, profile = write_export(tmp_path)
    imported = runner.invoke(
        app, ["import", str(profile), str(export), "--database", url], catch_exceptions=False
    )
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "proposed.yaml"
    result = runner.invoke(app, ["rules", "suggest", "--database", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    proposed = parse_rulebook(out.read_text(encoding="utf-8"), "proposed.yaml")
    assert any(c.startswith("custom.") for c in proposed.columns)
    lines = {line.split("|")[1].strip(): line for line in result.output.splitlines() if "|" in line}
    default = [c.strip() for c in lines["default rulebook"].split("|")]
    mine = [c.strip() for c in lines["proposed"].split("|")]
    assert int(default[3]) == 0 and int(mine[3]) > 0
    assert float(mine[5]) > float(mine[6])  # precision above the base rate
    assert "| added |" in result.output and "wrote" in result.output


@pytest.mark.slow
@pytest.mark.skipif(not UCI.is_file(), reason=f"{UCI} is not present")
def test_uci_custom_fields_score_the_same_in_numpy_and_sql(engine: Engine) -> None:
    import_files(engine, load_profile("uci_bank_marketing"), [str(UCI)])
    fields = read_custom_fields(engine)
    assert fields["duration"].known_at == "post_outcome"
    rulebook = parse_rulebook(
        "version: uci-1\nmql: {threshold: 10}\nrules:\n"
        "  - {id: low_rate, group: fit, when: {column: custom.euribor3m, op: lt, value: 1.5},"
        " points: 8}\n"
        "  - {id: students, group: fit, when: {column: custom.job, op: in, value: [student,"
        " retired]}, points: 4}\n"
        "  - {id: reached_before, group: engagement, when: {column: custom.pdays, op: is_present},"
        " points: 5}\n",
        "uci.yaml",
        custom=fields,
    )
    leads = read_features(engine, as_of=AS_OF)
    expected = score(evaluate_hits(rulebook, leads)).frame()
    assert int(expected["mql"].sum()) > 0
    _assert_same(expected, _sql_scores(engine, leads, rulebook))


def test_rules_check_reads_custom_fields_from_a_profile(tmp_path: Path) -> None:
    _, profile = write_export(tmp_path, leads=1)
    book = tmp_path / "custom.yaml"
    book.write_text(EXPORT_RULES, encoding="utf-8")
    checked = runner.invoke(app, ["rules", "check", str(book), "--profile", str(profile)])
    assert checked.exit_code == 0, checked.output
    assert "rulebook custom-1 is valid: 9 rules" in checked.output
    refused = runner.invoke(app, ["rules", "check", str(book)])
    assert isinstance(refused.exception, RulebookError)
    assert "unknown column 'custom.time_on_website'" in str(refused.exception)
    assert "custom fields: none declared" in str(refused.exception)


def test_the_docs_custom_fields_example_is_a_valid_rulebook() -> None:
    from scoring.settings import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "rulebook.md").read_text(encoding="utf-8")
    example = text.split("## Custom fields", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    rulebook = parse_rulebook(f"version: docs\nmql: {{threshold: 5}}\n{example}", "docs")
    assert rulebook.rule("many_visits").english() == "website visits is at least 5"


def test_a_custom_field_of_another_kind_in_the_data_is_refused_by_name() -> None:
    rulebook = parse_rulebook(
        "version: k\nfields: {lead_origin: {type: category}}\nmql: {threshold: 1}\nrules:\n"
        "  - {id: a, group: fit, when: {column: custom.lead_origin, op: in, value: [API]},"
        " points: 1}\n",
        "k.yaml",
    )
    leads = pd.DataFrame({"lead_id": [1, 2], "custom.lead_origin": [1.0, 2.0]})
    with pytest.raises(DataError) as caught:
        evaluate_hits(rulebook, leads)
    assert [str(p) for p in caught.value.problems] == [
        "custom.lead_origin: the rulebook reads a category column; the data holds a number column"
    ]
    leads["custom.lead_origin"] = pd.Categorical(["API", None])
    assert list(score(evaluate_hits(rulebook, leads)).total) == [1.0, 0.0]


def test_a_post_outcome_field_is_never_proposed_however_well_it_predicts() -> None:
    from scoring.features.custom import CustomField
    from scoring.learn.starter import propose_rulebook

    rng = np.random.default_rng(5)
    won = rng.random(600) < 0.3
    leads = pd.DataFrame(
        {
            "lead_id": np.arange(600),
            "custom.call_seconds": np.where(won, 600.0, 60.0),  # known only once the call is over
            "custom.visits": np.where(won, rng.integers(3, 9, 600), rng.integers(0, 5, 600)) * 1.0,
        }
    )
    fields = {
        "call_seconds": CustomField("call_seconds", "number", known_at="post_outcome"),
        "visits": CustomField("visits", "number", known_at="activity"),
    }
    assert known_at(fields, bare=True) == {"call_seconds": "post_outcome", "visits": "activity"}
    proposal = propose_rulebook(leads, won, custom=fields)
    assert proposal.rulebook.columns == {"custom.visits"}
    assert {r.group for r in proposal.rulebook.rules} == {"engagement"}
    assert "call_seconds" not in proposal.yaml
