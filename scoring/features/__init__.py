"""The lead feature frame "as of" a time: firmographics, contact fields, quality flags, behaviour.

Pure core (frames in, frame out) plus a thin database reader; shared by the rulebook and the model.
"""

from __future__ import annotations

from scoring.features.columns import FEATURES, FeatureColumn
from scoring.features.frame import build_features
from scoring.features.quality import load_competitors

__all__ = ["FEATURES", "FeatureColumn", "build_features", "load_competitors"]
