"""Benchmark of the rulebook engine against DuckDB SQL and a row-wise `DataFrame.apply` baseline.

    python benchmarks/bench_scoring.py --leads 1000000 --json var/bench_scoring.json [--repeats 5]

One process, one run, one feature frame (demo leads as of their decision time), one rulebook:
  engine_full_ms        evaluate every predicate into the hit matrix, then score (caps, gates, MQL)
  reweight_ms           score again with changed rule points (the hit matrix is re-used)
  threshold_query_us    MQL count, per-week counts, precision and recall at one threshold
  duckdb_ms             the same rulebook compiled to ONE DuckDB SELECT over the same feature table
                        (materialised in DuckDB beforehand), result fetched to numpy
  apply_extrapolated_ms the rulebook evaluated row by row with DataFrame.apply on a sample,
                        extrapolated linearly to all leads (labelled as such in the output)
  engine_full_custom20_ms  with --custom-fields 20: the frame gets 20 typed custom fields (numbers,
                        categories, flags, as the import's side table gives them) and the rulebook
                        one more rule on each (`custom.<name>`); full evaluation as engine_full_ms
  engine_full_baseline_ms, reweight_baseline_ms  the same two with the dense engine that preceded
                        hit patterns (benchmarks/engine_baseline.py), timed alternately with the
                        engine in the same process; its scores must equal the engine's bit for bit
  *_best_ms             the fastest of the repeats of each of these four (less disturbed by load)
  load_avg, peak_rss_mb 1-minute load average at the end of the run, peak resident memory
Thread count: numpy's BLAS and DuckDB are both limited to --threads (default 1). Medians of --repeats.
Every contender's scores are checked against the engine's before any time is reported.
`--profile PATH` also writes the top functions (cProfile, by own time) of the full evaluation and of
the re-weight to PATH.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import re
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import yaml
from engine_baseline import dense_hits, dense_score
from threadpoolctl import threadpool_limits

from scoring.features import FEATURES
from scoring.features.frame import as_category
from scoring.features.table import feature_arrow
from scoring.rules import DEFAULT_RULEBOOK, Rulebook, evaluate_hits, load_rulebook, score
from scoring.rules.loader import parse_rulebook
from scoring.rules.spec import Predicate, Rule
from scoring.rules.whatif import ThresholdIndex
from scoring.training_data import demo_leads
from scoring.warehouse import compile_rulebook


def _fold(text: str) -> str:
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


# The baseline: each operator as plain Python on one value, as a row-wise implementation would do.
SCALAR: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda v, a: not _missing(v) and v == a,
    "ne": lambda v, a: not _missing(v) and v != a,
    "in": lambda v, a: not _missing(v) and v in a,
    "not_in": lambda v, a: not _missing(v) and v not in a,
    "between": lambda v, a: not _missing(v) and a[0] <= v <= a[1],
    "gt": lambda v, a: not _missing(v) and v > a,
    "gte": lambda v, a: not _missing(v) and v >= a,
    "lt": lambda v, a: not _missing(v) and v < a,
    "lte": lambda v, a: not _missing(v) and v <= a,
    "at_least": lambda v, a: not _missing(v) and v >= a,
    "at_most": lambda v, a: not _missing(v) and v <= a,
    "contains_any": lambda v, a: not _missing(v) and any(_fold(n) in _fold(v) for n in a),
    "matches": lambda v, a: not _missing(v) and re.search(a, _fold(v)) is not None,
    "is_missing": lambda v, a: _missing(v),
    "is_present": lambda v, a: not _missing(v),
    "is_true": lambda v, a: bool(v),
    "is_false": lambda v, a: not bool(v),
}


def _holds(predicate: Predicate, row: pd.Series) -> bool:
    results = (SCALAR[c.op](row[c.column], c.value) for c in predicate.conditions)
    return all(results) if predicate.mode == "all" else any(results)


def _rule_points(rule: Rule, row: pd.Series) -> float:
    if not _holds(rule.when, row):
        return 0.0
    points = float(rule.points) * (float(row[rule.per]) if rule.per else 1.0)
    if rule.decay is not None:
        days = row[rule.decay.since]
        points *= 0.0 if _missing(days) else 2.0 ** (-float(days) / rule.decay.half_life_days)
    if rule.cap is not None:
        points = max(-rule.cap, min(rule.cap, points))
    return points


def row_score(row: pd.Series, book: Rulebook) -> float:
    """The total score of one lead, rule by rule, in plain Python (the row-wise baseline)."""
    total = 0.0
    for group in ("fit", "engagement"):
        points = sum(_rule_points(rule, row) for rule in book.ordered if rule.group == group)
        cap = book.cap(group)
        low = -math.inf if cap.min is None else cap.min
        high = math.inf if cap.max is None else cap.max
        total += max(low, min(high, points))
    return total


def _median_ms(action: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def _alternating(actions: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median and best ms of each action (keys `name`, `name_best`), run in turn (a, b, a, b...)
    so the machine's load hits both alike."""
    timings: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            timings[name].append((time.perf_counter() - started) * 1000)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    return medians | {f"{name}_best": min(values) for name, values in timings.items()}


