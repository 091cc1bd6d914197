"""Which test-time views (model/network/views.py) the served model averages: chosen on the validation split, like the
calibration, among a few sets of small transforms; the glyph alone unless a set reads validation better."""

from __future__ import annotations

import numpy as np

from model.ink.preprocess import as_batch
from model.network.metrics import ViewsInfo
from model.network.views import Views

NONE = "none"
#: name -> transforms besides the glyph itself: (rotation degrees, zoom, shift rows, shift cols).
SETS: dict[str, tuple] = {
    NONE: (),
    "half-pixel shifts": ((0, 1, 0.5, 0), (0, 1, -0.5, 0), (0, 1, 0, 0.5), (0, 1, 0, -0.5)),
    "rotations ±6°, zooms 0.92/1.08": ((6, 1, 0, 0), (-6, 1, 0, 0), (0, 0.92, 0, 0), (0, 1.08, 0, 0)),
}
SETS["both"] = SETS["half-pixel shifts"] + SETS["rotations ±6°, zooms 0.92/1.08"]


def fitted(predict, x_val: np.ndarray, y_val: np.ndarray, transforms: tuple) -> tuple[Views, np.ndarray]:
    """``transforms`` with the temperature that calibrates their average on the validation split, and that average
    (its top-1 is the served top-1: the temperature does not reorder classes)."""
    from .calibrate import fit_temperature, logits_of  # scipy.optimize: only when a run gets this far

    if not transforms:
        return Views(), np.asarray(predict(as_batch(x_val)))
    averaged = Views(transforms)(predict, as_batch(x_val))
    return Views(transforms, round(fit_temperature(logits_of(averaged), y_val), 4)), averaged


def choose(predict, x_val: np.ndarray, y_val: np.ndarray, pinned: str = "auto") -> tuple[str, Views, dict[str, float]]:
    """(name, views, every set's validation accuracy) for a calibrated model's ``predict`` (batch -> probabilities);
    a set must read strictly more of the validation split than the glyph alone to be chosen. ``pinned``: a set's
    name serves that set whatever validation says (a run whose outcome must not hang on a few images, such as
    the tests'); "auto" chooses."""
    if pinned != "auto" and pinned not in SETS:
        raise ValueError(f"unknown test-time views {pinned!r}; one of: auto, {', '.join(SETS)}")
    accuracy, views = {}, {}
    for name, transforms in SETS.items():
        views[name], averaged = fitted(predict, x_val, y_val, transforms)
        accuracy[name] = round(float(np.mean(averaged.argmax(1) == y_val)), 5)
    best = max(SETS, key=lambda n: (accuracy[n], n == NONE))  # ties go to the cheapest, the glyph alone
    chosen = best if pinned == "auto" else pinned
    return chosen, views[chosen], accuracy


def record(name: str, views: Views, accuracy: dict[str, float], test, pinned: bool = False) -> ViewsInfo:
    """What metrics.json keeps, so loading serves exactly these views."""
    return ViewsInfo(
        name=name,
        transforms=[list(map(float, t)) for t in views.transforms],
        temperature=views.temperature,
        validation_accuracy=accuracy,
        pinned=pinned,
        test=test,
    )
