"""Benchmark of the dashboard in a real browser (Playwright + Debian's Chromium) over a demo database.

    python benchmarks/bench_dashboard.py --leads 1000000 --json var/bench_dashboard.json
        [--database sqlite:////path/demo.db] [--moves 30]

Measures, against `streamlit run` on 127.0.0.1:
  first_render_s  from starting the server to the Overview's funnel metrics on screen
  lab_ready_s     from opening the Scoring lab to its first metrics (history rebuilt, rules evaluated
                  once, all cached afterwards)
  slider_p50_ms / slider_p95_ms   threshold slider moved by one step with the keyboard -> the
                  "MQLs on history" metric shows the new count (browser round trip included)
  second_session_p50_ms / second_session_p95_ms   the same moves with a second browser session
                  open on the Scoring lab
  accounts_first_render_s / reps_first_render_s   from opening the page's address to its table on
                  screen (its first computation: the account roll-up, the reps' load and what-if)
  accounts_sort_p50_ms / accounts_sort_p95_ms     a "Sort by" option chosen -> the title says the
                  new order
  reps_threshold_p50_ms / reps_threshold_p95_ms   what-if threshold moved by one step with the
                  keyboard -> the sentence names the new threshold
  server_peak_rss_mb   the Streamlit server's peak resident memory at the end (Linux /proc)
Goals (docs/performance.md): first render <= 5 s; every interaction p50 <= 150 ms, p95 <= 300 ms.
Without --database a demo of --leads leads is generated into a temporary SQLite file first.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import sync_playwright
from sqlalchemy import func, select

from dashboard.browser import chromium_path, launch_chromium, streamlit_server
from scoring.db import make_engine, upgrade
from scoring.db.models import Contact
from scoring.sources.demo import generate_demo

METRIC = "MQLs on history"
VALUE_JS = (
    "(label) => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]"
    ".find(e => e.innerText.includes(label)); return m ? "
    "m.querySelector('[data-testid=stMetricValue]').innerText : null; }"
)


def _database(leads: int, given: str | None, folder: Path) -> str:
    if given:
        return given
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, leads=leads, seed=7, progress=True)
    engine.dispose()
    return url


def _wait_metric(page: Any, label: str, timeout_ms: float) -> str:
    page.wait_for_function(f"({VALUE_JS})({json.dumps(label)}) !== null", timeout=timeout_ms)
    return str(page.evaluate(VALUE_JS, label))


def _moves(page: Any, count: int) -> list[float]:
    thumb = page.locator('[data-testid="stSlider"]', has_text="MQL threshold").get_by_role("slider")
    thumb.focus()
    timings = []
    for i in range(count):
        before = page.evaluate(VALUE_JS, METRIC)
        started = time.perf_counter()
        thumb.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
        page.wait_for_function(
            f"([label, before]) => ({VALUE_JS})(label) !== before",
            arg=[METRIC, before],
            timeout=30_000,
        )
        timings.append((time.perf_counter() - started) * 1000)
        page.wait_for_timeout(150)
    return timings


def _opened(page: Any, address: str, heading: str) -> float:
    """Seconds from opening `address` to its titled table on screen, the run finished."""
    started = time.perf_counter()
    page.goto(address)
    page.locator("h1", has_text=heading).first.wait_for(timeout=1_800_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=1_800_000)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=1_800_000
    )
    return time.perf_counter() - started


def _sorts(page: Any, count: int) -> list[float]:
    timings = []
    for i in range(count):
        order = ("Last touch", "Account score")[i % 2]
        page.locator('[data-testid="stSelectbox"]', has_text="Sort by").click()
        option = page.get_by_role("option", name=order, exact=True)
        option.wait_for(timeout=60_000)
        started = time.perf_counter()  # from the choice, as the slider's from the key press
        option.click()
        page.locator("h1", has_text=f"by {order.lower()}").first.wait_for(timeout=60_000)
        timings.append((time.perf_counter() - started) * 1000)
        page.wait_for_timeout(150)
    return timings


def _thresholds(page: Any, count: int) -> list[float]:
    thumb = page.locator('[data-testid="stSlider"]', has_text="MQL threshold").get_by_role("slider")
    thumb.focus()
    timings = []
    for i in range(count):
        before = page.locator('[data-testid="stMarkdown"]', has_text="At threshold").first
        said = before.inner_text()
        started = time.perf_counter()
        thumb.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
        page.wait_for_function(
            "(said) => [...document.querySelectorAll('[data-testid=stMarkdown]')]"
            ".some(e => e.innerText.startsWith('At threshold') && e.innerText !== said)",
            arg=said,
            timeout=60_000,
        )
        timings.append((time.perf_counter() - started) * 1000)
        page.wait_for_timeout(150)
    return timings


def _server_peak_rss_mb(base: str) -> float | None:
    """The Streamlit server's peak resident memory so far (Linux /proc), found by its port."""
    port = base.rsplit(":", 1)[1]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            command = (status.parent / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(command) and port.encode() in command:
                peak = next(line for line in status.read_text().splitlines() if "VmHWM" in line)
                return round(int(peak.split()[1]) / 1024, 1)
        except (OSError, StopIteration):
            continue
    return None


def _leads(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = int(connection.scalar(select(func.count()).select_from(Contact)) or 0)
    engine.dispose()
    return count


def _percentiles(name: str, timings: list[float]) -> dict[str, float]:
    return {
        f"{name}_p50_ms": round(float(np.percentile(timings, 50)), 1),
        f"{name}_p95_ms": round(float(np.percentile(timings, 95)), 1),
    }


def run(leads: int, database: str | None, moves: int) -> dict[str, float | None]:
    executable = chromium_path()
    if executable is None:
        raise SystemExit("no Chromium: install Debian's chromium or set SMARKETING_CHROMIUM")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        url = _database(leads, database, Path(folder))
        browser = launch_chromium(playwright, executable)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        started = time.perf_counter()
        with streamlit_server(url, timeout_s=120, log=Path(folder) / "streamlit.log") as base:
            page.goto(base)
            _wait_metric(page, "MQLs", 600_000)
            first_render = time.perf_counter() - started
            opened = time.perf_counter()
            page.locator('[data-testid="stSidebarNav"]').get_by_text(
                "Scoring lab", exact=True
            ).click()
            _wait_metric(page, METRIC, 1_800_000)
            lab_ready = time.perf_counter() - opened
            page.wait_for_timeout(1000)
            timings = np.array(_moves(page, moves))
            # A second person opens the lab in another browser session; the first moves again.
            other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            other.goto(f"{base}/scoring_lab")
            _wait_metric(other, METRIC, 600_000)
            page.wait_for_timeout(1000)
            second = np.array(_moves(page, moves))
            other.context.close()
            accounts_first = _opened(page, f"{base}/accounts", "Accounts")
            sorts = _sorts(page, moves)
            reps_first = _opened(page, f"{base}/reps", "Reps and territories")
            thresholds = _thresholds(page, moves)
            server_rss = _server_peak_rss_mb(base)
        browser.close()
        leads = _leads(url)
    return {
        "leads": leads,
        "first_render_s": round(first_render, 2),
        "lab_ready_s": round(lab_ready, 2),
        "slider_p50_ms": round(float(np.percentile(timings, 50)), 1),
        "slider_p95_ms": round(float(np.percentile(timings, 95)), 1),
        **_percentiles("second_session", list(second)),
        "accounts_first_render_s": round(accounts_first, 2),
        **_percentiles("accounts_sort", sorts),
        "reps_first_render_s": round(reps_first, 2),
        **_percentiles("reps_threshold", thresholds),
        "moves": moves,
        "server_peak_rss_mb": server_rss,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--database", help="Use this demo database instead of generating one.")
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--json", type=Path, help="Write the figures here.")
    args = parser.parse_args()
    figures = run(args.leads, args.database, args.moves)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
