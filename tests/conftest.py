"""Shared fixtures. Everything runs offline: HF_HOME points at a per-session temp folder."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from model.environment import QUIET

ROOT = Path(__file__).resolve().parents[1]
ARTIFACT_DIR = ROOT / "test-artifacts"  # screenshots etc. kept for CI to upload


@pytest.fixture(scope="session", autouse=True)
def offline_hf_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("hf_home")
    env = {
        **QUIET,
        "HF_HOME": str(home),
        "HF_HUB_ETAG_TIMEOUT": "2",
    }
    old = {k: os.environ.get(k) for k in [*env, "HF_TOKEN", "EMNIST_MODEL"]}
    os.environ.update(env)
    os.environ.pop("HF_TOKEN", None)  # tests never see a real token
    os.environ.pop("EMNIST_MODEL", None)
    import huggingface_hub.constants as c

    saved = (c.HF_HOME, c.HF_HUB_CACHE, c.HF_TOKEN_PATH)
    c.HF_HOME, c.HF_HUB_CACHE, c.HF_TOKEN_PATH = str(home), str(home / "hub"), str(home / "token")
    yield home
    c.HF_HOME, c.HF_HUB_CACHE, c.HF_TOKEN_PATH = saved
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def tiny_splits():
    from train import synthetic

    return synthetic.make_splits(train_count=47 * 20, test_count=47 * 4, seed=7)


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory):
    """One short real training run on synthetic data, shared by the tests that need artifacts.

    Its test-time views are pinned to none: choosing them on 600 validation images can go either way on another
    CPU's arithmetic, and these tests must not hang on that (tests/test_views.py trains with views on purpose)."""
    from harness.tiny_run import train_tiny

    return train_tiny(tmp_path_factory.mktemp("run"), samples=6000, epochs=6, views="none")


@pytest.fixture(scope="session")
def default_classifier():
    """The bundled EMNIST model: what ``Classifier.load()`` and ``from_pretrained`` give by default."""
    from model import Classifier

    return Classifier.load()


@pytest.fixture(scope="session")
def pen_classifier():
    """The bundled pen-tuned model: what the Space's pads read strokes with."""
    from model import Classifier

    return Classifier.load(variant="pen")


@pytest.fixture(scope="session")
def served_models(default_classifier, pen_classifier):
    """Both bundled models, as the Space serves them."""
    from model.served import ServedModels

    return ServedModels(default_classifier, pen_classifier)


@pytest.fixture
def silent_endpoint(monkeypatch):
    """A Hub endpoint that accepts connections and never answers (the worst network there is)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # keep it open, say nothing
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    import huggingface_hub.constants as c

    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setattr(c, "ENDPOINT", url)
    monkeypatch.setattr(c, "HUGGINGFACE_CO_URL_TEMPLATE", url + "/{repo_id}/resolve/{revision}/{filename}")
    yield url
    stop.set()
    server.close()
    for conn in held:
        conn.close()


def pytest_collection_modifyitems(items):
    """Marks by what a test needs, so `-m "not browser and not app and not train"` runs the quick ones."""
    for item in items:
        if {"trained_run", "views_runs"} & set(item.fixturenames):
            item.add_marker(pytest.mark.train)
        if {"server", "client", "app"} & set(item.fixturenames):
            item.add_marker(pytest.mark.app)
