"""Screenshots of every dashboard page (the README's pictures), taken in a real browser over a demo.

    python benchmarks/screenshots.py [--leads 20000] [--out docs/screenshots] [--database URL]

Generates a demo database (unless --database), serves the dashboard with `streamlit run` on
127.0.0.1, opens every page registered in dashboard/navigation.py in Debian's Chromium and saves
`<out>/<page title in snake case>.png` (full page). Scores and SLAs are computed as of the demo's
last day (SMARKETING_AS_OF), so "this week" shows the demo's last week, not the empty weeks since;
a generated demo is first scored and handed off as of its last three weeks (`smarketing score
--as-of`), so leads have stored scores over time and reps have recorded assignments.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from dashboard.browser import chromium_path, launch_chromium, streamlit_server
from dashboard.navigation import NAVIGATION
from scoring.db import make_engine, upgrade
from scoring.db.frames import read_contacts
from scoring.policy import in_force
from scoring.settings import PROJECT_ROOT
from scoring.sources.demo import generate_demo

ACTIONS = {"Rules vs model": ("Train / retrain", "Metrics with bootstrap 95% intervals")}
"""Pages that show their figures only after a click: (button, text that appears once done)."""
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
WIDTH, HEIGHT, MAX_HEIGHT = 1400, 1000, 4000
HEIGHT_JS = "document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight + 80"


def file_name(title: str) -> str:
    return re.sub(r"[^a-z]+", "_", title.lower()).strip("_") + ".png"


def _database(leads: int, given: str | None, folder: Path) -> str:
    if given:
        return given
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=leads, seed=3)
    engine.dispose()
    return url


def _last_day(url: str) -> datetime:
    engine = make_engine(url)
    try:
        last = read_contacts(engine)["created_at"].max()
    finally:
        engine.dispose()
    return (last + timedelta(hours=12)).to_pydatetime().replace(microsecond=0)


def _cli(*arguments: str) -> None:
    command = [sys.executable, "-m", "scoring.cli", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode:
        raise SystemExit(f"smarketing {' '.join(arguments)}: {done.stdout}{done.stderr}")


def _score_weekly(url: str, last: datetime, weeks: int, folder: Path) -> None:
    """Run a shadow rulebook (threshold 5 points lower) beside the one in force, then score and hand
    off every lead as of each of the last `weeks` weeks: stored scores, shadow scores and
    assignments, as a running installation has them."""
    engine = make_engine(url)
    try:
        text = in_force(engine).definitions["rulebook"].text
    finally:
        engine.dispose()
    lower = re.sub(
        r"^(\s*threshold:\s*)(\d+(?:\.\d+)?)",
        lambda m: f"{m[1]}{float(m[2]) - 5:g}",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    shadow = folder / "rulebook-lower-threshold.yaml"
    shadow.write_text(lower, encoding="utf-8")
    _cli("rules", "publish", str(shadow), "--mode", "shadow", "--by", "demo@smarketing.example",
         "--note", "threshold 5 points lower, scored beside the live rulebook", "-d", url)  # fmt: skip
    for back in range(weeks - 1, -1, -1):
        _cli("score", "--as-of", str(last - timedelta(weeks=back)), "-d", url)


def _settle(page: Any) -> None:
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=600_000
    )
    page.wait_for_timeout(500)


def _shoot(page: Any, base: str, file: str, title: str, out: Path) -> Path:
    page.goto(f"{base}/{Path(file).stem}")
    page.locator("h1", has_text=title.split()[0]).first.wait_for(timeout=600_000)
    _settle(page)
    if title in ACTIONS:
        button, done = ACTIONS[title]
        page.get_by_role("button", name=button).click()
        page.get_by_text(done).first.wait_for(timeout=600_000)
        _settle(page)
    if page.locator(ERRORS).count():
        raise SystemExit(f"{title}: {page.locator(ERRORS).first.inner_text()}")
    page.mouse.move(5, 5)
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
        ".every(c => c.querySelector('.main-svg'))",
        timeout=120_000,
    )
    page.wait_for_timeout(1000)  # charts finish their transitions
    # The page scrolls inside Streamlit's main block, not the document: grow the window to it.
    height = int(page.evaluate(HEIGHT_JS))
    page.set_viewport_size({"width": WIDTH, "height": min(max(height, HEIGHT), MAX_HEIGHT)})
    page.wait_for_timeout(1500)
    target = out / file_name(title)
    page.screenshot(path=str(target), full_page=True)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    return target


def run(leads: int, database: str | None, out: Path) -> list[Path]:
    executable = chromium_path()
    if executable is None:
        raise SystemExit("no Chromium: install Debian's chromium or set SMARKETING_CHROMIUM")
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        url = _database(leads, database, Path(folder))
        last = _last_day(url)
        if database is None:
            _score_weekly(url, last, 3, Path(folder))
        env = {"SMARKETING_AS_OF": str(last)}
        log = Path(folder) / "streamlit.log"
        browser = launch_chromium(playwright, executable)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_default_timeout(600_000)
        with streamlit_server(url, timeout_s=120, log=log, env=env) as base:
            for entries in NAVIGATION.values():
                for file, title, _icon in entries:
                    started = time.perf_counter()
                    saved.append(_shoot(page, base, file, title, out))
                    print(f"{saved[-1]} ({time.perf_counter() - started:.1f} s)", flush=True)
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000, help="Demo leads to generate.")
    parser.add_argument("--database", help="Use this database instead of generating a demo.")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    run(args.leads, args.database, args.out)


if __name__ == "__main__":
    main()
