"""The character pad's reader in the page (space/web/reader.js) against the server's ``Classifier.predict_strokes``,
in headless Chromium: the same 28x28, the same probabilities, with the person's classes and memory too; and the
page's weights file (model.web_weights), written by the export step, refused when damaged."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness import browser, data, web_reader
from model import web_weights
from model.ink.canvas import pad_value
from model.labels import LABELS
from model.memory import WriterMemory
from model.network.files import WEB_FILE
from model.network.loading import DEFAULT_DIR

if browser.chromium_missing() and not browser.in_ci():
    pytest.skip(browser.chromium_missing(), allow_module_level=True)

pytestmark = pytest.mark.browser
WEIGHTS = f"/{DEFAULT_DIR.relative_to(web_reader.ROOT).as_posix()}/pen/{WEB_FILE}"


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, web_reader.served() as url:
        launched = browser.launch(p)
        page = launched.new_page()
        page.url_root = url
        yield page
        launched.close()


def committed_drawings() -> list[dict]:
    """Every real pen drawing committed with the project (UJI digits, UNIPEN characters), as the pad sends it."""
    uji, _ = data.pen_drawings(full=False)
    unipen = [json.loads(line) for line in data.UNIPEN_SAMPLE.read_text().splitlines() if line.strip()]
    return [pad_value(d["strokes"]) for d in [*uji, *unipen]]


def compare(page, classifier, values, allowed=None, memory=None) -> dict:
    answers = web_reader.answers(
        page, page.url_root, WEIGHTS, values, allowed, None if memory is None else memory.as_dict()
    )["answers"]
    served = [classifier.predict_strokes(v, allowed, memory) for v in values]
    here = np.array([a["probabilities"] for a in answers])
    there = np.stack([s.probabilities for s in served])
    glyphs = np.abs(np.array([a["glyph"] for a in answers]).reshape(-1, 28, 28) - np.stack([s.glyph for s in served]))
    return {
        "same_top": float(np.mean(here.argmax(1) == there.argmax(1))),
        "max_diff": float(np.abs(here - there).max()),
        "grey_levels": float(255 * glyphs.mean()),
    }


def test_the_page_reads_every_committed_drawing_as_the_server_does(page, pen_classifier):
    values = committed_drawings()
    assert len(values) >= 600
    result = compare(page, pen_classifier, values)
    assert result["same_top"] >= 0.995 and result["max_diff"] <= 1e-3 and result["grey_levels"] <= 1.0, result


def test_the_persons_classes_and_memory_move_the_page_as_they_move_the_server(page, pen_classifier):
    values = committed_drawings()[::15]
    memory = WriterMemory()
    for value, label in zip(values[:4], "7QXb"):  # corrections: these drawings were these characters
        memory.add(pen_classifier.predict_strokes(value), label)
    for allowed, remembered in (("0123456789", None), (None, memory), ("ABCXYZ", memory)):
        result = compare(page, pen_classifier, values, allowed, remembered)
        assert result["same_top"] >= 0.995 and result["max_diff"] <= 1e-3, (allowed, result)
    taught = web_reader.answers(page, page.url_root, WEIGHTS, values[:4], None, memory.as_dict())["answers"]
    here = [LABELS[int(np.argmax(a["probabilities"]))] for a in taught]
    assert here == [pen_classifier.predict_strokes(v, None, memory).label for v in values[:4]] == list("7QXb")


def test_a_damaged_weights_file_is_refused_by_the_server_and_the_page(page, tmp_path):
    good = (DEFAULT_DIR / "pen" / WEB_FILE).read_bytes()
    assert web_reader.refusal(page, page.url_root, WEIGHTS) is None
    damaged = {
        "flipped.bin": good[:200] + bytes([good[200] ^ 1]) + good[201:],
        "short.bin": good[: len(good) // 2],
        "other.bin": b"not weights at all" * 10,
    }
    folder = web_reader.ROOT / "test-artifacts" / "web"
    folder.mkdir(parents=True, exist_ok=True)
    for name, blob in damaged.items():
        with pytest.raises(web_weights.WebWeightsError):
            web_weights.unpack(blob)
        (folder / name).write_bytes(blob)
        assert web_reader.refusal(page, page.url_root, f"/test-artifacts/web/{name}")
