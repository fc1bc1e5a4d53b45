"""Model files: one skops archive holding the fitted estimator and its card; loading checks before use.

How model files are trusted. A pickle can run any code when it is opened, so smarketing never unpickles
a model. Files are written and read with `skops.io`, which rebuilds objects from a declared structure and
refuses any type that is not explicitly trusted. Trusted = the scikit-learn / numpy types of the two
pipelines this package builds (TRUSTED_TYPES below, plus what skops trusts by default). A file that
asks for anything else is refused before a single object is built, with the list of offending types.

Then the card is checked: the file format, the scikit-learn and numpy versions (major.minor must match
the running ones: trees and encoders change between releases), and, when the caller passes the schema of
the data it is about to score, the feature columns. Every problem is listed in one ModelMismatch.
"""

from __future__ import annotations

import json
from pathlib import Path

import skops.io as sio

from scoring.errors import Problem
from scoring.learn.card import FORMAT, ModelCard, library_versions
from scoring.learn.model import ModelMismatch, TrainedModel
from scoring.learn.schema import FeatureSchema

TRUSTED_TYPES = frozenset(
    {
        "functools.partial",
        "numpy.dtype",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.utils.validation.check_array",
    }
)
VERSIONED = ("scikit-learn", "numpy")
SUFFIX = ".skops"


def save_model(model: TrainedModel, path: str | Path) -> Path:
    """Write `model` (estimator, schema, card) to `path` (a `.skops` file)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "card": model.card.to_json(),
        "schema": json.dumps(model.schema.as_dict()),
        "estimator": model.estimator,
    }
    sio.dump(payload, target)
    return target


def read_card(path: str | Path) -> ModelCard:
    """The card of a model file, after the same type check as `load_model`."""
    return _load_payload(Path(path))[0]


def load_model(path: str | Path, *, schema: FeatureSchema | None = None) -> TrainedModel:
    """Load a model file, refusing untrusted types, other library versions or another feature schema.

    Args:
        schema: the schema of the data the model will score (e.g. `infer_schema(leads)[0]` restricted to
            the model's columns); omitted, only the versions are checked now and the columns at scoring.
    """
    source = Path(path)
    card, saved_schema, estimator = _load_payload(source)
    problems = version_problems(card)
    if schema is not None:
        problems += saved_schema.differences(schema)
    if problems:
        raise ModelMismatch(problems, str(source))
    return TrainedModel(estimator, saved_schema, card)


def version_problems(card: ModelCard) -> list[Problem]:
    """Format and library-version differences between a card and the running environment."""
    problems = []
    if card.format != FORMAT:
        problems.append(
            Problem("format", f"file is {card.format!r}, this version reads {FORMAT!r}")
        )
    running = library_versions()
    for library in VERSIONED:
        saved = card.versions.get(library, "unknown")
        if _minor(saved) != _minor(running[library]):
            problems.append(
                Problem(
                    library, f"saved with {saved}, running {running[library]}: retrain the model"
                )
            )
    return problems


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _load_payload(path: Path) -> tuple[ModelCard, FeatureSchema, object]:
    if not path.is_file():
        raise ModelMismatch([Problem(str(path), "no such model file")])
    try:
        untrusted = set(sio.get_untrusted_types(file=path))
    except Exception as exc:  # not a skops archive at all
        raise ModelMismatch([Problem(str(path), f"not a smarketing model file ({exc})")]) from exc
    refused = sorted(untrusted - TRUSTED_TYPES)
    if refused:
        raise ModelMismatch(
            [
                Problem(
                    "types", f"the file asks for types that are not trusted: {', '.join(refused)}"
                )
            ],
            str(path),
        )
    payload = sio.load(path, trusted=sorted(untrusted))
    if not isinstance(payload, dict) or not {"card", "schema", "estimator"} <= set(payload):
        raise ModelMismatch([Problem(str(path), "not a smarketing model file (no card)")])
    card = ModelCard.from_json(payload["card"])
    schema = FeatureSchema.from_dict(json.loads(payload["schema"]))
    return card, schema, payload["estimator"]
