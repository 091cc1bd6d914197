"""Pick the model the Space serves: the configured one if it loads in time, else the bundled default, saying which."""

from __future__ import annotations

import logging

from model.classifier import Classifier
from model.loading import DEFAULT_DIR, ModelLoadError, configured_source

log = logging.getLogger(__name__)

#: Start-up never waits longer than this for the Hub; then the cached copy or the bundled model serves.
HUB_TIMEOUT_S = 8.0


def load_for_serving(source: str | None = None, revision: str | None = None) -> tuple[Classifier, str]:
    """The classifier and a one-line status for the page (short, no server paths; the detail goes to the log).

    A configured model that cannot be loaded (no network and not cached, corrupt file) does not take the Space
    down: the bundled default serves instead, and the status says so."""
    chosen = configured_source(source)
    if chosen:
        try:
            classifier = Classifier.load(chosen, revision=revision, timeout=HUB_TIMEOUT_S)
            return classifier, " ".join([f"Serving `{classifier.source}`.", *classifier.warnings])
        except ModelLoadError as exc:
            log.warning("could not load %s, serving the bundled model instead: %s", chosen, exc)
            note = f"⚠️ The configured model could not be loaded: {exc.reason} Serving the bundled model instead."
    else:
        note = "Serving the bundled model."
    classifier = Classifier.load(DEFAULT_DIR)
    return classifier, " ".join([note, *classifier.warnings])
