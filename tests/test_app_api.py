"""The Space as a client sees it: app.py started on 127.0.0.1, called through gradio_client and plain HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from harness.data import emnist_sample
from harness.live_server import start_app
from tests.conftest import ARTIFACT_DIR

ROOT = Path(__file__).resolve().parents[1]
# Cold start here is a few seconds (Gradio's import dominates; no TensorFlow); 45 s flags a real regression
# (a network wait at start-up, a model loaded per request) without failing on a busy CI machine.
MAX_STARTUP_S = 45


@pytest.fixture(scope="module")
def server():
    ARTIFACT_DIR.mkdir(exist_ok=True)
    with start_app(ARTIFACT_DIR / "app_api.log") as app:
        yield app


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server.url, verbose=False)


def test_starts_fast_offline_and_without_tensorflow(server):
    assert server.startup_seconds < MAX_STARTUP_S
    assert server.recorder.attempts == [], f"app tried to reach the internet: {server.recorder.attempts}"
    maps = Path(f"/proc/{server.process.pid}/maps").read_text()
    assert "libtensorflow" not in maps and "_pywrap_tensorflow" not in maps


def test_named_endpoints_are_documented(client):
    api = client.view_api(print_info=False, return_format="dict")
    endpoints = api["named_endpoints"]
    assert list(endpoints) == ["/predict", "/read", "/predict_strokes", "/read_strokes"]  # the UI events stay private
    for name, first in [("/predict", "image"), ("/predict_strokes", "strokes")]:
        parameters = endpoints[name]["parameters"]
        assert [p["parameter_name"] for p in parameters] == [first, "allowed", "model"]
        assert parameters[1]["parameter_has_default"] and parameters[1]["parameter_default"] == ""
        assert parameters[2]["parameter_default"] == "auto"
    strokes_type = endpoints["/predict_strokes"]["parameters"][0]["type"]
    assert strokes_type["required"] == ["width", "height", "strokes"]  # the schema clients see
    for name, first in [("/read", "image"), ("/read_strokes", "strokes")]:
        parameters = endpoints[name]["parameters"]
        assert [p["parameter_name"] for p in parameters] == [first, "allowed", "words", "dictionary", "model"]
        assert [p["parameter_default"] for p in parameters[1:]] == ["", "", True, "auto"]  # callers of two inputs work


def test_a_word_reading_offers_candidates_and_takes_a_word_list(client):
    from harness.drawings import written

    result = client.predict(written(["47"]), api_name="/read_strokes")
    candidates = result["candidates"]
    assert candidates[0]["text"] == result["text"] == "47" and len(candidates) >= 2
    assert [c["score"] for c in candidates] == sorted((c["score"] for c in candidates), reverse=True)
    assert abs(sum(c["score"] for c in candidates) - 1) < 0.01 and len({c["text"] for c in candidates}) == len(
        candidates
    )
    listed = client.predict(written(["LT"]), api_name="/read_strokes")
    alone = client.predict(written(["LT"]), "", "", False, api_name="/read_strokes")
    assert alone["text"] == "LT"  # no word list: spelling alone, and the ink says L
    # L and I are one shape apart: the English list lifts the listed "IT" far above where the ink alone puts it.
    share = {c["text"]: c["score"] for c in listed["candidates"]}.get("IT", 0.0)
    assert share > 10 * {c["text"]: c["score"] for c in alone["candidates"]}.get("IT", 0.0) and share > 0.05
    assert client.predict(written(["LT"]), "", "LT", api_name="/read_strokes")["text"] == "LT"  # a word of yours
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="Word 2"):
        client.predict(written(["LT"]), "", "fine, b@d", api_name="/read_strokes")


def test_plain_http_callers_of_two_inputs_keep_working(server):
    """Written before words and dictionary were inputs: the missing ones take their defaults."""
    import httpx

    from harness.drawings import written

    for data in ([written(["47"]), ""], [written(["47"]), "", "it", False]):
        response = httpx.post(f"{server.url}gradio_api/run/read_strokes", json={"data": data}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["data"][0]["text"] == "47"


def test_strokes_endpoints_read_pen_trajectories(client, pen_classifier):
    from harness import data
    from harness.drawings import pad_value, written

    for d in data.pen_drawings(full=False)[0][::60]:
        value = pad_value(d["strokes"])
        result = client.predict(value, api_name="/predict_strokes")
        assert result["label"] == pen_classifier.predict_strokes(value).label
    assert client.predict(written(["47"]), api_name="/read_strokes")["text"] == "47"
    digits = client.predict(written(["L"]), "0123456789", api_name="/predict_strokes")
    assert all(c["label"].isdigit() for c in digits["confidences"])


def test_the_model_switch_reaches_the_api(client, default_classifier, pen_classifier):
    """Each endpoint takes the page's choice of model: "auto" (strokes and pictures to the pen-tuned model), or
    either model by name; a name it does not serve is refused in a sentence."""
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    from harness import data
    from harness.drawings import pad_value

    drawings = data.pen_drawings(full=False)[0]
    value = next(
        pad_value(d["strokes"])
        for d in drawings
        if not np.allclose(
            default_classifier.predict_strokes(pad_value(d["strokes"])).probabilities,
            pen_classifier.predict_strokes(pad_value(d["strokes"])).probabilities,
            atol=0.05,
        )
    )
    for model, classifier in (("emnist", default_classifier), ("pen", pen_classifier), ("auto", pen_classifier)):
        result = client.predict(value, "", model, api_name="/predict_strokes")
        expected = classifier.predict_strokes(value).confidences(5)
        assert {c["label"]: round(c["confidence"], 4) for c in result["confidences"]} == pytest.approx(
            {label: round(p, 4) for label, p in expected.items()}, abs=1e-4
        )
    picture = handle_file(str(ROOT / "examples" / "uppercase" / "A_pen.png"))
    emnist = client.predict(picture, "", "emnist", api_name="/predict")
    expected = default_classifier.predict(ROOT / "examples" / "uppercase" / "A_pen.png").confidences(5)
    assert emnist["label"] == max(expected, key=expected.get)
    with pytest.raises(AppError, match="model must be one of auto, emnist, pen"):
        client.predict(value, "", "gpt", api_name="/predict_strokes")


@pytest.mark.parametrize(
    "strokes, message",
    [
        ({"width": 400, "height": 400, "strokes": []}, "Nothing is drawn"),
        ({"width": 400, "height": 400, "strokes": [[[200, 200]]]}, "dot"),
        ({"width": 400, "height": 400, "strokes": [[[i % 400, 200] for i in range(100_000)]]}, "Too many points"),
        ({"width": 400, "height": 400, "strokes": [[[200, 200]]] * 10_000}, "Too many strokes"),
        ({"width": 400, "height": 400, "strokes": [[[-9e9, 1], [2, 3]]]}, "far outside"),
        ({"width": 0, "height": 400, "strokes": [[[1, 2]]]}, 'canvas "width"'),
        ({"width": 1e9, "height": 400, "strokes": [[[1, 2]]]}, 'canvas "width"'),
        ({"width": 400, "height": 400, "strokes": [[["1", "2"]]]}, "must be numbers"),
        ("not strokes at all", "not valid JSON"),
        ([[1, 2]], "must be an object"),
    ],
)
def test_bad_strokes_through_the_api_get_a_clear_message(client, strokes, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as info:
        client.predict(strokes, api_name="/predict_strokes")
    assert message in str(info.value) and "Traceback" not in str(info.value)


def test_non_finite_and_huge_strokes_over_plain_http(server):
    """NaN and Infinity are not JSON, but Python clients send them; several MB of points are refused fast."""
    import time

    url = server.url + "gradio_api/run/predict_strokes"
    nan = '{"data": [{"width": 400, "height": 400, "strokes": [[[NaN, 1], [Infinity, 2]]]}, ""]}'
    answer = httpx.post(url, content=nan, headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code < 500 or "error" in answer.text
    big = {"data": [{"width": 400, "height": 400, "strokes": [[[i % 400, i % 300] for i in range(400_000)]]}, ""]}
    start = time.perf_counter()
    answer = httpx.post(url, json=big, timeout=60).json()
    assert "Too many points" in answer["error"] and time.perf_counter() - start < 20
    assert httpx.post(
        url, json={"data": [{"width": 400, "height": 400, "strokes": [[[1, 2], [300, 300]]]}, ""]}, timeout=30
    ).json()["data"][0]["label"]  # and it keeps serving


def test_allowed_through_the_api(client):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    picture = handle_file(str(ROOT / "examples" / "uppercase" / "O_pen.png"))
    assert client.predict(picture, "0123456789", api_name="/predict")["label"] == "0"
    with pytest.raises(AppError, match="not one of the 47"):
        client.predict(picture, "0é", api_name="/predict")


def test_predict_an_example_file(client):
    from gradio_client import handle_file

    result = client.predict(handle_file(str(ROOT / "examples" / "uppercase" / "A_pen.png")), api_name="/predict")
    assert result["label"] == "A"
    confidences = result["confidences"]
    assert len(confidences) == 5 and confidences[0]["label"] == "A"
    assert [c["confidence"] for c in confidences] == sorted((c["confidence"] for c in confidences), reverse=True)


def test_read_a_word(client, tmp_path):
    """Three gallery pictures pasted side by side: /read returns the text and a box per character."""
    from gradio_client import handle_file
    from PIL import ImageOps

    names = ["digits/2_pen.png", "digits/0_pen.png", "digits/7_pen.png"]
    pictures = [Image.open(ROOT / "examples" / n).convert("L") for n in names]
    pictures = [p.crop(ImageOps.invert(p).getbbox()) for p in pictures]  # each digit's own box ...
    word = Image.new("L", (sum(p.width + 20 for p in pictures) + 20, max(p.height for p in pictures) + 40), 255)
    x = 20
    for picture in pictures:  # ... 20 px apart, as one writes a number
        word.paste(picture, (x, 20))
        x += picture.width + 20
    word.save(tmp_path / "word.png")
    result = client.predict(handle_file(str(tmp_path / "word.png")), api_name="/read")
    assert result["text"] == "207"
    boxes = [c["box"] for c in result["characters"]]
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes) and all(b[2] - b[0] > 10 for b in boxes)
    assert all(len(c["top3"]) == 3 for c in result["characters"])


def test_a_page_of_writing_is_refused_quickly_by_read(client, tmp_path):
    """A picture of 300 short zigzag words: /read refuses it with the reason, in seconds, before reading a word."""
    import time

    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    from harness.drawings import page_of_words

    Image.fromarray(page_of_words(), "RGBA").save(tmp_path / "page.png")
    start = time.perf_counter()
    with pytest.raises(AppError, match="too much writing"):
        client.predict(handle_file(str(tmp_path / "page.png")), api_name="/read")
    assert time.perf_counter() - start < 10


def test_png_with_transparency(client, pen_classifier, tmp_path):
    """Real EMNIST glyphs as black strokes on a transparent background, read like the app reads them in process."""
    from gradio_client import handle_file

    from model.ink.orientation import emnist_to_upright

    images, _ = emnist_sample()
    for index in (0, 500, 900):
        big = np.asarray(Image.fromarray(emnist_to_upright(images[index])).resize((256, 256), Image.Resampling.BICUBIC))
        rgba = np.zeros((256, 256, 4), np.uint8)
        rgba[..., 3] = big  # black strokes, alpha = ink, background fully transparent
        path = tmp_path / f"transparent{index}.png"
        Image.fromarray(rgba, "RGBA").save(path)
        assert (
            client.predict(handle_file(str(path)), api_name="/predict")["label"] == pen_classifier.predict(path).label
        )


def test_blank_image_is_a_clean_error(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    path = tmp_path / "blank.png"
    Image.new("RGB", (300, 300), "white").save(path)
    with pytest.raises(AppError, match="blank or uniform"):
        client.predict(handle_file(str(path)), api_name="/predict")


def test_a_dot_is_not_read_as_a_character(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    canvas = Image.new("L", (400, 400), 255)
    from PIL import ImageDraw

    ImageDraw.Draw(canvas).ellipse([190, 190, 215, 215], fill=0)  # a tap with a finger
    canvas.save(tmp_path / "dot.png")
    with pytest.raises(AppError, match="dot"):
        client.predict(handle_file(str(tmp_path / "dot.png")), api_name="/predict")


def test_non_image_file_is_a_clean_error(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    path = tmp_path / "notes.png"  # the name lies: the bytes are text
    path.write_bytes(b"this is not an image at all\n" * 20)
    with pytest.raises(AppError) as info:
        client.predict(handle_file(str(path)), api_name="/predict")
    assert "not a picture we can read" in str(info.value) and "Traceback" not in str(info.value)


def test_a_path_without_handle_file_gets_told_how(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="handle_file"):
        client.predict(str(ROOT / "examples" / "uppercase" / "A_pen.png"), api_name="/predict")


def test_plain_http_errors_are_readable(server):
    url = server.url + "gradio_api/run/predict"
    never_uploaded = httpx.post(
        url, json={"data": [{"path": "/etc/hostname", "meta": {"_type": "gradio.FileData"}}, ""]}
    )
    assert never_uploaded.json()["error"] and "not uploaded" in never_uploaded.json()["error"]
    bare_string = httpx.post(url, json={"data": ["/etc/hostname", ""]})
    assert "upload it to /gradio_api/upload first" in bare_string.json()["error"]


def test_plain_http_round_trip(server):
    """What the README's curl lines do: upload, then call the endpoint with the returned path."""
    with httpx.Client(base_url=server.url + "gradio_api", timeout=30) as http:
        with open(ROOT / "examples" / "digits" / "7_pen.png", "rb") as handle:
            path = http.post("/upload", files={"files": handle}).json()[0]
        response = http.post("/run/predict", json={"data": [{"path": path, "meta": {"_type": "gradio.FileData"}}, ""]})
    assert response.json()["data"][0]["label"] == "7"


def test_twenty_concurrent_requests(server, pen_classifier):
    """Twenty visitors at once, each with their own client: each answer is the one the same model gives in-process
    (no mix-ups between requests)."""
    from gradio_client import Client, handle_file

    def visit(path: Path) -> dict:
        return Client(server.url, verbose=False).predict(handle_file(str(path)), api_name="/predict")

    files = (
        sorted((ROOT / "examples" / "digits").glob("*.png"))
        + sorted((ROOT / "examples" / "uppercase").glob("*.png"))[:10]
    )
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(visit, files))
    assert [r["label"] for r in results] == [pen_classifier.predict(p).label for p in files]
    assert [r["label"] for r in results] == [p.name[0] for p in files]  # and they are right
