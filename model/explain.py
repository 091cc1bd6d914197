"""Words and pictures around a prediction: the notes and the About text the Space shows, testable without a browser."""

from __future__ import annotations

import numpy as np

from .labels import MERGED_LOWERCASE, ambiguous_with

MERGED_NOTE = (f"Lowercase {', '.join(MERGED_LOWERCASE)} are merged with their uppercase twins in EMNIST Balanced, "
               "so they are reported as uppercase.")


def ambiguity_note(label: str) -> str:
    """A short warning when the top guess is one of EMNIST's look-alike groups (O/0, 1/I/l, S/5, ...)."""
    others = sorted(ambiguous_with(label))
    if not others:
        return ""
    return f"**{label}** is easily confused with {', '.join(f'**{o}**' for o in others)}: check the runner-up guesses."


def enlarge(glyph: np.ndarray, scale: int = 8) -> np.ndarray:
    """The 28x28 as the model saw it, blown up with hard pixel edges, light on black (uint8)."""
    pixels = np.clip(np.asarray(glyph, dtype=np.float32) * 255, 0, 255).astype(np.uint8)
    return np.kron(pixels, np.ones((scale, scale), dtype=np.uint8))


def about_markdown(metrics: dict, source: str) -> str:
    """The About section, from the serving model's own metrics.json (never typed by hand)."""
    if not metrics:
        return f"**Model:** `{source}` (no metrics.json next to it, so no measured numbers to show)."
    data, test, training = metrics["data"], metrics["test"], metrics["training"]
    lines = [
        f"**Model:** `{source}` · LeNet-5, {metrics['model']['parameters']:,} parameters",
        f"**Trained on:** {data['name']}" + (f" @ `{str(data['revision'])[:12]}`" if data.get("revision") else "")
        + f" ({data['train']:,} training images, {training['epochs_run']} epochs)",
        f"**Test split:** accuracy **{100 * test['accuracy']:.2f}%**, weighted F1 **{test['weighted_f1']:.4f}**, "
        f"macro F1 {test['macro_f1']:.4f}, top-3 {100 * test['top3_accuracy']:.2f}% ({test['samples']:,} images)",
    ]
    if not data.get("is_emnist", False):
        lines.append("⚠️ **This model was not trained on EMNIST handwriting** but on generated font glyphs, so expect "
                     "weaker results on real handwriting. Train the EMNIST model with `python -m train` (needs internet).")
    lines.append(MERGED_NOTE)
    return "\n\n".join(lines)
