"""metrics.json: what a trained model knows about itself, in one versioned schema.

``train`` writes it, the loader, the model card and the Space read it, all through these dataclasses. Reading
is forgiving on purpose: a model whose metrics.json is old, partial or from a newer version still serves, and
``ModelMetrics.missing`` lists what could not be read so the page can say "not recorded" instead of crashing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_type_hints

from model.atomic import write_text

if TYPE_CHECKING:  # pydantic is imported when a file is read, so importing this module stays light
    from pydantic import TypeAdapter

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2


@dataclass
class DataInfo:
    """What the model was trained and tested on. ``name`` is what people read; ``hub_id`` is only ever a real
    Hub dataset id (never a local path), so the card's ``datasets:`` and model-index can link to it."""

    name: str | None = None
    description: str | None = None
    source: str | None = None  # "hub", "folder", "image-dataset" or "synthetic"
    hub_id: str | None = None
    revision: str | None = None
    handwriting: bool | None = None  # real handwriting (EMNIST or people's pictures), not generated glyphs
    official_split: bool | None = None  # the official EMNIST Balanced train/test split
    train: int | None = None
    validation: int | None = None
    test: int | None = None
    train_class_counts: list[int] | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    #: Real pen characters added (train/pen.py), per file: its source and licence, writers and characters used.
    pen: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class TestMetrics:
    samples: int | None = None
    accuracy: float | None = None
    balanced_accuracy: float | None = None  # mean per-class recall
    weighted_f1: float | None = None
    macro_f1: float | None = None
    top3_accuracy: float | None = None
    ece: float | None = None  # expected calibration error, 15 equal-width confidence bins
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)
    most_confused: list[dict[str, Any]] = field(default_factory=list)
    confusion_matrix: list[list[int]] = field(default_factory=list)


@dataclass
class Calibration:
    """How the raw network output was turned into the probabilities the model file gives.

    Both corrections are folded into the final Dense layer's weights (no extra parameters): logits are shifted
    by ``-prior_correction * log(training class prior)`` and divided by ``temperature``."""

    temperature: float | None = None
    prior_correction: float | None = None
    validation_ece_before: float | None = None
    validation_ece_after: float | None = None
    folded_into_weights: bool | None = None


@dataclass
class ModelInfo:
    name: str | None = None
    variant: str | None = None  # which of the repo's models (files.VARIANTS); None: written before variants
    parameters: int | None = None
    layers: list[dict[str, Any]] = field(default_factory=list)
    input: str | None = None


@dataclass
class ServingInfo:
    """The serving artifact next to the Keras file, and how closely it matched Keras on the test split."""

    file: str | None = None
    runtime: str | None = None
    same_argmax: bool | None = None
    max_abs_diff: float | None = None
    features: int | None = None  # width of its second output, the penultimate layer (what a WriterMemory keeps)
    features_max_abs_diff: float | None = None


@dataclass
class ViewsInfo:
    """Test-time augmentation as served (model/network/views.py): ``python -m train`` chose it on the validation split."""

    name: str | None = None  # one of train/views.py's candidate sets ("none": the glyph alone)
    transforms: list[list[float]] = field(default_factory=list)  # [rotation degrees, zoom, shift rows, shift cols]
    temperature: float | None = None  # applied to the averaged probabilities
    validation_accuracy: dict[str, float] = field(default_factory=dict)  # every candidate's, by name
    pinned: bool = False  # named on the command line (--test-time-views NAME) rather than chosen on validation
    test: TestMetrics = field(default_factory=TestMetrics)  # the test split as served with these views


@dataclass
class TrainingInfo:
    recipe: dict[str, Any] = field(default_factory=dict)
    strategy: str | None = None
    replicas: int | None = None
    epochs_run: int | None = None
    best_epoch: int | None = None
    best_val_balanced_accuracy: float | None = None
    train_time_s: float | None = None
    seconds_per_epoch: float | None = None
    images_per_second: int | None = None
    #: Accuracy of the calibrated file on each part of the validation split ("EMNIST", "pen lowercase", ...).
    validation: dict[str, float] = field(default_factory=dict)


