"""Reading CSV, Parquet and SQL sources, and locating every bad value the way people see their files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from scoring.errors import ConfigError
from scoring.reasons import load_reasons
from scoring.sources import profile_from_text, read_sources, transform

LEADS = """
name: leads
files:
  leads:
    templates: {contact.external_id: "x:{id}"}
    columns:
      email: contact.email
      age: {to: attributes.age, type: integer}
      signed_up: {to: contact.created_at, format: "%d.%m.%Y"}
"""


def _problems(profile_text: str, **files: str) -> list[str]:
    profile = profile_from_text(profile_text, "leads.yaml")
    tables, problems = read_sources(profile, files)
    _, found = transform(profile, tables, load_reasons().active_codes)
    return [str(p) for p in problems + found]


def _frames(profile_text: str, **files: str):
    profile = profile_from_text(profile_text, "leads.yaml")
    tables, problems = read_sources(profile, files)
    frames, found = transform(profile, tables, load_reasons().active_codes)
    assert problems + found == []
    return frames


def test_csv_rows_are_located_by_the_line_they_start_on(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        'id,email,age,signed_up\n1,a@x.io,"4\n2",01.02.2024\n2,b@x.io,forty,01.02.2024\n',
        encoding="utf-8",
    )
    assert _problems(LEADS, leads=str(path)) == [
        f"{path}:2:age: attributes.age: '4\\n2' is not a number",
        f"{path}:4:age: attributes.age: 'forty' is not a number",
    ]


def test_every_bad_cell_of_every_row_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        "id,email,age,signed_up\n1,not-an-email,1.5,2024-02-01\n,a@x.io,,31.02.2024\n",
        encoding="utf-8",
    )
    assert _problems(LEADS, leads=str(path)) == [
        f"{path}:2:email: contact.email: this value is not an email address",  # personal
        f"{path}:2:age: attributes.age: '1.5' is not a whole number",
        f"{path}:2:signed_up: contact.created_at: '2024-02-01' is not a valid datetime in the format %d.%m.%Y",
        f"{path}:3:signed_up: contact.created_at: '31.02.2024' is not a valid datetime in the format %d.%m.%Y",
        f"{path}:3:id: contact.external_id is required (template 'x:{{id}}')",
    ]


def test_rows_with_too_many_or_too_few_fields_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        "id,email,age,signed_up\n1,a@x.io,3\n2,b@x.io,4,01.01.2024,extra\n", encoding="utf-8"
    )
    assert _problems(LEADS, leads=str(path))[:2] == [
        f"{path}:2: row has 3 fields, the header has 4",
        f"{path}:3: row has 5 fields, the header has 4",
    ]


def test_bytes_that_are_not_the_declared_encoding_name_their_line_and_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(
        "id,email,age,signed_up\n1,a@x.io,3,01.01.2024\n2,b\xe9@x.io,4,\n".encode("latin-1")
    )
    problem = f"{path}:3:email: byte 0xe9 is not valid utf-8-sig"
    assert _problems(LEADS, leads=str(path))[0] == problem


def test_a_declared_encoding_and_delimiter_are_used(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes("id;email;age;signed_up\n1;andré@x.io;3;01.01.2024\n".encode("latin-1"))
    profile = LEADS.replace("  leads:\n", "  leads:\n    encoding: latin-1\n    delimiter: ';'\n")
    frames = _frames(profile, leads=str(path))
    assert frames.contacts["email"].tolist() == ["andré@x.io"]


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\xef\xbb\xbfid,email,age,signed_up\n7,a@x.io,3,01.01.2024\n")
    assert _frames(LEADS, leads=str(path)).contacts["external_id"].tolist() == ["x:7"]


def test_parquet_rows_are_numbered_from_one(tmp_path: Path) -> None:
    path = tmp_path / "leads.parquet"
    pd.DataFrame(
        {
            "id": [1, 2],
            "email": ["a@x.io", "b@x.io"],
            "age": [31.0, 2.5],
            "signed_up": ["01.01.2024"] * 2,
        }
    ).to_parquet(path)
    assert _problems(LEADS, leads=str(path)) == [
        f"{path}:2:age: attributes.age: 2.5 is not a whole number"
    ]


def test_parquet_typed_columns_are_taken_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "leads.parquet"
    signed_up = pd.Series([pd.Timestamp("2024-01-01 10:00"), pd.NaT])
    pd.DataFrame(
        {"id": [1, 2], "email": ["a@x.io", None], "age": [31, 40], "signed_up": signed_up}
    ).to_parquet(path)
    frames = _frames(LEADS, leads=str(path))
    assert frames.contacts["external_id"].tolist() == ["x:1", "x:2"]
    assert frames.contacts["attributes"].tolist() == [{"age": 31}, {"age": 40}]
    assert frames.contacts["created_at"].tolist()[0] == pd.Timestamp("2024-01-01 10:00")


@pytest.fixture
def crm_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE leads (id INTEGER, email TEXT, age TEXT, signed_up TEXT)")
        )
        connection.execute(
            text(
                "INSERT INTO leads VALUES (1, 'a@x.io', '30', '01.01.2024'), (2, 'b@x.io', 'old', '01.01.2024')"
            )
        )
    engine.dispose()
    return url


def test_a_sql_table_is_a_source_with_rows_numbered_from_one(crm_url: str) -> None:
    profile = LEADS.replace("  leads:\n", "  leads:\n    format: sql\n    table: leads\n")
    assert _problems(profile, leads=crm_url) == [
        f"{crm_url}#leads:2:age: attributes.age: 'old' is not a number"
    ]


def test_a_sql_query_is_a_source(crm_url: str) -> None:
    query = "select id, email, age, signed_up from leads where age <> 'old'"
    profile = LEADS.replace("  leads:\n", f'  leads:\n    format: sql\n    query: "{query}"\n')
    assert _frames(profile, leads=crm_url).contacts["external_id"].tolist() == ["x:1"]


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    profile = profile_from_text(LEADS, "leads.yaml")
    with pytest.raises(ConfigError, match="no such file"):
        read_sources(profile, {"leads": str(tmp_path / "nope.csv")})


JOINED = """
files:
  people:
    templates: {contact.external_id: "p:{id}"}
    columns: {email: contact.email}
  deals:
    join: {file: people, left_key: id, right_key: person}
    matched: outcome.won
    columns: {amount: outcome.amount}
"""


def test_a_joined_file_aligns_on_differently_named_keys(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,email\n1,a@x.io\n2,b@x.io\n", encoding="utf-8")
    deals = tmp_path / "deals.csv"
    deals.write_text("person,amount\n2,99.5\n", encoding="utf-8")
    contacts = _frames(JOINED, people=str(people), deals=str(deals)).contacts
    assert contacts["won"].tolist() == [False, True]
    assert [None if pd.isna(a) else a for a in contacts["amount"]] == [None, Decimal("99.50")]


def test_a_joined_file_with_a_repeated_key_names_both_lines(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,email\n1,a@x.io\n", encoding="utf-8")
    deals = tmp_path / "deals.csv"
    deals.write_text("person,amount\n1,10\n,5\n1,20\n", encoding="utf-8")
    assert _problems(JOINED, people=str(people), deals=str(deals)) == [
        f"{deals}:3:person: the join key is empty",
        f"{deals}:4:person: join key '1' appears twice (first on line 2)",
    ]
