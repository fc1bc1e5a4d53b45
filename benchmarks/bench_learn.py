"""Benchmark and acceptance figures of the learned model (scoring.learn).

    python benchmarks/bench_learn.py --json var/bench_learn.json [--leads 100000] [--resamples 200]

Measures, on this machine:
  demo   100k simulated leads (features as of 14 days after creation, plus the default rulebook's fit,
         engagement and total points as model features), target won within 120 days, time
         split at 2026-03-01: ROC AUC with 95% bootstrap intervals of the default rulebook, the calibrated
         boosting model and the suggested rulebook on the same later leads, and wins captured at the
         rulebook's capacity (same MQLs per week).
  uci    UCI Bank Marketing through its mapping profile (`duration` declared post-outcome): ROC AUC on a
         stratified random split (labelled: for comparison with published figures only) and on the
         later 20% of the file (time order), with the positive-rate shift between the periods.
  olist  Olist MQLs: win rate per origin (channel) with Wilson intervals; a model on pre-outcome fields
         only (origin, landing page, first-contact month and weekday): won within 60 days (77% of wins
         close that fast), trained on leads whose 60 days had passed by 2018-05-01, tested on May 2018.
  train_100k_s  wall time of `train()` (split, leakage check, fit, bootstrap) on the 100k demo frame for
         the target with the most training leads (sales_accepted, cutoff 2026-08-15: ~72k training
         leads); `train_won_s` is the same for the acceptance run above (~9k training leads).
Baselines they are compared to: the default rulebook (demo), published UCI results without `duration`
(ROC AUC ~0.79-0.80 on random splits; Moro et al. 2014), and a plain HistGradientBoosting (0.797 random).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import yaml

from scoring.features.quality import load_competitors
from scoring.learn import Target, random_split, target_named, time_split, train
from scoring.learn.groups import rates
from scoring.learn.methods import rulebook_method, with_rule_scores
from scoring.learn.workflow import headline, rules_vs_model, suggest_and_measure
from scoring.rules import DEFAULT_RULEBOOK, load_rulebook
from scoring.training_data import UCI_FILE, demo_leads, olist_leads_from, profile_leads

DEMO_CUTOFF = "2026-03-01"
SPEED_CUTOFF = "2026-08-15"
OLIST_CUTOFF = "2018-05-01"


def demo(leads_count: int, resamples: int) -> tuple[dict[str, object], dict[str, float]]:
    started = time.perf_counter()
    leads = demo_leads(leads_count, seed=7, competitor_domains=load_competitors())
    frame_s = time.perf_counter() - started
    rulebook = load_rulebook()
    document = yaml.safe_load(DEFAULT_RULEBOOK.read_text(encoding="utf-8"))
    won = target_named("won")
    started = time.perf_counter()
    leads = with_rule_scores(leads, rulebook)
    context = {"source": "demo", "decision_days": 14, "rulebook_version": rulebook.version}
    run = train(leads, won, cutoff=DEMO_CUTOFF, resamples=resamples, context=context)
    train_won_s = time.perf_counter() - started
    suggestion, _ = suggest_and_measure(leads, won, DEMO_CUTOFF, rulebook, document, resamples=10)
    comparison = rules_vs_model(
        run.model,
        leads,
        rulebook,
        extra=[lambda split: rulebook_method(suggestion.rulebook, split.test, name="suggested")],
        resamples=resamples,
    )
    figures = headline(comparison)
    rules_name, model_name = next(iter(figures)), f"model ({run.model.kind})"
    suggested_name = next(name for name in figures if name.startswith("suggested"))
    diff = comparison.differences
    started = time.perf_counter()
    train(leads, target_named("sales_accepted"), cutoff=SPEED_CUTOFF, resamples=resamples)
    train_100k_s = time.perf_counter() - started
    result = {
        "leads": leads_count,
        "test_leads": comparison.leads,
        "test_wins": comparison.positives,
        "model_auc": figures[model_name]["roc_auc"],
        "model_auc_low": figures[model_name]["roc_auc_low"],
        "model_auc_high": figures[model_name]["roc_auc_high"],
        "rules_auc": figures[rules_name]["roc_auc"],
        "rules_auc_low": figures[rules_name]["roc_auc_low"],
        "rules_auc_high": figures[rules_name]["roc_auc_high"],
        "suggested_auc": figures[suggested_name]["roc_auc"],
        "suggested_auc_low": figures[suggested_name]["roc_auc_low"],
        "suggested_auc_high": figures[suggested_name]["roc_auc_high"],
        "mqls_at_capacity": figures[rules_name]["mqls"],
        "model_wins_at_capacity": figures[model_name]["captured"],
        "model_wins_at_capacity_low": figures[model_name]["captured_low"],
        "model_wins_at_capacity_high": figures[model_name]["captured_high"],
        "rules_wins_at_capacity": figures[rules_name]["captured"],
        "rules_wins_at_capacity_low": figures[rules_name]["captured_low"],
        "rules_wins_at_capacity_high": figures[rules_name]["captured_high"],
        "suggested_wins_at_capacity": figures[suggested_name]["captured"],
        "model_minus_rules_auc": diff[model_name]["roc_auc"].as_dict(),
        "model_minus_rules_wins": diff[model_name]["captured_at_capacity"].as_dict(),
        "suggested_minus_rules_auc": diff[suggested_name]["roc_auc"].as_dict(),
        "suggested_minus_rules_wins": diff[suggested_name]["captured_at_capacity"].as_dict(),
        "frame_s": frame_s,
    }
    return result, {"train_100k_s": train_100k_s, "train_won_s": train_won_s}


def uci(resamples: int) -> dict[str, object]:
    leads, declared = profile_leads("uci_bank_marketing", [str(UCI_FILE)])
    won = Target("won", "won", 0, "the client subscribed a term deposit")
    common = {"declared": declared, "time_column": "row", "resamples": resamples}
    randomly = train(leads, won, split=random_split(leads, won, time_column="row"), **common)  # type: ignore[arg-type]
    later = time_split(leads, won, int(len(leads) * 0.8), time_column="row")
    timed = train(leads, won, split=later, **common)  # type: ignore[arg-type]
    auc = timed.model.card.metrics["roc_auc"]
    return {
        "auc_random": randomly.model.card.metrics["roc_auc"]["value"],
        "auc_random_low": randomly.model.card.metrics["roc_auc"]["low"],
        "auc_random_high": randomly.model.card.metrics["roc_auc"]["high"],
        "random_split_note": "stratified random split: for comparison with published figures only",
        "auc_time": auc["value"],
        "auc_time_low": auc["low"],
        "auc_time_high": auc["high"],
        "positive_rate_train": float(later.y_train.mean()),
        "positive_rate_test": float(later.y_test.mean()),
        "mean_predicted_test": float(timed.test_probabilities.mean()),
        "calibration_in_the_large": timed.model.card.metrics["calibration_in_the_large"]["value"],
        "flagged": list(timed.leakage.flagged),
        "excluded": list(timed.leakage.excluded),
        "duration_single_column_auc": timed.leakage.aucs.get("duration", float("nan")),
    }


def olist(resamples: int) -> dict[str, object]:
    leads = olist_leads_from()
    won = Target("won", "won_at", 60, "the MQL became a seller within 60 days of first contact")
    run = train(leads, won, cutoff=OLIST_CUTOFF, resamples=resamples)
    randomly = train(leads, won, split=random_split(leads, won), resamples=resamples)
    ever = leads["won_at"].notna().to_numpy().astype(int)
    by_origin = rates(leads["origin"], ever)
    auc, random_auc = run.model.card.metrics["roc_auc"], randomly.model.card.metrics["roc_auc"]
    return {
        "leads": len(leads),
        "win_rate": float(ever.mean()),
        "origin_win_rates": by_origin.round(4).to_dict("records"),
        "auc_time": auc["value"],
        "auc_time_low": auc["low"],
        "auc_time_high": auc["high"],
        "auc_random": random_auc["value"],
        "auc_random_low": random_auc["low"],
        "auc_random_high": random_auc["high"],
        "train_leads": len(run.split.train),
        "train_wins": int(run.split.y_train.sum()),
        "test_leads": len(run.split.test),
        "positive_rate_train": float(run.split.y_train.mean()),
        "positive_rate_test": float(run.split.y_test.mean()),
        "excluded": list(run.leakage.excluded),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=200)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    demo_figures, timings = demo(args.leads, args.resamples)
    figures = {
        "demo": demo_figures,
        "uci": uci(args.resamples),
        "olist": olist(args.resamples),
        **timings,
    }
    figures["load_average"] = {
        "before": load_before,
        "after": os.getloadavg()[0],
        "cores": os.cpu_count(),
    }
    text = json.dumps(
        figures, indent=2, default=lambda v: v.item() if isinstance(v, np.generic) else str(v)
    )
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
