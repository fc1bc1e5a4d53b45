"""How `smarketing train` splits the leads: a time split at a cutoff, or a labelled random split."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from scoring.errors import ConfigError
from scoring.learn.targets import Target

if TYPE_CHECKING:
    from scoring.learn.validation import Split  # scikit-learn: imported only when training


def target_option(name: str, horizon_days: float | None = None) -> Target:
    from scoring.learn import target_named

    try:
        return target_named(name, horizon_days)
    except KeyError as exc:
        raise ConfigError(f"--target: {exc.args[0]}") from None


def split_of(
    leads: pd.DataFrame, target: Target, kind: str, cutoff: str | None, column: str
) -> Split:
    """The split `smarketing train` asked for: a time split at `cutoff`, or a labelled random one."""
    from scoring.learn.validation import random_split, time_split

    check_split(kind, cutoff)
    if kind == "random":
        return random_split(leads, target, time_column=column)
    return time_split(leads, target, str(cutoff), time_column=column)


def check_split(kind: str, cutoff: str | None) -> None:
    """Refuse an unusable --split/--cutoff combination before any lead is read."""
    if kind not in ("time", "random"):
        raise ConfigError(f"--split {kind!r}: choose time or random")
    if kind == "random" and cutoff is not None:
        raise ConfigError("--cutoff belongs to --split time; a random split takes none")
    if kind == "time" and cutoff is None:
        raise ConfigError(
            "--split time needs --cutoff DATE (or --split random for an export without dates)"
        )
