"""Where a dashboard page's time goes: the page run in Streamlit's AppTest over a database, the
script thread under cProfile, for its first run and for reruns after one widget changes.

    python benchmarks/dashboard_profile.py --database sqlite:////path/demo.db \
        --page pages/scoring_lab.py --slider lab_threshold [--moves 6] [--top 40]
    python benchmarks/dashboard_profile.py --database ... --page pages/accounts.py \
        --selectbox accounts_sort --options last_touch,account_score

Prints the wall time of the first run and of each rerun (server side only: no browser, no
network; bench_dashboard.py measures those in a real browser), then the functions with the most
cumulative time over the reruns (`--first` profiles the first run instead).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from collections.abc import Callable
from typing import Any

from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from scoring.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")


class ScriptProfile:
    """cProfile switched on around every script run of AppTest's script thread while `on`."""

    def __init__(self) -> None:
        self.profile = cProfile.Profile()
        self.on = False
        original: Callable[..., Any] = script_runner.ScriptRunner._run_script

        def run(runner: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return original(runner, *args, **kwargs)
            self.profile.enable()
            try:
                return original(runner, *args, **kwargs)
            finally:
                self.profile.disable()

        setattr(script_runner.ScriptRunner, "_run_script", run)  # noqa: B010 - patched on purpose


def _change(app: AppTest, args: argparse.Namespace, move: int) -> None:
    if args.slider:
        slider = app.slider(key=args.slider)
        step = -1.0 if move % 2 == 0 else 1.0
        slider.set_value(float(slider.value) + step).run()  # type: ignore[arg-type]
        return
    options = args.options.split(",")
    app.selectbox(key=args.selectbox).set_value(options[move % len(options)]).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a demo database")
    parser.add_argument("--page", required=True, help="e.g. pages/scoring_lab.py")
    parser.add_argument("--slider", help="key of a slider moved by one step, back and forth")
    parser.add_argument("--selectbox", help="key of a selectbox switched between --options")
    parser.add_argument("--options", default="", help="comma-separated selectbox values")
    parser.add_argument("--moves", type=int, default=6)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--first", action="store_true", help="profile the first run instead")
    args = parser.parse_args()
    if not (args.slider or (args.selectbox and args.options)):
        parser.error("give --slider KEY, or --selectbox KEY with --options A,B")
    os.environ["SMARKETING_DATABASE_URL"] = args.database
    profile = ScriptProfile()
    app = AppTest.from_file(APP, default_timeout=1800)
    app.run()
    profile.on = args.first
    started = time.perf_counter()
    app.switch_page(args.page).run()
    print(f"first run of {args.page}: {time.perf_counter() - started:.2f} s")
    if app.exception:
        raise SystemExit(f"the page failed: {[e.value for e in app.exception]}")
    profile.on = not args.first
    for move in range(args.moves):
        started = time.perf_counter()
        _change(app, args, move)
        print(f"rerun: {(time.perf_counter() - started) * 1000:.0f} ms")
    pstats.Stats(profile.profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
