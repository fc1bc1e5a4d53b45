"""The product installs from its wheel and works outside the source checkout.

The wheel is built from a copy of the checkout, installed into a fresh virtual environment in a
temporary folder, and run from another folder: `smarketing init`, `demo`, `score`, `serve` (one
request) and the dashboard (one page through AppTest). The fresh environment borrows the already
installed third-party packages of the test environment through a path file, so nothing is
downloaded but the build backend; `smarketing` itself comes only from the wheel.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from scoring.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

SHIPPED = [
    "rulebook.yaml",
    "lifecycle.yaml",
    "reasons.yaml",
    "assignment.yaml",
    "objectives.yaml",
    "competitors.yaml",
    "roles.yaml",
    "profiles/canonical.yaml",
    "profiles/hubspot_contacts.yaml",
]
SOURCE = ["scoring", "dashboard", "data", "pyproject.toml", "README.md"]


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a fresh environment holding smarketing from its wheel."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCE:
        origin = PROJECT_ROOT / name
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(origin, source / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(origin, source / name)
    wheels = root / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(source)], root, dict(os.environ))
    (wheel,) = wheels.glob("smarketing-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Third-party packages from the test environment; its own editable smarketing is not seen
    # (path files inside a folder named by a path file are not processed).
    Path(purelib, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)], root, {**os.environ})
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout and an environment naming no checkout path."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SMARKETING_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["HOME"] = str(tmp_path / "home")
    work = tmp_path / "work"
    work.mkdir()
    return work, env


def test_smarketing_comes_from_the_wheel_with_its_definition_files(
    installed: Path, elsewhere: tuple[Path, dict[str, str]]
) -> None:
    work, env = elsewhere
    where = run(
        [
            str(installed / "python"),
            "-c",
            "import scoring, dashboard, scoring.settings as s; print(scoring.__file__); "
            "print(dashboard.__file__); print(s.DEFAULTS); print(s.Settings.from_env().home)",
        ],
        work,
        env,
    ).splitlines()
    venv = installed.parent
    assert all(Path(line).is_relative_to(venv) for line in where[:3]), where
    assert not any(Path(line).is_relative_to(PROJECT_ROOT) for line in where), where
    defaults = Path(where[2])
    assert all((defaults / name).is_file() for name in SHIPPED)
    assert not defaults.is_symlink()
    assert Path(where[3]) == Path(env["HOME"]) / ".local" / "share" / "smarketing"
    assert (Path(where[1]).parent / "pages" / "overview.py").is_file()


def test_init_demo_score_serve_and_dashboard_run_outside_the_checkout(
    installed: Path, elsewhere: tuple[Path, dict[str, str]]
) -> None:
    work, env = elsewhere
    smarketing = str(installed / "smarketing")
    out = run([smarketing, "init", "team"], work, env)
    assert "files written" in out
    for name in SHIPPED:
        assert (work / "team" / name).read_bytes() == (PROJECT_ROOT / "data" / name).read_bytes()
    again = subprocess.run(
        [smarketing, "init", "team"], cwd=work, env=env, capture_output=True, text=True
    )
    assert again.returncode == 1 and "nothing was written" in again.stderr

    url = f"sqlite:///{work / 'demo.db'}"
    env = {**env, "SMARKETING_DATABASE_URL": url}
    run([smarketing, "demo", "--leads", "400", "--seed", "3"], work, env)
    run([smarketing, "score", "--out", "scores.csv"], work, env)
    header = (work / "scores.csv").read_text().splitlines()[0]
    assert "score" in header and len((work / "scores.csv").read_text().splitlines()) == 401

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [smarketing, "serve", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = _get(f"http://127.0.0.1:{port}/v1/health", deadline=time.monotonic() + 60)
        assert '"status"' in health
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors

    page = (
        "from pathlib import Path; import dashboard; "
        "from streamlit.testing.v1 import AppTest; from streamlit import config; "
        "config.set_option('server.address', '127.0.0.1'); "  # as the shipped config.toml binds
        "at = AppTest.from_file(str(Path(dashboard.__file__).parent / 'app.py'), "
        "default_timeout=120); at.run(); "
        "assert not at.exception, [e.value for e in at.exception]; "
        "print([m.label for m in at.metric])"
    )
    assert "Leads" in run([str(installed / "python"), "-c", page], work, env)


def test_the_runtime_install_has_no_test_warehouse_or_browser_tools() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"]).lower()
    pinned = (PROJECT_ROOT / "requirements" / "lock.txt").read_text().lower().splitlines()
    names = {line.split("==")[0] for line in pinned if "==" in line}
    for tool in ("pyspark", "playwright", "pytest", "duckdb", "hypothesis", "mypy", "ruff"):
        assert tool not in runtime
        assert tool not in names
    dev = (PROJECT_ROOT / "requirements" / "lock-dev.txt").read_text().lower()
    assert "pyspark==" in dev and "playwright==" in dev
    assert {"streamlit", "pandas", "scikit-learn", "sqlalchemy", "fastapi"} <= names


def _get(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return str(answer.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
