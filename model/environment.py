"""The process environment every entry point starts with (the app, training, benchmarks, tests): no telemetry,
no analytics calls at start-up, no TensorFlow or LiteRT chatter. Set before Gradio, huggingface_hub or TensorFlow
are imported; a value already in the environment wins."""

from __future__ import annotations

import os

QUIET = {
    "GRADIO_ANALYTICS_ENABLED": "False",  # Gradio phones home at start-up otherwise
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",  # TensorFlow's C++ start-up lines, LiteRT's "created XNNPACK delegate"
}


def quiet(environ: dict | None = None) -> dict:
    """Fill in QUIET where unset (in ``os.environ``, or the given mapping); returns the mapping."""
    environ = os.environ if environ is None else environ
    for key, value in QUIET.items():
        environ.setdefault(key, value)
    return environ
