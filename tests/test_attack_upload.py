"""Upload path traversal: a client-supplied file name never chooses where the upload is written.

Replays the hole where the Data source page wrote the upload to `Path(tmp) / upload.name`, so a
name such as `../../somewhere/x.csv` overwrote any .csv the process could write.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.uploads import check_content, safe_name, store_upload
from scoring.db import make_engine, upgrade
from scoring.errors import ConfigError
from scoring.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
CSV = b"Record ID,Email\r\n1,a@example.com\r\n"
HOSTILE = [
    "../../victim.csv",
    "..\\..\\victim.csv",
    "/tmp/victim.csv",
    "contacts\x00.csv",
    "a/../../../victim.csv",
    "....//....//victim.csv",
]


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_is_written_inside_the_upload_folder_only(tmp_path: Path, name: str) -> None:
    outside = tmp_path / "victim.csv"
    outside.write_bytes(b"precious\n")
    folder = tmp_path / "a" / "b" / "uploads"
    folder.mkdir(parents=True)
    before = _tree(tmp_path)

    path = store_upload(folder, name, CSV, max_bytes=1_000_000)

    assert path.parent == folder and "\x00" not in path.name and path.suffix == ".csv"
    after = _tree(tmp_path)
    assert after.pop(str(path.relative_to(tmp_path))) == CSV
    assert after == before  # nothing else created or changed, the victim untouched


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.exe", CSV, "use a .csv or .parquet file"),
        ("x.csv", b"PK\x03\x04rest", "a ZIP or Excel file, not CSV text"),
        ("x.csv", b"SQLite format 3\x00...", "a SQLite database"),
        ("x.parquet", CSV, "not Parquet"),
        ("x.csv", b"a" * 2001, "over the limit of 0 MB (setting SMARKETING_UPLOAD_MAX_MB)"),
    ],
)
def test_type_by_content_and_size_are_checked(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ConfigError, match="") as refused:
        check_content(safe_name(name), content, max_bytes=2000)
    assert message in str(refused.value)


def test_the_page_imports_under_a_safe_name_and_leaves_the_target_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = f"sqlite:///{tmp_path / 'default.db'}"
    engine = make_engine(default)
    upgrade(engine)
    engine.dispose()
    home = tmp_path / "home"
    victim = tmp_path / "victim.csv"
    victim.write_bytes(b"precious\n")
    monkeypatch.setenv("SMARKETING_HOME", str(home))
    monkeypatch.setenv("SMARKETING_DATABASE_URL", default)
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page("pages/data_source.py").run()
    app.selectbox(key="source_profile").set_value("canonical")
    name = f"{'../' * 12}{str(victim).lstrip('/')}"
    app.file_uploader(key="source_upload").set_value((name, CSV, "text/csv"))
    app.run()
    app.button(key="source_import").click()
    app.run()

    assert not app.exception, [e.value for e in app.exception]
    assert victim.read_bytes() == b"precious\n"
    assert all(p.is_relative_to(home) for p in tmp_path.rglob("*") if p.suffix == ".db"
               and p.name != "default.db")  # fmt: skip


def test_an_oversized_upload_is_refused_with_the_setting_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = f"sqlite:///{tmp_path / 'default.db'}"
    engine = make_engine(default)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SMARKETING_HOME", str(tmp_path))
    monkeypatch.setenv("SMARKETING_DATABASE_URL", default)
    monkeypatch.setenv("SMARKETING_UPLOAD_MAX_MB", "0.00001")
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page("pages/data_source.py").run()
    app.file_uploader(key="source_upload").set_value(("contacts.csv", CSV * 10, "text/csv"))
    app.run()
    app.button(key="source_import").click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("SMARKETING_UPLOAD_MAX_MB" in e.value for e in app.error)
    assert not (tmp_path / "uploads").exists() or not list((tmp_path / "uploads").glob("*.db"))
