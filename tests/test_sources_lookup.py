"""Lookups by natural key (scoring.sources.upsert.lookup): every stored key found, however it is
spelled and however many keys are asked for in one call."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert

from scoring.db.models import Campaign, Contact
from scoring.sources.upsert import ids_by_key, lookup

AT = datetime(2026, 1, 5, 9, 30)
ODD = ['say "hi"', "back\\slash", "it's", "Zürich – ünïcode", "12345", "[1, 2]", "null", "  "]


def test_lookup_finds_keys_with_quotes_backslashes_and_non_ascii(engine: Engine) -> None:
    rows = [{"code": c, "name": f"n{i}", "channel": "email"} for i, c in enumerate(ODD)]
    with engine.begin() as connection:
        connection.execute(insert(Campaign), rows)
        asked = pd.Series([*ODD, None, "absent", ODD[0]], dtype=object)
        found = lookup(connection, Campaign, "code", asked, "name")
    assert sorted(found.index) == sorted(ODD)
    assert found.loc["Zürich – ünïcode", "name"] == "n3"


def test_lookup_of_more_keys_than_one_statement_takes(engine: Engine) -> None:
    keys = [f"c-{i}" for i in range(2_500)]
    with engine.begin() as connection:
        connection.execute(
            insert(Contact),
            [
                {"external_id": k, "lifecycle_stage": "lead", "created_at": AT, "updated_at": AT}
                for k in keys[::2]
            ],
        )
        arrow = pd.Series(keys, dtype="string[pyarrow]")
        ids = ids_by_key(connection, Contact, "external_id", arrow)
        by_id = lookup(connection, Contact, "id", np.asarray(ids.to_numpy()), "external_id")
    assert sorted(ids.index) == sorted(keys[::2])
    assert sorted(by_id["external_id"]) == sorted(keys[::2])
