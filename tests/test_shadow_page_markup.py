"""The Shadow rulebook page shows what people typed (the publisher's name) as text, never as
Markdown: a hostile `--by` cannot put an image or a link on the page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from scoring.policy import Change, in_force, start_shadow
from scoring.settings import PROJECT_ROOT
from scoring.sources.demo import generate_demo

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
HOSTILE = "ana ![pixel](https://tracker.example/p.png) [Promote it now](https://evil.example/login)"


def test_the_publishers_name_reaches_the_caption_as_text(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARKETING_DATABASE_URL", sqlite_engine.url.render_as_string(False))
    generate_demo(sqlite_engine, leads=200, seed=6)
    live = in_force(sqlite_engine)
    text = live.definitions["rulebook"].text
    lowered, count = re.subn(
        r"^  threshold: .*$",
        f"  threshold: {live.rulebook.threshold - 15:g}",
        text,
        count=1,
        flags=re.M,
    )
    assert count == 1
    start_shadow(sqlite_engine, lowered, Change(HOSTILE))
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.switch_page("pages/shadow.py").run()
    assert not app.exception, [e.value for e in app.exception]
    caption = app.caption[0].value
    assert "](https://" not in caption and "![" not in caption
    assert r"\!\[pixel\]\(https\://tracker\.example/p\.png\)" in caption
