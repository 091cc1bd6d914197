"""The Space as a client sees it: app.py started on 127.0.0.1, called through gradio_client."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.server import start_app
from tests.conftest import ARTIFACT_DIR

ROOT = Path(__file__).resolve().parents[1]
# Cold start here is ~10 s (TensorFlow + Gradio imports, model load); 45 s flags a real regression
# (a network wait at start-up, a model loaded per request) without failing on a busy CI machine.
MAX_STARTUP_S = 45


@pytest.fixture(scope="module")
def server():
    ARTIFACT_DIR.mkdir(exist_ok=True)
    app = start_app(ARTIFACT_DIR / "app_api.log")
    yield app
    app.stop()


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server.url, verbose=False)


def top_label(result) -> str:
    return result["label"]


def test_starts_fast_and_offline(server):
    assert server.startup_seconds < MAX_STARTUP_S
    assert server.recorder.attempts == [], f"app tried to reach the internet: {server.recorder.attempts}"


def test_predict_endpoint_is_documented(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert "/predict" in api["named_endpoints"]
    assert list(api["named_endpoints"]) == ["/predict"]  # the UI events stay private


def test_predict_an_example_file(client):
    from gradio_client import handle_file

    result = client.predict(handle_file(str(ROOT / "examples" / "uppercase" / "A_uppercase.png")), api_name="/predict")
    assert top_label(result) == "A"
    confidences = result["confidences"]
    assert len(confidences) == 5 and confidences[0]["label"] == "A"
    assert all(0 <= c["confidence"] <= 1 for c in confidences)
    assert [c["confidence"] for c in confidences] == sorted((c["confidence"] for c in confidences), reverse=True)


def confident_glyph(classifier, splits):
    """A test glyph the model reads right on its own (so any failure below is the pipeline's fault)."""
    from model.orientation import emnist_to_upright

    probabilities = classifier.predict_batch(splits.x_test.astype(np.float32) / 255)
    for i in np.argsort(-probabilities.max(axis=1)):
        if probabilities[i].argmax() == splits.y_test[i]:
            return emnist_to_upright(splits.x_test[i]), int(splits.y_test[i])
    raise AssertionError("no correctly classified glyph")


def test_png_with_transparency(client, default_classifier, tiny_splits, tmp_path):
    from gradio_client import handle_file

    from model.labels import LABELS

    upright, label = confident_glyph(default_classifier, tiny_splits)
    big = np.asarray(Image.fromarray(upright).resize((256, 256), Image.Resampling.BICUBIC))
    rgba = np.zeros((256, 256, 4), np.uint8)
    rgba[..., 3] = big  # black strokes, alpha = ink, background fully transparent
    path = tmp_path / "transparent.png"
    Image.fromarray(rgba, "RGBA").save(path)
    assert top_label(client.predict(handle_file(str(path)), api_name="/predict")) == LABELS[label]


def test_blank_image_is_a_clean_error(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    path = tmp_path / "blank.png"
    Image.new("RGB", (300, 300), "white").save(path)
    with pytest.raises(AppError, match="blank or uniform"):
        client.predict(handle_file(str(path)), api_name="/predict")


def test_non_image_file_is_a_clean_error(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    path = tmp_path / "notes.png"  # the name lies: the bytes are text
    path.write_bytes(b"this is not an image at all\n" * 20)
    with pytest.raises(AppError) as info:
        client.predict(handle_file(str(path)), api_name="/predict")
    assert "image" in str(info.value).lower() and "Traceback" not in str(info.value)


def test_twenty_concurrent_requests(client, default_classifier):
    """Each concurrent answer is the answer the same model gives in-process (no mix-ups between requests)."""
    from gradio_client import handle_file

    files = sorted((ROOT / "examples" / "digits").glob("*.png")) + sorted((ROOT / "examples" / "uppercase").glob("*.png"))[:10]
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda p: client.predict(handle_file(str(p)), api_name="/predict"), files))
    assert len(results) == 20
    assert [top_label(r) for r in results] == [default_classifier.predict(p).label for p in files]
    assert sum(top_label(r) == p.name[0] for r, p in zip(results, files)) >= 18  # and they are right
