"""URL classes of page views and asset classes of content touches, each a declared regex.

Classification runs on the distinct values only (a site has few URLs and assets), then maps back
through the factorised codes, so it costs one regex per distinct value, not per touch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

URL_PATTERNS: dict[str, str] = {
    "pricing": r"/(pricing|plans|price)(/|$|\?|#|\.)",
    "docs": r"/(docs|documentation|api-reference|developers?)(/|$|\?|#|\.)",
    "blog": r"/(blog|articles?|news)(/|$|\?|#|\.)",
    "careers": r"/(careers?|jobs?)(/|$|\?|#|\.)",
    "product": r"/(products?|features?|platform|solutions?|integrations?|customers|compare|security)(/|$|\?|#|\.)",
}
"""First matching class wins; matched case-insensitively against the URL."""

ASSET_PATTERNS: dict[str, str] = {
    "case_study": r"case[ _-]?stud",
    "whitepaper": r"white[ _-]?paper",
    "ebook": r"e[ _-]?book|guide|playbook",
    "report": r"report|benchmark|survey|analyst",
    "tool": r"template|checklist|calculator|toolkit|data[ _-]?sheet",
}
"""First matching class wins; matched case-insensitively against the asset name."""


def classify(values: pd.Series, patterns: Mapping[str, str]) -> np.ndarray:
    """Index (int8) of the first pattern each value matches; -1 for no match or a missing value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    compiled = [re.compile(p, re.IGNORECASE) for p in patterns.values()]
    table = np.full(len(uniques) + 1, -1, dtype=np.int8)
    for position, value in enumerate(uniques):
        text = str(value)
        for index, regex in enumerate(compiled):
            if regex.search(text):
                table[position] = index
                break
    return table[codes]  # code -1 (missing) reads the trailing -1
