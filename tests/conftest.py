"""Shared fixtures: one parametrised `engine` fixture runs database tests on SQLite and PostgreSQL.

PostgreSQL cases use SMARKETING_TEST_POSTGRES_URL; each test gets its own fresh schema. Where no
server answers they skip with the reason, unless SMARKETING_REQUIRE_POSTGRES=1 (set by .ci/run),
which turns the skip into a failure.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import Engine, create_engine, text

from scoring.db import make_engine, upgrade
from scoring.settings import PROJECT_ROOT, Settings

DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
POSTGRES_URL = (
    os.environ.get("SMARKETING_TEST_POSTGRES_URL")
    or Settings.from_env({}).extra["SMARKETING_TEST_POSTGRES_URL"]
)
REQUIRE_POSTGRES = os.environ.get("SMARKETING_REQUIRE_POSTGRES") == "1"
REQUIRE_WAREHOUSE = os.environ.get("SMARKETING_REQUIRE_WAREHOUSE") == "1"


@pytest.fixture(autouse=True)
def dashboard_on_loopback() -> None:
    """AppTest serves nothing, yet the dashboard checks `server.address` as a served app does (an
    empty one binds every interface): give it what `streamlit run dashboard/app.py` reads from
    dashboard/.streamlit/config.toml. Tests of another address set the option themselves."""
    config = sys.modules.get("streamlit.config")
    if config is not None and config.get_option("server.address") is None:
        config.set_option("server.address", "127.0.0.1")


@pytest.fixture(autouse=True)
def wide_cli_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's consoles take their width at import, so a message holding a checkout's path wraps
    where that path is long: print every test's CLI output on one wide line, wherever the repo lives.
    Tests of a narrow console set the width themselves."""
    from scoring.cli.app import stderr, stdout

    monkeypatch.setattr(stdout, "width", 400)
    monkeypatch.setattr(stderr, "width", 400)


def skip_unless_required(reason: str) -> NoReturn:
    """Skip a Spark or dbt test whose engine is missing; under CI (SMARKETING_REQUIRE_WAREHOUSE=1) fail."""
    if REQUIRE_WAREHOUSE:
        pytest.fail(f"SMARKETING_REQUIRE_WAREHOUSE=1 but {reason}")
    pytest.skip(reason)


def _postgres_unavailable() -> str | None:
    try:
        probe = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            connection.execute(text("select 1"))
        probe.dispose()
    except Exception as exc:  # any failure to connect means "no server here"
        return (
            f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {exc}".splitlines()[
                0
            ]
        )
    return None


_PG_STATE: dict[str, str | None] = {}


def require_postgres() -> None:
    """Skip (or, under CI, fail) when the test PostgreSQL server is not reachable."""
    if "reason" not in _PG_STATE:
        _PG_STATE["reason"] = _postgres_unavailable()
    reason = _PG_STATE["reason"]
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(f"SMARKETING_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose default schema is a fresh, empty one dropped after the test."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'smarketing.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'smarketing.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database (no tables), once per backend."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """An engine on a freshly migrated, empty database, once per backend."""
    upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite engine, for tests that need only the embedded backend."""
    engine = make_engine(f"sqlite:///{tmp_path / 'smarketing.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """ONE local Spark session for the whole run: 1 core, 1 shuffle partition, no UI."""
    try:
        from pyspark import sql
    except ImportError as exc:
        skip_unless_required(f"pyspark is not installed ({exc})")
    session = (
        sql.SparkSession.builder.master("local[1]")
        .appName("smarketing-parity")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium for the browser tests: skipped where missing, failed under CI
    (SMARKETING_REQUIRE_BROWSER=1, as .ci/run sets it)."""
    from dashboard.browser import chromium_path

    path = chromium_path()
    if path is None:
        reason = "no Chromium found (install Debian's `chromium` or set SMARKETING_CHROMIUM)"
        if os.environ.get("SMARKETING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SMARKETING_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return path


def demo_database(factory: pytest.TempPathFactory, name: str, leads: int, seed: int) -> str:
    """The URL of a migrated SQLite file holding `leads` demo leads (for module-scoped fixtures)."""
    from scoring.sources.demo import generate_demo

    url = f"sqlite:///{factory.mktemp(name) / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=leads, seed=seed)
    engine.dispose()
    return url


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    """What each dashboard download button would send, by file name (pages make files on click)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, Callable[[], Any]] = {}
    original = MediaFileManager.add_deferred

    def recording(self: MediaFileManager, data: Callable[[], Any], *args: Any, **kw: Any) -> str:
        made[str(kw.get("file_name"))] = data
        return original(self, data, *args, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return made


def open_page(url: str, page: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An AppTest of the dashboard over `url`, switched to `page` (e.g. "pages/leads.py"), scoring
    at the clock, with no exception on the way."""
    from streamlit.testing.v1 import AppTest

    from scoring.settings import PROJECT_ROOT

    monkeypatch.setenv("SMARKETING_DATABASE_URL", url)
    monkeypatch.delenv("SMARKETING_AS_OF", raising=False)
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=90)
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_link(url: str, page: str, params: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """As `open_page`, with the page opened from a link whose query carries `params` (a shared view)."""
    from streamlit.testing.v1 import AppTest

    from scoring.settings import PROJECT_ROOT

    monkeypatch.setenv("SMARKETING_DATABASE_URL", url)
    monkeypatch.delenv("SMARKETING_AS_OF", raising=False)
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=120)
    app.query_params.update(params)
    app.switch_page(page).run()  # the first run opens the page: a fresh session from the link
    assert not app.exception, [e.value for e in app.exception]
    return app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`manage.py test` runs two pytest-xdist workers with `--dist loadgroup`: each test module stays on
    one worker (its module-scoped demo databases are built once), and every test of the one Spark
    session shares a worker whatever its module."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        group = "spark" if "spark" in fixtures else item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))
