"""The API server under a sampling profiler: where the time of a request goes, across threads.

    python benchmarks/ingest_profile.py PORT REPORT [--cprofile]   # SMARKETING_DATABASE_URL: the database

cProfile sees one thread, and a sync route runs in the thread pool while HTTP parsing runs on the
event loop's thread. This sampler looks at every thread's stack every few milliseconds
(`sys._current_frames`), skips threads that are idle (waiting in `Condition.wait` or the
selector), and writes the functions seen most often, on the stack at all (cumulative) and at its
top (self): on SIGUSR1 the phase so far to REPORT.1, .2, ..., on shutdown (SIGINT) the rest to REPORT.
With `--cprofile`, every thread also runs under its own cProfile (slower, but exact CPU per function),
merged into REPORT.cprofile at shutdown. `bench_ingest.py --profile DIR [--cprofile]` runs the
server this way.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType

IDLE = {
    ("threading.py", "wait"),
    ("selectors.py", "select"),
    ("threading.py", "_wait_for_tstate_lock"),
}
WAITING = {("grouping.py", "submit"), ("gate.py", "__enter__"), ("live.py", "current")}
"""Where a request waits on a lock: counted apart (`waiting`), not as busy."""


def _label(frame: FrameType) -> str:
    code = frame.f_code
    path = code.co_filename
    for marker in ("/site-packages/", "/lib/python3.11/", "/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{code.co_name}"


class Sampler:
    """Counts, per function, the samples that had it on a busy thread's stack and at its top."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.cumulative: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.placed: Counter[str] = Counter()  # innermost project function <- leaf
        self.busy = 0
        self.waiting: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            self.samples += 1
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                leaf = (Path(frame.f_code.co_filename).name, frame.f_code.co_name)
                if leaf in IDLE:
                    continue
                if leaf in WAITING:
                    self.waiting[_label(frame)] += 1
                    continue
                self.busy += 1
                self.own[_label(frame)] += 1
                seen: set[str] = set()
                walker: FrameType | None = frame
                placed = ""
                while walker is not None:
                    label = _label(walker)
                    if not placed and label.startswith("scoring/"):
                        placed = f"{label} <- {_label(frame)}"
                    if label not in seen:
                        seen.add(label)
                        self.cumulative[label] += 1
                    walker = walker.f_back
                self.placed[placed or f"(outside scoring) <- {_label(frame)}"] += 1

    def report(self, top: int = 40) -> str:
        lines = [
            f"{self.samples} sampling rounds every {self.interval * 1000:.0f} ms; "
            f"{self.busy} busy thread stacks; waiting on a lock: "
            + (", ".join(f"{label} {n}" for label, n in self.waiting.most_common()) or "none"),
            "",
            "cumulative (share of busy stacks with the function on them):",
        ]
        for label, count in self.cumulative.most_common(top):
            lines.append(f"  {count / max(1, self.busy):6.1%}  {label}")
        lines += ["", "self (share of busy stacks with the function at the top):"]
        for label, count in self.own.most_common(top):
            lines.append(f"  {count / max(1, self.busy):6.1%}  {label}")
        lines += ["", "innermost scoring function <- top of the stack:"]
        for label, count in self.placed.most_common(top):
            lines.append(f"  {count / max(1, self.busy):6.1%}  {label}")
        return "\n".join(lines) + "\n"


class ThreadProfiles:
    """cProfile in every thread (one profiler each, merged at the end): CPU time per function."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _start_here(self, *_args: object) -> None:
        profile = cProfile.Profile(time.thread_time)  # CPU of this thread: load does not count
        with self._lock:
            self.profiles.append(profile)
        profile.enable()  # replaces this hook for the calling thread

    def start(self) -> None:
        threading.setprofile(self._start_here)
        self._start_here()

    def report(self, dump: Path, top: int = 45) -> str:
        """The top functions by own and cumulative time; all of them to `dump` (pstats)."""
        threading.setprofile(None)
        out = io.StringIO()
        stats = pstats.Stats(self.profiles[0], stream=out)
        for profile in self.profiles[1:]:
            stats.add(profile)
        stats.dump_stats(dump)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
        return out.getvalue()


def main() -> None:
    import uvicorn

    port, report = int(sys.argv[1]), Path(sys.argv[2])
    exact = ThreadProfiles() if len(sys.argv) > 3 and sys.argv[3] == "--cprofile" else None
    if exact is not None:
        exact.start()
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    parts = 0

    def dump(*_args: object) -> None:  # SIGUSR1: the phase so far to REPORT.N, then start afresh
        nonlocal parts, sampler, started
        parts += 1
        sampler.stop()
        seconds = time.perf_counter() - started
        text = f"phase of {seconds:.1f} s\n" + sampler.report()
        report.with_name(f"{report.name}.{parts}").write_text(text, encoding="utf-8")
        sampler = Sampler()
        sampler.start()
        started = time.perf_counter()

    signal.signal(signal.SIGUSR1, dump)
    try:  # uvicorn raises the signal that stopped it again: SIGINT, so this still runs
        uvicorn.run(
            "scoring.cli.serve:app_from_environment",
            factory=True,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    except KeyboardInterrupt:
        pass
    finally:
        sampler.stop()
        seconds = time.perf_counter() - started
        text = f"server ran {seconds:.1f} s\n" + sampler.report()
        report.write_text(text, encoding="utf-8")
        if exact is not None:
            cumulative = exact.report(report.with_name(f"{report.name}.pstats"))
            report.with_name(f"{report.name}.cprofile").write_text(cumulative, encoding="utf-8")


if __name__ == "__main__":
    main()
