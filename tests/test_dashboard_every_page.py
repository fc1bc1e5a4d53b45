"""Every page of the dashboard's navigation (found there, so a new page is covered too) over one
demo database: labels instead of codes, no missing value written as None/nan, no server path in
any element, every chart titled with its units on its axes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from conftest import demo_database, open_page
from page_checks import codes, problems
from streamlit.testing.v1 import AppTest

from dashboard.navigation import NAVIGATION
from scoring.settings import PROJECT_ROOT

PAGES = [f"pages/{file}" for entries in NAVIGATION.values() for file, _, _ in entries]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "every_page", 3000, 7)


@pytest.fixture(scope="module")
def vocabulary() -> dict[str, str]:
    return codes()


def _careless_page() -> None:
    """A page breaking every rule once: a code header, a stage code, a gap, a path, a bare chart."""
    import pandas as pd
    import plotly.graph_objects as go
    import streamlit as st

    st.dataframe(pd.DataFrame({"job_title": ["CTO", None], "stage": ["mql", "Lead"]}))
    st.table(pd.DataFrame({"item": ["rule industry_core"]}))
    st.caption("Read from /srv/smarketing/demo.db")
    st.plotly_chart(go.Figure(go.Bar(x=["a"], y=[1])))


def _labelled_page() -> None:
    """The same content shown as pages show it."""
    import pandas as pd
    import plotly.graph_objects as go
    import streamlit as st

    from dashboard import display

    frame = pd.DataFrame({"job_title": ["CTO", None], "stage": ["mql", "lead"]})
    display.table(st, frame, why="not recorded")
    st.plotly_chart(
        go.Figure(go.Bar(x=["a"], y=[1])).update_layout(
            title="Leads per campaign", xaxis_title="campaign", yaxis_title="leads"
        )
    )


def test_the_checks_catch_each_breach_and_pass_the_labelled_table(
    vocabulary: dict[str, str],
) -> None:
    careless = AppTest.from_function(_careless_page).run()
    found = "\n".join(problems(careless, vocabulary, ["/srv/smarketing"]))
    for breach in (
        "header 'job_title' is a code",
        "column 'job_title' shows 'None'",
        "column 'stage' shows the code 'mql'",
        "table 0: column 'item' shows the code 'rule industry_core'",
        "caption: names a server path",
        "chart 0: no title",
        "xaxis has no title",
    ):
        assert breach in found, found
    labelled = AppTest.from_function(_labelled_page).run()
    assert not problems(labelled, vocabulary, ["/srv/smarketing"])
    table = labelled.dataframe[0].value
    assert list(table["stage"]) == ["Marketing-qualified lead", "Lead"]
    assert list(table["job_title"]) == ["CTO", "—"]
    assert labelled.caption[0].value == "—: not recorded."


@pytest.mark.parametrize("page", PAGES)
def test_the_page_shows_labels_no_gaps_no_paths_and_titled_charts(
    page: str, demo_url: str, vocabulary: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = cast(AppTest, open_page(demo_url, page, monkeypatch))
    assert not app.error, [e.value for e in app.error]
    database_folder = str(Path(demo_url.removeprefix("sqlite:///")).parent)
    found = problems(app, vocabulary, [str(PROJECT_ROOT), database_folder])
    assert not found, "\n".join(found)


def _shown(app: AppTest) -> int:
    """Table rows and charts on the page."""
    return sum(len(d.value) for d in app.dataframe) + len(app.get("plotly_chart"))


def _tune_a_weight(app: AppTest) -> None:
    """Move the first rule weight: the lab lists the leads that change and the rule diff."""
    slider = next(s for s in app.slider if str(s.key).startswith("lab_weight_"))
    slider.set_value(float(slider.value) + 10).run()


def _train(app: AppTest) -> None:
    """Train and compare: curves, calibration, the report tables."""
    app.button(key="model_train").click().run()


@pytest.mark.parametrize(
    ("page", "act"),
    [("pages/scoring_lab.py", _tune_a_weight), ("pages/rules_vs_model.py", _train)],
    ids=["scoring_lab tuned", "rules_vs_model trained"],
)
def test_what_a_page_shows_after_its_action_follows_the_same_rules(
    page: str,
    act: Callable[[AppTest], None],
    demo_url: str,
    vocabulary: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = cast(AppTest, open_page(demo_url, page, monkeypatch))
    before = _shown(app)
    act(app)
    assert not app.exception and not app.error, [e.value for e in [*app.exception, *app.error]]
    assert _shown(app) > before
    database_folder = str(Path(demo_url.removeprefix("sqlite:///")).parent)
    found = problems(app, vocabulary, [str(PROJECT_ROOT), database_folder])
    assert not found, "\n".join(found)


def test_no_page_holds_a_bare_value_streamlit_would_draw() -> None:
    """With Streamlit's "magic", a bare string or name in a page is drawn on it (a constant's
    docstring once showed above a title). The served config turns magic off; this keeps pages free
    of such statements wherever they run."""
    import ast

    from dashboard.navigation import PAGES

    found = []
    for path in [*sorted(PAGES.glob("*.py")), PAGES.parent / "app.py"]:
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for node in body[1:]:  # the module docstring is the first statement
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call | ast.Await):
                found.append(f"{path.name}:{node.lineno}")
    assert not found
