"""Words and pictures around a prediction: what the Space's page says, testable without a browser.

Every number shown comes from the serving model's metrics.json; a field it lacks reads "not recorded".
"""

from __future__ import annotations

import numpy as np

from model import seed_card
from model.architecture import EXPECTED_PARAMS
from model.labels import MERGED_LOWERCASE, ambiguous_with
from model.metrics import ModelMetrics

WELCOME = "Draw a character (it is read as you draw), upload a picture of one, or click an example."
WORD_WELCOME = ("Write a word, a name or a number, with a little space between the characters: each one is read, "
                "and the characters around a look-alike (O/0, I/1, S/5, ...) decide which it is.")
NOT_RECORDED = "not recorded"


def merged_note(label: str) -> str:
    """Only for the letters EMNIST Balanced folds together (C/c, O/o, ...): the drawing may have been lowercase."""
    if label.lower() not in MERGED_LOWERCASE:
        return ""
    return (f"EMNIST Balanced reads **{label.lower()}** and **{label}** as one class, so a lowercase "
            f"{label.lower()} is reported as **{label}**.")


def ambiguity_note(label: str) -> str:
    """A short warning when the top guess is one of EMNIST's look-alike groups (O/0, 1/I/L, S/5, ...)."""
    others = sorted(ambiguous_with(label))
    if not others:
        return ""
    return f"**{label}** is easily confused with {', '.join(f'**{o}**' for o in others)}: check the runner-up guesses."


def notes_for(label: str) -> str:
    return "\n\n".join(note for note in (ambiguity_note(label), merged_note(label)) if note)


def enlarge(glyph: np.ndarray, scale: int = 8) -> np.ndarray:
    """The 28x28 as the model saw it, blown up with hard pixel edges, light on black (uint8)."""
    pixels = np.clip(np.asarray(glyph, dtype=np.float32) * 255, 0, 255).astype(np.uint8)
    return np.kron(pixels, np.ones((scale, scale), dtype=np.uint8))


def annotate(rgba: np.ndarray, reading) -> np.ndarray:
    """The drawing on white with a box around each character and, above it, what was read there."""
    from PIL import Image, ImageDraw, ImageFont

    alpha = rgba[..., 3:4].astype(np.float32) / 255
    picture = Image.fromarray((255 * (1 - alpha) + rgba[..., :3] * alpha).astype(np.uint8))
    pen = ImageDraw.Draw(picture)
    size = max(14, int(0.08 * picture.height))
    font = ImageFont.load_default(size=size)
    for c in reading.characters:
        left, top, right, bottom = c.box
        colour = (37, 99, 235) if c.label == c.raw_label else (217, 119, 6)  # orange: changed by context
        pen.rectangle([left - 3, top - 3, right + 3, bottom + 3], outline=colour, width=3)
        pen.text((left, max(0, top - size - 6)), c.label, fill=colour, font=font)
    return np.asarray(picture)


def word_details(reading) -> str:
    """Per character: what was read, the model's own top 3, and whether context changed it."""
    rows = ["| # | read | model's top 3 |", "|---|---|---|"]
    for i, c in enumerate(reading.characters, 1):
        top = ", ".join(f"{label} {100 * p:.0f}%" for label, p in c.top(3))
        changed = f" (context; the model said {c.raw_label})" if c.label != c.raw_label else ""
        rows.append(f"| {i} | **{c.label}**{changed} | {top} |")
    return "\n".join(rows)


def _percent(value: float | None) -> str:
    return NOT_RECORDED if value is None else f"{100 * value:.2f}%"


def _number(value: float | None, digits: int = 4) -> str:
    return NOT_RECORDED if value is None else f"{value:.{digits}f}"


def _count(value: int | None) -> str:
    return NOT_RECORDED if value is None else f"{value:,}"


def about_markdown(metrics: ModelMetrics, source: str) -> str:
    """The About section, from the serving model's own metrics.json (never typed by hand)."""
    if not metrics.known:
        return f"**Model:** `{source}` (no metrics.json next to it, so no measured numbers to show)."
    data, test, calibration = metrics.data, metrics.test, metrics.calibration
    lines = [
        f"**Model:** `{source}` · LeNet-5, {_count(metrics.model.parameters)} parameters",
        f"**Trained on:** {data.name or NOT_RECORDED}" + (f" — {data.description}" if data.description else "")
        + f" ({_count(data.train)} training images, {metrics.training.epochs_run or NOT_RECORDED} epochs)",
        f"**Test split** ({_count(test.samples)} images): accuracy **{_percent(test.accuracy)}**, "
        f"balanced accuracy {_percent(test.balanced_accuracy)}, weighted F1 **{_number(test.weighted_f1)}**, "
        f"macro F1 {_number(test.macro_f1)}, top-3 {_percent(test.top3_accuracy)}, "
        f"calibration error (ECE) {_number(test.ece)}",
        f"**The seed model card claims** ~{100 * seed_card.ACCURACY:.0f}% accuracy and weighted F1 "
        f"{seed_card.WEIGHTED_F1:.4f} ({seed_card.SPLIT}); we never measured those.",
    ]
    if calibration.temperature and test.ece is not None and test.ece <= 0.03:
        lines.append(f"**Confidences are calibrated** (temperature {calibration.temperature:.2f}"
                     + (f", class-prior correction ×{calibration.prior_correction:g}" if calibration.prior_correction else "")
                     + ", fitted on the validation split): a guess shown at 80% is right about 80% of the time.")
    if data.handwriting is False:
        lines.append("⚠️ **This model was not trained on handwriting** but on generated font glyphs, so expect weaker "
                     "results on real handwriting. Train on EMNIST with `python -m train`.")
    elif data.official_split is False:
        lines.append("These numbers are on a re-split of real EMNIST handwriting, **not the official EMNIST Balanced "
                     "split**; numbers on the official split come from `python -m train` with internet.")
    unknown = [name for name in ("data.name", "test.accuracy", "test.weighted_f1", "preprocessing") if name in metrics.missing]
    if unknown:
        lines.append(f"Not recorded in this model's metrics.json: {', '.join(unknown)}.")
    return "\n\n".join(lines)


def headline(metrics: ModelMetrics) -> str:
    parameters = metrics.model.parameters or EXPECTED_PARAMS
    return (f"Digits, uppercase and 11 lowercase letters (EMNIST Balanced, 47 classes), read by a "
            f"{parameters:,}-parameter CNN. Write a whole word or number to have every character read.")
