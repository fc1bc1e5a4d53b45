"""Replays the upload path traversal: a client-supplied file name never chooses where bytes are written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scoring.db import make_engine, upgrade
from scoring.errors import ConfigError
from scoring.settings import PROJECT_ROOT
from scoring.sources.uploads import upload_suffix
from tests.test_dashboard_data_source import _export

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE = "pages/data_source.py"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "name",
    ["../../x.csv", "../../../victim/x.csv", "/{victim}/x.csv", "x\x00.csv", "..\\..\\x.csv"],
)
def test_a_hostile_upload_name_writes_nothing_outside_the_upload_folder(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home" / "deep"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "x.csv").write_bytes(b"precious\r\n")
    (tmp_path / "x.csv").write_bytes(b"precious\r\n")
    default = f"sqlite:///{tmp_path / 'default.db'}"
    engine = make_engine(default)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SMARKETING_HOME", str(home))
    monkeypatch.setenv("SMARKETING_DATABASE_URL", default)
    monkeypatch.chdir(home.parent if home.parent.exists() else tmp_path)
    before = {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith(str(home))}
    before.pop(str(tmp_path / "default.db"), None)

    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page(PAGE)
    app.run()
    content, _ = _export(3)
    app.selectbox(key="source_profile").set_value("hubspot_contacts")
    hostile = name.format(victim=str(victim).lstrip(os.sep))
    app.file_uploader(key="source_upload").set_value((hostile, content, "text/csv"))
    app.run()
    if "\x00" not in name:
        app.button(key="source_import").click()
        app.run()

    if "\x00" in name:
        # Streamlit refuses the name itself before the page sees the file.
        assert any("null bytes" in str(e.value) for e in app.exception)
    else:
        assert not app.exception, [e.value for e in app.exception]
    after = {
        k: v
        for k, v in _snapshot(tmp_path).items()
        if not k.startswith(str(home)) and not k.startswith(str(tmp_path / "default.db"))
    }
    assert after == before
    if "\x00" not in name:
        [database] = (home / "uploads").glob("upload-*.db")
        assert database.parent == home / "uploads"


def test_an_upload_over_the_size_limit_is_refused() -> None:
    with pytest.raises(ConfigError, match="SMARKETING_UPLOAD_MAX_MB"):
        upload_suffix(b"a,b\r\n" * 300, limit_bytes=1000)


@pytest.mark.parametrize(
    ("content", "suffix"),
    [(b"Email,Name\r\nx@y.io,X\r\n", ".csv"), (b"PAR1" + b"\x00" * 20 + b"PAR1", ".parquet")],
)
def test_the_type_comes_from_the_content(content: bytes, suffix: str) -> None:
    assert upload_suffix(content, limit_bytes=10**6) == suffix


@pytest.mark.parametrize("content", [b"MZ\x90\x00\x03\x00binary", b"\xff\xfe\xfd not text at all"])
def test_content_that_is_neither_csv_nor_parquet_is_refused(content: bytes) -> None:
    with pytest.raises(ConfigError, match="neither CSV text nor a Parquet file"):
        upload_suffix(content, limit_bytes=10**6)


def test_the_database_is_chosen_from_the_listed_urls_never_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = f"sqlite:///{tmp_path / 'default.db'}"
    other = f"sqlite:///{tmp_path / 'other.db'}"
    engine = make_engine(default)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SMARKETING_HOME", str(tmp_path))
    monkeypatch.setenv("SMARKETING_DATABASE_URL", default)
    monkeypatch.setenv("SMARKETING_DATABASE_URLS", other)
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert not app.text_input
    assert app.selectbox(key="source_url_input").options == [other]
    assert not (tmp_path / "other.db").exists()  # nothing is created before it is chosen

    monkeypatch.delenv("SMARKETING_DATABASE_URLS")
    app.run()
    assert not app.text_input
    with pytest.raises(KeyError):
        app.selectbox(key="source_url_input")
