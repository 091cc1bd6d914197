"""What each event of the page shows, with the bundled model and no browser: the handlers of space.handlers."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest

from harness import data
from harness.drawings import pad_value, written
from model.labels import LABELS, index_of
from space import texts
from space.api import Api
from space.handlers import EMPTY, EMPTY_WORD, Page


@pytest.fixture(scope="module")
def page(served_models):
    return Page(served_models)


@pytest.fixture(scope="module")
def pen():
    return data.pen_drawings(full=False)[0]


def test_an_empty_or_cleared_pad_shows_the_welcome(page):
    for value in (None, {}, {"width": 400, "height": 400, "strokes": []}):
        assert page.draw(value) == EMPTY
        assert page.write(value) == EMPTY_WORD


def test_a_drawing_is_answered_with_its_guesses_glyph_and_runner_ups(page, pen_classifier, pen):
    d = next(d for d in pen if pen_classifier.predict_strokes(pad_value(d["strokes"])).label == d["label"])
    confidences, glyph, note, fix, shown = page.draw(pad_value(d["strokes"]))
    assert max(confidences, key=confidences.get) == d["label"] and len(confidences) == 5
    assert glyph.shape == (224, 224) and glyph.dtype == np.uint8
    assert isinstance(fix, gr.Radio) and len(fix.choices) == 4 and shown["strokes"]["strokes"]


@pytest.mark.parametrize(
    "value, message",
    [
        ({"width": 0, "height": 400, "strokes": [[[1, 2]]]}, 'canvas "width"'),
        ({"width": 400, "height": 400, "strokes": [[["x", "y"]]]}, "must be numbers"),
        ({"width": 400, "height": 400, "strokes": [[[200, 200]] * 30_000]}, "Too many points"),
    ],
)
def test_bad_strokes_become_a_warning_never_an_exception(page, value, message):
    confidences, glyph, note, *_ = page.draw(value)
    assert confidences is None and glyph is None and note.startswith("⚠️") and message in note
    assert page.write(value).note.startswith("⚠️")


def test_a_tap_is_refused_kindly(page):
    confidences, glyph, note, fix, shown = page.draw({"width": 400, "height": 400, "strokes": [[[200, 200]]]})
    assert confidences is None and "dot" in note and shown is None


def test_digits_only_reads_a_look_alike_as_its_digit(page, pen_classifier, pen):
    for d in pen:  # a digit the model reads as its look-alike letter
        value = pad_value(d["strokes"])
        if not pen_classifier.predict_strokes(value).label.isdigit():
            break
    confidences = page.draw(value, "Digits")[0]
    assert all(label.isdigit() for label in confidences)


def test_correct_remembers_and_reads_again(page, pen_classifier, pen):
    d = next(d for d in pen if pen_classifier.predict_strokes(pad_value(d["strokes"])).label != d["label"])
    shown = page.draw(pad_value(d["strokes"]))[4]
    confidences, _, note, _, shown_after, stored, status = page.correct(shown, d["label"], "Anything", None)
    assert max(confidences, key=confidences.get) == d["label"]  # no redrawing needed
    assert f"that was a **{d['label']}**" in note and "1 of your characters" in status
    assert len(stored["examples"]) == 1 and shown_after == shown
    # the browser sends it back with the next drawing: used, and a second correction adds to it
    again = page.correct(shown, d["label"].lower() if d["label"].isalpha() else d["label"], "Anything", stored)
    assert len(again[5]["examples"]) == 2
    assert page.confirm(shown, "Anything", stored)[5]["examples"][-1]["confirmed"] is True
    assert page.forget() == (None, texts.FORGOTTEN)


def test_a_bad_correction_changes_nothing_and_says_why(page, pen):
    shown = page.draw(pad_value(pen[0]["strokes"]))[4]
    for label in ("", "ab", "é"):
        result = page.correct(shown, label, "Anything", None)
        assert result[2].startswith("⚠️") and result[5] == gr.skip()  # the memory is left as it was
    assert page.correct(None, "7", "Anything", None)[2] == f"⚠️ {texts.NOTHING_TO_CORRECT}"


def test_a_tampered_memory_is_ignored_with_a_message(page, pen):
    tampered = {"version": 1, "model": "x", "examples": [{"label": "7", "features": "nope"}]}
    confidences, _, note, *_ = page.draw(pad_value(pen[0]["strokes"]), "Anything", tampered)
    assert confidences and "another model" in note and texts.MEMORY_IGNORED in note
    assert "another model" in page.memory_status(tampered)
    assert page.memory_status(None) == texts.remembered(0)


def test_a_word_is_read_and_corrected_by_typing_or_clicking(page):
    value = written(["47"])
    text, reading, details, read, fix, suggestions = page.write(value)
    assert text == "47" and page.boxes(read, reading).shape[:2] == (value["height"], value["width"])
    assert suggestions.visible and "47" not in suggestions.choices and len(suggestions.choices) >= 1
    result = page.correct_word(read, "41", "Anything", None)
    assert result[0] == "41" and len(result[6]["examples"]) == 2 and "1 corrected" in result[2]
    assert result[6]["words"] == ["41"]
    longer = page.correct_word(read, "471", "Anything", None)  # a typed word of any length becomes the text
    assert longer[0] == "471" and len(longer[6]["examples"]) == 3 and not longer[2].startswith("⚠️")
    second = page.write(value)[0:1]
    assert second == ("47",)
    box = reading.characters[1].box  # a click inside the second character shown
    choices, index = page.pick(reading, SimpleNamespace(index=[(box[0] + box[2]) // 2, (box[1] + box[3]) // 2]))
    assert index == 1 and "Character 2" in choices.label and len(choices.choices) >= 2
    other = choices.choices[0][1]  # (shown, value) pairs
    fixed = page.correct_character(read, reading, index, other, "Anything", None)
    assert fixed[0] == "4" + other and [e["label"] for e in fixed[6]["examples"]] == ["4", LABELS[index_of(other)]]
    assert page.pick(reading, SimpleNamespace(index=[1, 1])) == (gr.skip(), gr.skip())  # a click beside the ink
    assert page.pick(None, SimpleNamespace(index=[box[0], box[1]])) == (gr.skip(), gr.skip())  # nothing shown


def test_picking_a_suggested_reading_makes_it_the_text_and_teaches_it(page):
    value = written(["LT"])
    reading = page.home.read_strokes(value)
    offered = reading.candidates[1]
    result = page.choose_reading(value, offered.text, "Anything", None)
    assert result[0] == offered.text and not result[5].visible  # the text now, no other readings offered
    learnt = result[6]["examples"]
    assert [e["label"] for e in learnt] == [LABELS[index_of(c)] for c in offered.text]
    assert result[6]["words"] == [offered.text.lower()]
    assert "another model" not in result[2] and page.memory_status(result[6]) == texts.remembered(len(learnt))
    # A character then corrected is one of the reading shown (the one picked), not of a fresh reading.
    last = len(offered.text) - 1
    fixed = page.correct_character(value, result[1], last, "7", "Anything", result[6])
    taught = [e["label"] for e in fixed[6]["examples"]][-len(offered.text) :]
    assert fixed[0] == offered.text[:-1] + "7" and taught == [*(LABELS[index_of(c)] for c in offered.text[:-1]), "7"]
    refused = page.choose_reading(value, "é!", "Anything", result[6])
    assert refused[2].startswith("⚠️") and refused[0] == gr.skip() and refused[6] == gr.skip()


def test_a_remembered_word_is_read_as_the_writers_own(page):
    """A word taught on the word pad joins the writer's own words: a spelling the ink allows but no list holds is
    read as taught next time (here with no English list, so only the writer's words are listed)."""
    import json

    from model.ink.canvas import WORD_CANVAS, pad_value, word_placing

    def listed_reading(line: str) -> tuple[dict, str, str] | None:
        """(the word on the pad, how it reads, a runner-up that reads as such once listed), if there is one."""
        row = json.loads(line)
        value = pad_value(row["strokes"], canvas=WORD_CANVAS, **word_placing(row["strokes"]))
        before = page.write(value, "Anything", None, "", False).text
        others = [c.text for c in page.home.read_strokes(value, dictionary=False).candidates[1:]]
        taught = [t for t in others if page.write(value, "Anything", None, t, False).text.lower() == t.lower()]
        return (value, before, taught[0]) if taught else None

    value, before, taught = next(filter(None, map(listed_reading, data.UNIPEN_WORDS_SAMPLE.read_text().splitlines())))
    memory = page.correct_word(value, taught, "Anything", None)[6]
    assert memory["words"] == [taught.lower()]
    assert page.write(value, "Anything", memory, "", False).text.lower() == taught.lower() != before.lower()


def test_the_visitors_word_list_is_read_and_a_bad_one_is_explained(page):
    value = written(["LT"])
    assert page.write(value, "Anything", None, "LT")[0] == "LT"
    note = page.write(value, "Anything", None, "good, b@d").note
    assert note.startswith("⚠️") and "Word 2" in note


def test_api_handlers_raise_readable_errors(served_models):
    api = Api(served_models)
    for call in (
        lambda: api.predict(None),
        lambda: api.predict_strokes(None),
        lambda: api.predict_strokes({"width": 1e9, "height": 1, "strokes": []}),
        lambda: api.predict_strokes(written(["1"]), "é"),
        lambda: api.predict("/etc/passwd"),
        lambda: api.read_strokes(written(["LT"]), "", "good, b@d"),
        lambda: api.predict_strokes(written(["1"]), "", "nonsense-model"),
    ):
        with pytest.raises(gr.Error):
            call()
    assert all(label.isdigit() for label in api.predict_strokes(written(["L"]), "0123456789"))


def test_an_uploaded_joined_up_word_is_read_as_a_word(page, tmp_path):
    """One piece of ink far wider than tall: not one character, so the upload is read as words."""
    import json

    from PIL import Image

    from harness import data
    from harness.drawings import raster
    from model.ink.canvas import WORD_CANVAS, word_placing

    row = json.loads(data.UNIPEN_WORDS_SAMPLE.read_text().splitlines()[0])
    picture = raster(row["strokes"], brush=6, canvas=WORD_CANVAS, **word_placing(row["strokes"]))
    path = tmp_path / "word.png"
    Image.fromarray(picture).save(path)
    label, glyph, note, _, _ = page.upload({"path": str(path)})
    assert label is None and glyph is None and "read as **" in note and "characters" in note


def test_an_uploaded_number_written_close_together_is_read_whole(page, tmp_path):
    """Two digits side by side with a narrow gap (a photo of "47"): an upload is a picture of what someone wrote,
    so it is read as a number, not as one character; a single character's picture still is one."""
    from PIL import Image

    from harness.drawings import lay_out, raster

    strokes, right, bottom = lay_out(["47"], gap=12)
    path = tmp_path / "47.png"
    Image.fromarray(raster(strokes, 14, fraction=0.8, canvas=(int(right) + 40, int(bottom) + 40))).save(path)
    label, glyph, note, _, _ = page.upload({"path": str(path)})
    assert label is None and "2 characters, read as **47**" in note and "pen-tuned model" in note
    confidences, glyph, note, *_ = page.upload({"path": "examples/digits/7_pen.png"})
    assert max(confidences, key=confidences.get) == "7" and glyph is not None