@dataclass
class ModelMetrics:
    schema_version: int = SCHEMA_VERSION
    model: ModelInfo = field(default_factory=ModelInfo)
    preprocessing: str | None = None  # model.ink.preprocess.PREPROCESSING_VERSION the model was made for
    data: DataInfo = field(default_factory=DataInfo)
    training: TrainingInfo = field(default_factory=TrainingInfo)
    calibration: Calibration = field(default_factory=Calibration)
    test: TestMetrics = field(default_factory=TestMetrics)
    serving: ServingInfo = field(default_factory=ServingInfo)
    views: ViewsInfo = field(default_factory=ViewsInfo)
    history: dict[str, list[float]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    command: str | None = None
    created_unix: int | None = None
    #: Not stored: what reading the file could not find (dotted names), for the page and the log.
    missing: list[str] = field(default_factory=list, metadata={"stored": False})

    @property
    def served_test(self) -> TestMetrics:
        """The test split as this package serves the model: with its test-time views where they were chosen."""
        return self.views.test if self.views.transforms and self.views.test.accuracy is not None else self.test

    @property
    def known(self) -> bool:
        """Whether a metrics.json was read at all."""
        return "metrics.json" not in self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in dataclasses.asdict(self).items()
            if _stored(next(f for f in dataclasses.fields(self) if f.name == k))
        }

    def save(self, path: str | os.PathLike) -> None:
        write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelMetrics:
        missing: list[str] = []
        metrics = _read(cls, _upgrade(raw), "", missing)
        metrics.missing = missing
        return metrics

    @classmethod
    def load(cls, path: str | os.PathLike) -> ModelMetrics:
        """metrics.json at ``path``; an absent or unreadable file gives an empty record that says so."""
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
        except FileNotFoundError:
            return cls(missing=["metrics.json"])
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", path, exc)
            return cls(missing=["metrics.json"])
        metrics = cls.from_dict(raw)
        if metrics.schema_version != SCHEMA_VERSION:
            log.warning(
                "%s uses metrics schema %s (this code knows %s); unknown fields are ignored",
                path,
                metrics.schema_version,
                SCHEMA_VERSION,
            )
        return metrics


def _stored(f: dataclasses.Field) -> bool:
    return f.metadata.get("stored", True)


def _upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 (no schema_version; ``data.is_emnist``, flat training facts) -> schema 2 field names."""
    if "schema_version" in raw:
        return raw
    raw = {**raw, "schema_version": 1}
    data = dict(raw.get("data") or {})
    if "is_emnist" in data:
        data["handwriting"] = data.pop("is_emnist")
    if data.get("source") == "hub" and "/" in str(data.get("name", "")):
        data["hub_id"] = data["name"]
    raw["data"] = data
    training = dict(raw.get("training") or {})
    if training and "recipe" not in training:
        facts = {f.name for f in dataclasses.fields(TrainingInfo)}
        training = {
            **{k: v for k, v in training.items() if k in facts},
            "recipe": {k: v for k, v in training.items() if k not in facts},
        }
    raw["training"] = training
    return raw


def _read(kind, raw: Any, prefix: str, missing: list[str]):
    """Build dataclass ``kind`` from ``raw``, keeping what fits and listing what is absent or malformed."""
    from pydantic import ValidationError

    if not isinstance(raw, dict):
        missing.append(prefix.rstrip(".") or "metrics.json")
        return kind()
    hints = get_type_hints(kind)
    values = {}
    for f in dataclasses.fields(kind):
        if not _stored(f):
            continue
        name = prefix + f.name
        if f.name not in raw:
            missing.append(name)
            continue
        value = raw[f.name]
        if value is None:  # written as unknown on purpose
            continue
        if dataclasses.is_dataclass(hints[f.name]):
            values[f.name] = _read(hints[f.name], value, name + ".", missing)
            continue
        try:
            values[f.name] = _adapter(hints[f.name]).validate_python(value, strict=True)
        except ValidationError:
            missing.append(name)
    return kind(**values)


@cache
def _adapter(annotation) -> TypeAdapter:
    from pydantic import TypeAdapter

    return TypeAdapter(annotation)
