"""Pick the model a Space serves: the configured one if it loads, else the bundled default, saying which."""

from __future__ import annotations

import logging
import os

from .classifier import Classifier
from .loading import DEFAULT_DIR, ENV_VAR, ModelLoadError

log = logging.getLogger(__name__)


def load_for_serving(source: str | None = None, revision: str | None = None) -> tuple[Classifier, str]:
    """The classifier and a one-line status for the page.

    A configured model that cannot be loaded (no network and not cached, corrupt file) does not take
    the Space down: the bundled default serves instead, and the status says so.
    """
    source = source or os.environ.get(ENV_VAR) or None
    if source:
        try:
            return Classifier.load(source, revision=revision), f"Serving `{source}`."
        except ModelLoadError as exc:
            log.warning("falling back to the bundled model: %s", exc)
            note = f"⚠️ Could not load `{source}`: {exc} Serving the bundled default model instead."
    else:
        note = "Serving the bundled default model."
    return Classifier.load(DEFAULT_DIR), note
