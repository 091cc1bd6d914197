"""Pick the models the Space serves: the configured repo's if they load in time, else the bundled ones, saying
which."""

from __future__ import annotations

import logging

from model.network.loading import DEFAULT_DIR, ModelLoadError, configured_source
from model.served import ServedModels

from . import texts

log = logging.getLogger(__name__)

#: Start-up never waits longer than this for the Hub; then the cached copy or the bundled model serves.
HUB_TIMEOUT_S = 8.0


def load_for_serving(source: str | None = None, revision: str | None = None) -> tuple[ServedModels, str]:
    """The models and a one-line status for the page (short, no server paths; the detail goes to the log).

    A configured model that cannot be loaded (no network and not cached, corrupt file) does not take the Space
    down: the bundled models serve instead, and the status says so."""
    chosen = configured_source(source)
    if chosen:
        try:
            models = ServedModels.load(chosen, revision=revision, timeout=HUB_TIMEOUT_S)
            return models, " ".join([f"Serving `{models.emnist.source}`.", texts.served(models), *models.warnings])
        except ModelLoadError as exc:
            log.warning("could not load %s, serving the bundled model instead: %s", chosen, exc)
            note = f"⚠️ The configured model could not be loaded: {exc.reason} Serving the bundled model instead."
    else:
        note = "Serving the bundled models."
    models = ServedModels.load(DEFAULT_DIR)
    return models, " ".join([note, texts.served(models), *models.warnings])