def _baseline(leads: pd.DataFrame, book: Rulebook, changed: dict[str, float]) -> dict[str, Any]:
    """The dense engine's scores; raises when they differ from the engine's in any bit."""
    ours, theirs = (
        score(evaluate_hits(book, leads), changed),
        dense_score(dense_hits(book, leads), changed),
    )
    for name in ("fit", "engagement", "total", "threshold", "mql"):
        if not np.array_equal(getattr(ours, name), theirs[name]):
            raise SystemExit(f"the engine and its dense baseline disagree on {name}")
    if not np.array_equal(ours.grade.codes, theirs["grade"]):
        raise SystemExit("the engine and its dense baseline disagree on grade")
    return theirs


def _profile(path: Path, leads: pd.DataFrame, book: Rulebook, changed: dict[str, float]) -> None:
    """Top functions by own time of 3 full evaluations and of 10 re-weights, as text in `path`."""
    out = io.StringIO()
    hits = evaluate_hits(book, leads)
    score(hits)  # the hit patterns are found on first use, not re-weighting
    for label, action, times in (
        ("full evaluation (evaluate_hits + score)", lambda: score(evaluate_hits(book, leads)), 3),
        ("re-weight (score on a kept hit matrix)", lambda: score(hits, changed), 10),
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(times):
            action()
        profiler.disable()
        out.write(f"== {label}, {times} runs, {len(leads):,} leads ==\n")
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue())


def _duckdb(leads: pd.DataFrame, book: Rulebook, threads: int) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(f"SET threads = {threads}")
    columns = [c for c in leads.columns if c in FEATURES]
    connection.register("arrow_features", feature_arrow(leads[columns]))
    connection.execute("CREATE TABLE features AS SELECT * FROM arrow_features")
    connection.unregister("arrow_features")
    return connection


CUSTOM_KINDS = ("number", "number", "category", "number", "flag")  # cycled: 12 / 4 / 4 of 20


