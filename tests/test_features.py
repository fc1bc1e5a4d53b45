"""The lead feature frame: every column documented and typed; behaviour equals a brute-force count;
only the past is used; the database reader gives the same frame on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from lead_sources import AS_OF, insert_sources, lead_sources
from sqlalchemy import Engine

from scoring.db.models import TOUCH_KINDS
from scoring.features import FEATURES, build_features, load_competitors
from scoring.features.columns import ASSET_NOUNS, KIND_NOUNS, KINDS, PAGE_NOUNS, WINDOWS
from scoring.features.quality import email_domains, email_valid, in_domains
from scoring.features.table import feature_arrow
from scoring.features.taxonomy import ASSET_PATTERNS, URL_PATTERNS
from scoring.store.features import read_features

COMPETITORS = {"rival.io"}


@pytest.fixture(scope="module")
def sources():
    return lead_sources(40, seed=3)


@pytest.fixture(scope="module")
def leads(sources) -> pd.DataFrame:
    return build_features(*sources, as_of=AS_OF, competitor_domains=COMPETITORS)


def test_every_column_is_documented_and_typed(leads: pd.DataFrame) -> None:
    assert list(leads.columns) == list(FEATURES)
    for name, column in FEATURES.items():
        assert column.kind in KINDS and column.label and column.help.endswith("."), name
        assert column.matches_dtype(leads[name].dtype), (name, leads[name].dtype)


def test_vocabularies_match_the_data_model_and_the_taxonomy() -> None:
    assert tuple(KIND_NOUNS) == TOUCH_KINDS
    assert list(PAGE_NOUNS) == list(URL_PATTERNS)
    assert list(ASSET_NOUNS) == list(ASSET_PATTERNS)


def test_only_contacts_created_before_as_of_are_rows(sources, leads: pd.DataFrame) -> None:
    contacts = sources[0]
    expected = sorted(contacts.loc[contacts["created_at"] < AS_OF, "id"])
    assert leads["lead_id"].tolist() == expected


def _brute_force(touches: pd.DataFrame, lead_id: int) -> dict[str, float]:
    mine = touches[(touches["contact_id"] == lead_id) & (touches["occurred_at"] < AS_OF)]
    out: dict[str, float] = {}
    for window in (*WINDOWS, None):
        recent = (
            mine if window is None else mine[mine["occurred_at"] >= AS_OF - timedelta(days=window)]
        )
        suffix = f"{window}d" if window else "total"
        out[f"touches_{suffix}"] = len(recent)
        for kind in KIND_NOUNS:
            out[f"{kind}_{suffix}"] = int((recent["kind"] == kind).sum())
        views = recent[recent["kind"] == "page_view"]
        for cls in URL_PATTERNS:
            first = [_first(u, URL_PATTERNS) for u in views["url"]]
            out[f"{cls}_views_{suffix}"] = first.count(cls)
        assets = [_first(a, ASSET_PATTERNS) for a in recent["asset"]]
        for cls in ASSET_PATTERNS:
            out[f"{cls}_assets_{suffix}"] = assets.count(cls)
    days = (AS_OF - mine["occurred_at"]).dt.total_seconds() / 86400
    out["days_since_touch"] = days.min() if len(mine) else np.nan
    for kind in KIND_NOUNS:
        chosen = days[mine["kind"] == kind]
        out[f"days_since_{kind}"] = chosen.min() if len(chosen) else np.nan
    return out


def _first(value: object, patterns: dict[str, str]) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return next((c for c, p in patterns.items() if re.search(p, str(value), re.IGNORECASE)), None)


def test_behaviour_equals_a_brute_force_count(sources, leads: pd.DataFrame) -> None:
    touches = sources[3]
    for row in leads.itertuples(index=False):
        expected = _brute_force(touches, row.lead_id)
        for name, value in expected.items():
            got = getattr(row, name)
            assert (np.isnan(got) and np.isnan(value)) or got == pytest.approx(value, abs=1e-9), (
                row.lead_id,
                name,
            )


def test_blank_text_is_missing_and_text_is_dictionary_encoded(leads: pd.DataFrame) -> None:
    titles = leads["job_title"]
    assert isinstance(titles.dtype, pd.CategoricalDtype)
    assert set(titles.cat.categories) == {"VP Sales", "Student", "Head of RevOps"}


def test_quality_flags() -> None:
    emails = pd.Series(["ada@acme.com", "x@y", "a b@c.com", None, "first.last+tag@sub.acme.io"])
    assert email_valid(emails).tolist() == [True, False, False, False, True]
    domains = pd.Series(["rival.io", "eu.rival.io", "notrival.io", None])
    assert in_domains(domains, {"rival.io"}).tolist() == [True, True, False, False]
    assert load_competitors() >= {"leadladder.ai"}


def test_quality_columns_follow_the_contact(sources, leads: pd.DataFrame) -> None:
    contacts = sources[0].set_index("id")
    for row in leads.itertuples(index=False):
        email = contacts.loc[row.lead_id, "email"]
        domain = email.split("@")[1] if isinstance(email, str) else None
        assert row.personal_email == (domain == "gmail.com")
        account = contacts.loc[row.lead_id, "account_id"]
        assert row.competitor == (domain in ("rival.io", "sub.rival.io") or account == 10)
        assert 0.0 <= row.completeness <= 1.0


def test_arrow_form_has_nulls_not_nans(leads: pd.DataFrame) -> None:
    arrow = feature_arrow(leads)
    assert arrow.schema.field("employees").type == pa.float64()
    assert arrow.column("employees").null_count == int(leads["employees"].isna().sum()) > 0
    assert arrow.column("industry").null_count == int(leads["industry"].isna().sum())


def test_database_reader_matches_the_pure_function(
    engine: Engine, sources, leads: pd.DataFrame
) -> None:
    insert_sources(engine, sources)
    read = read_features(engine, as_of=AS_OF, competitor_domains=COMPETITORS)
    pd.testing.assert_frame_equal(read, leads, check_categorical=False)
    one = read_features(
        engine,
        as_of=AS_OF,
        lead_ids=[int(leads["lead_id"].iloc[3])],
        competitor_domains=COMPETITORS,
    )
    pd.testing.assert_frame_equal(
        one.reset_index(drop=True), leads.iloc[[3]].reset_index(drop=True), check_categorical=False
    )


def test_edge_cases_one_bare_lead_and_no_leads(sources) -> None:
    contacts, accounts, campaigns, touches = sources
    bare = contacts.iloc[:1].assign(
        email=None, account_id=None, original_campaign_id=None, job_title=None
    )
    one = build_features(bare, accounts.iloc[:0], campaigns.iloc[:0], touches.iloc[:0], as_of=AS_OF)
    assert list(one.columns) == list(FEATURES) and len(one) == 1
    assert one["touches_total"].iloc[0] == 0 and np.isnan(one["days_since_touch"].iloc[0])
    assert not one["email_valid"].iloc[0] and one["email_domain"].isna().all()
    none = build_features(contacts.iloc[:0], accounts, campaigns, touches, as_of=AS_OF)
    assert list(none.columns) == list(FEATURES) and len(none) == 0


DOMAINS = pd.Series(
    ["acme.com", "sub.acme.com", "xacme.com", "acme.com.evil.io", "a..acme.com", "ACME.com", None,
     "", "com", "mail.gmail.com", "gmail.co"],
    dtype=object,
)  # fmt: skip


def _per_suffix(domains: pd.Series, listed: set[str]) -> np.ndarray:
    """The definition, one domain at a time: the domain or a parent of it is listed."""
    out = []
    for domain in domains:
        parts = str(domain).split(".") if isinstance(domain, str) else []
        out.append(any(".".join(parts[i:]) in listed for i in range(len(parts))))
    return np.array(out, dtype=bool)


@pytest.mark.parametrize("padding", [0, 100], ids=["column-operation", "lookup-per-domain"])
def test_listed_domains_match_the_domain_or_a_parent_whatever_the_list_length(padding: int) -> None:
    listed = {"acme.com", "gmail.com", ".com"} | {f"filler{i}.org" for i in range(padding)}
    assert in_domains(DOMAINS, listed).tolist() == _per_suffix(DOMAINS, listed).tolist()
    assert in_domains(DOMAINS, listed)[:3].tolist() == [True, True, False]


def test_the_email_domain_is_what_follows_the_last_at_sign_lower_cased() -> None:
    emails = pd.Series([" Ann@Acme.COM ", "a@b@c.org", "no-at-sign", "trailing@", None, "x@y"])
    domains = email_domains(emails)
    assert domains.index.equals(emails.index)
    assert [d if isinstance(d, str) else None for d in domains] == [
        "acme.com", "c.org", None, None, None, "y"
    ]  # fmt: skip