def with_custom_fields(
    leads: pd.DataFrame, count: int, seed: int = 7
) -> tuple[pd.DataFrame, Rulebook]:
    """`leads` plus `count` typed custom columns, and the default rulebook plus one rule on each."""
    rng = np.random.default_rng(seed)
    n, fields, rules = len(leads), {}, []
    columns: dict[str, Any] = {}
    for i in range(count):
        kind, name = CUSTOM_KINDS[i % len(CUSTOM_KINDS)], f"field_{i:02d}"
        if kind == "number":
            values = rng.gamma(2.0, 3.0, n)
            values[rng.random(n) < 0.1] = np.nan
            columns[f"custom.{name}"], when = values, {"op": "gte", "value": 6}
        elif kind == "category":
            words = np.array(["API", "Landing Page", "Lead Add Form", "Import", "Chat", ""])
            columns[f"custom.{name}"] = as_category(words[rng.integers(0, len(words), n)])
            when = {"op": "in", "value": ["Lead Add Form", "Chat"]}
        else:
            columns[f"custom.{name}"], when = rng.random(n) < 0.3, {"op": "is_true"}
        fields[name] = {"type": kind}
        rules.append(
            {"id": f"custom_{i:02d}", "group": "fit", "when": {"column": f"custom.{name}", **when},
             "points": 3}
        )  # fmt: skip
    document = yaml.safe_load(DEFAULT_RULEBOOK.read_text(encoding="utf-8"))
    document["fields"] = fields
    document["rules"] = document["rules"] + rules
    book = parse_rulebook(yaml.safe_dump(document, sort_keys=False), "<custom benchmark>")
    return pd.concat([leads, pd.DataFrame(columns, index=leads.index)], axis=1), book


def run_custom(leads: pd.DataFrame, count: int, repeats: int, threads: int) -> dict[str, Any]:
    """engine_full_custom<count>_ms: the full evaluation with `count` custom fields and rules."""
    wide, book = with_custom_fields(leads, count)
    with threadpool_limits(limits=threads):
        ms, _ = _median_ms(lambda: score(evaluate_hits(book, wide)), repeats)
    return {f"engine_full_custom{count}_ms": round(ms, 1), f"rules_custom{count}": len(book.rules)}


def run(
    leads_count: int,
    repeats: int,
    sample: int,
    threads: int,
    custom_fields: int = 0,
    profile: Path | None = None,
) -> dict[str, Any]:
    leads = demo_leads(leads_count, seed=7)
    book = load_rulebook()
    changed = {rule.id: rule.points + 1 for rule in book.rules[:5]}
    with threadpool_limits(limits=threads):
        _baseline(leads, book, changed)
        full = _alternating(
            {
                "engine": lambda: score(evaluate_hits(book, leads)),
                "baseline": lambda: dense_score(dense_hits(book, leads)),
            },
            repeats,
        )
        scores = score(evaluate_hits(book, leads))
        hits, dense = evaluate_hits(book, leads), dense_hits(book, leads)
        score(hits)  # the hit patterns are found once, on first use
        reweight = _alternating(
            {
                "engine": lambda: score(hits, changed),
                "baseline": lambda: dense_score(dense, changed),
            },
            repeats * 4,
        )
        full_ms, reweight_ms = full["engine"], reweight["engine"]
        if profile is not None:
            _profile(profile, leads, book, changed)
        outcomes = {
            "accepted": leads["accepted_at"].notna().to_numpy(),
            "won": leads["won_at"].notna().to_numpy(),
            "created_at": leads["created_at"].to_numpy(dtype="datetime64[ns]"),
        }
        index = ThresholdIndex.from_scores(scores, **outcomes)
        queries = np.linspace(book.threshold - 30, book.threshold + 30, 1000)
        started = time.perf_counter()
        for t in queries:
            index.at(float(t))
        threshold_us = (time.perf_counter() - started) / len(queries) * 1e6
    connection = _duckdb(leads, book, threads)
    sql = compile_rulebook(book, "duckdb", table="features")
    duck_ms, duck = _median_ms(lambda: connection.execute(sql).fetchnumpy(), repeats)
    duck_scores = (
        pd.Series(duck["score"], index=duck["lead_id"]).reindex(scores.lead_ids).to_numpy()
    )
    duck_max_diff = float(np.nanmax(np.abs(duck_scores - scores.total)))
    picked = leads.sample(n=min(sample, len(leads)), random_state=0)
    started = time.perf_counter()
    slow = picked.apply(row_score, axis=1, book=book)
    apply_ms = (time.perf_counter() - started) * 1000 * len(leads) / len(picked)
    engine_on_sample = pd.Series(scores.total, index=leads.index).loc[picked.index]
    apply_max_diff = float(np.abs(slow - engine_on_sample).max())
    custom = run_custom(leads, custom_fields, repeats, threads) if custom_fields else {}
    return custom | {
        "leads": len(leads),
        "rules": len(book.rules),
        "threads": threads,
        "engine_full_ms": round(full_ms, 1),
        "reweight_ms": round(reweight_ms, 2),
        "engine_full_baseline_ms": round(full["baseline"], 1),
        "reweight_baseline_ms": round(reweight["baseline"], 2),
        "engine_full_best_ms": round(full["engine_best"], 1),
        "engine_full_baseline_best_ms": round(full["baseline_best"], 1),
        "reweight_best_ms": round(reweight["engine_best"], 2),
        "reweight_baseline_best_ms": round(reweight["baseline_best"], 2),
        "threshold_query_us": round(threshold_us, 2),
        "duckdb_ms": round(duck_ms, 1),
        "apply_extrapolated_ms": round(apply_ms, 0),
        "apply_sample": len(picked),
        "max_abs_diff_duckdb": duck_max_diff,
        "max_abs_diff_apply": apply_max_diff,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "load_avg": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _report(figures: dict[str, Any]) -> None:
    full, weight = figures["engine_full_ms"], figures["reweight_ms"]
    duck, slow = figures["duckdb_ms"], figures["apply_extrapolated_ms"]
    print(f"{figures['leads']:,} leads, {figures['rules']} rules, {figures['threads']} thread(s)")
    print(f"  engine, full evaluation   {full:>12,.1f} ms")
    print(
        f"  engine, re-weight         {weight:>12,.2f} ms   ({full / weight:,.0f}x faster than full)"
    )
    base_full, base_weight = figures["engine_full_baseline_ms"], figures["reweight_baseline_ms"]
    print(
        f"  dense baseline, full      {base_full:>12,.1f} ms   (engine {base_full / full:,.1f}x faster)"
    )
    print(
        f"  dense baseline, re-weight {base_weight:>12,.2f} ms   "
        f"(engine {base_weight / weight:,.1f}x faster)"
    )
    print(f"  engine, threshold query   {figures['threshold_query_us']:>12,.2f} us")
    print(f"  DuckDB SQL, same rulebook {duck:>12,.1f} ms   (engine {duck / full:,.1f}x faster)")
    print(
        f"  DataFrame.apply, row-wise {slow:>12,.0f} ms   extrapolated from "
        f"{figures['apply_sample']:,} rows (engine {slow / full:,.0f}x faster)"
    )
    for key in [k for k in figures if k.startswith("engine_full_custom")]:
        fields = key.removeprefix("engine_full_custom").removesuffix("_ms")
        rules = figures[f"rules_custom{fields}"]
        print(
            f"  engine, full, +{fields} custom fields and rules ({rules} rules) {figures[key]:,.1f} ms"
        )
    diffs = figures["max_abs_diff_duckdb"], figures["max_abs_diff_apply"]
    print(f"  largest score difference: DuckDB {diffs[0]:.2e}, apply {diffs[1]:.2e}")
    print(f"  load average (1 min) {figures['load_avg']}, peak RSS {figures['peak_rss_mb']:,} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--apply-sample", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--custom-fields", type=int, default=0, help="Also time N typed custom fields (e.g. 20)."
    )
    parser.add_argument(
        "--profile", type=Path, help="Write the top functions of full and re-weight here (text)."
    )
    args = parser.parse_args()
    figures = run(
        args.leads, args.repeats, args.apply_sample, args.threads, args.custom_fields, args.profile
    )
    if figures["max_abs_diff_duckdb"] > 1e-9 or figures["max_abs_diff_apply"] > 1e-9:
        raise SystemExit(f"contenders disagree with the engine: {figures}")
    _report(figures)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
