"""The public API (gradio_client, plain HTTP, MCP): a picture or pen strokes in; one character's top 5, or a word's
reading, out. The methods' docstrings are what clients read; ``add_endpoints`` puts them on a page as hidden
components with their API names."""

from __future__ import annotations

import os
from typing import Any

import gradio as gr
from gradio.data_classes import ImageData

from model.classifier import Prediction
from model.ink.preprocess import MAX_FILE_BYTES, PreprocessError
from model.ink.strokes import MAX_CANVAS_SIDE, MAX_POINTS, MAX_STROKES
from model.served import AUTO, CHOICES, ServedModels

from . import remote, texts
from .errors import api_errors

TOP_K = 5


def uploaded_path(value: Any) -> str:
    """The file behind an event value. Events run with preprocess=False, so Gradio never decodes uploads itself
    (our loader caps size and explains failures); a value must be Gradio's file payload, never a bare string
    (which would name a file on the server)."""
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        path = value["path"]
        if os.path.isfile(path) and os.path.getsize(path) > MAX_FILE_BYTES:  # a data: URI arrives as a saved file
            raise PreprocessError(texts.too_large(os.path.getsize(path), MAX_FILE_BYTES))
        return path
    raise PreprocessError(texts.SEND_A_FILE)


class ImageFile(ImageData):
    """The API's image: a bare string (a path on the client's machine, or the server's) gets a readable answer
    instead of a validation traceback."""

    @classmethod
    def model_validate(cls, obj, *args, **kwargs):
        if not isinstance(obj, (dict, ImageData)):
            raise gr.Error(texts.SEND_A_FILE)
        return super().model_validate(obj, *args, **kwargs)


class ApiImage(gr.Image):
    """The API's (and MCP tools') picture: a file, a data: URI, or a URL fetched with bounds (``space.remote``)."""

    is_template = True  # Gradio's mark for a subclass that uses its parent's frontend (no custom-component fetch)
    data_model = ImageFile

    async def async_move_resource_to_block_cache(self, url_or_file_path):
        if isinstance(url_or_file_path, str) and url_or_file_path.startswith(("http://", "https://")):
            try:
                path = await remote.download(url_or_file_path, self.GRADIO_CACHE)
            except remote.RemoteImageError as exc:
                raise gr.Error(str(exc)) from None
            self.temp_files.add(path)
            return path
        return await super().async_move_resource_to_block_cache(url_or_file_path)


class ApiStrokes(gr.JSON):
    """The API's strokes: JSON, described by its schema so clients (gradio_client, MCP) know its shape."""

    is_template = True

    def api_info(self) -> dict:
        point = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
        return {
            "type": "object",
            "description": "pen strokes in canvas units, y down",
            "properties": {
                "width": {"type": "number", "minimum": 1, "maximum": MAX_CANVAS_SIDE},
                "height": {"type": "number", "minimum": 1, "maximum": MAX_CANVAS_SIDE},
                "brush": {"type": "number", "description": "pen width (optional)"},
                "strokes": {
                    "type": "array",
                    "maxItems": MAX_STROKES,
                    "description": f"one list of [x, y] points per pen-down, {MAX_POINTS:,} points at most",
                    "items": {"type": "array", "items": point},
                },
            },
            "required": ["width", "height", "strokes"],
        }


class Api:
    """The four endpoints, answered by the Space's served models (each input's best unless a caller names one)."""

    def __init__(self, models: ServedModels):
        self.models = models

    @api_errors
    def predict(self, image, allowed: str = "", model: str = AUTO):
        """Read one handwritten character from an image (a photo, a scan or a drawing).

        Args:
            image: the picture of one character, as a file, an http(s) URL or a data: URI (10 MB at most).
            allowed: optional; the characters it can be, such as "0123456789" (empty: any of the 47 classes).
            model: optional; which model reads it: "auto" (the default: the pen-tuned model for strokes, the one that reads pictures best for pictures), "emnist" (EMNIST Balanced's best) or "pen" (tuned on pen drawings).

        Returns:
            The top 5 classes with their calibrated probabilities.
        """
        if image is None:
            raise gr.Error(texts.NO_IMAGE)
        reader = self.models.classifier(model, "picture")
        return self._confidences(reader.predict(uploaded_path(image), allowed=allowed or None))

    @api_errors
    def read(self, image, allowed: str = "", words: str = "", dictionary: bool = True, model: str = AUTO):
        """Read the words, numbers or lines of handwriting in an image, joined-up letters too.

        Args:
            image: the picture (a file, an http(s) URL or a data: URI, 10 MB at most).
            allowed: optional; the characters it can hold, such as "0123456789" (empty: any of the 47 classes).
            words: optional; your own words (names, a product list), separated by spaces, commas or new lines, read as readily as common English words (20,000 at most).
            dictionary: whether readings may come from the English word list (82,000 words); without it and without words, any spelling.
            model: optional; which model reads it: "auto" (the default: the pen-tuned model for strokes, the one that reads pictures best for pictures), "emnist" (EMNIST Balanced's best) or "pen" (tuned on pen drawings).

        Returns:
            The text read; the best readings as candidates, best first ({"text", "score"}, the first is the text); and, per character, its box (left, top, right, bottom in pixels), the label chosen and the model's own top 3.
        """
        if image is None:
            raise gr.Error(texts.NO_IMAGE)
        return (
            self.models.classifier(model, "picture")
            .read(uploaded_path(image), allowed or None, None, words or None, dictionary is not False)
            .as_dict()
        )

    @api_errors
    def predict_strokes(self, strokes, allowed: str = "", model: str = AUTO):
        """Read one character drawn as pen strokes.

        Args:
            strokes: {"width": W, "height": H, "brush": B (optional), "strokes": [[[x, y], ...], ...]}, one list of points per pen-down, canvas units, y down.
            allowed: optional; the characters it can be, such as "0123456789" (empty: any of the 47 classes).
            model: optional; which model reads it: "auto" (the default: the pen-tuned model for strokes, the one that reads pictures best for pictures), "emnist" (EMNIST Balanced's best) or "pen" (tuned on pen drawings).

        Returns:
            The top 5 classes with their calibrated probabilities.
        """
        if strokes is None:
            raise gr.Error(texts.NO_STROKES)
        return self._confidences(self.models.classifier(model, "strokes").predict_strokes(strokes, allowed or None))

    @api_errors
    def read_strokes(self, strokes, allowed: str = "", words: str = "", dictionary: bool = True, model: str = AUTO):
        """Read the words, numbers or lines written as pen strokes, joined-up letters too.

        Args:
            strokes: as for predict_strokes, every stroke of the writing.
            allowed: optional; the characters it can hold, such as "0123456789" (empty: any of the 47 classes).
            words: optional; your own words (names, a product list), separated by spaces, commas or new lines, read as readily as common English words (20,000 at most).
            dictionary: whether readings may come from the English word list (82,000 words); without it and without words, any spelling.
            model: optional; which model reads it: "auto" (the default: the pen-tuned model for strokes, the one that reads pictures best for pictures), "emnist" (EMNIST Balanced's best) or "pen" (tuned on pen drawings).

        Returns:
            The text read; the best readings as candidates, best first ({"text", "score"}, the first is the text); and, per character, its box (canvas units), the label chosen and the model's own top 3.
        """
        if strokes is None:
            raise gr.Error(texts.NO_STROKES)
        return (
            self.models.classifier(model, "strokes")
            .read_strokes(strokes, allowed or None, None, words or None, dictionary is not False)
            .as_dict()
        )

    @staticmethod
    def _confidences(prediction: Prediction) -> dict:
        if prediction.refusal:
            raise gr.Error(texts.refusal(prediction.refusal, prediction.characters))
        return prediction.confidences(TOP_K)


def add_endpoints(api: Api) -> None:
    """The endpoints as hidden components of the page being built, named /predict, /read, /predict_strokes and
    /read_strokes."""
    events = dict(preprocess=False, queue=False)  # off the queue: a session-less call costs one round trip
    with gr.Row(visible=False):
        for name, handler, given, output in [
            ("predict", api.predict, ApiImage, gr.Label),
            ("read", api.read, ApiImage, gr.JSON),
            ("predict_strokes", api.predict_strokes, ApiStrokes, gr.Label),
            ("read_strokes", api.read_strokes, ApiStrokes, gr.JSON),
        ]:
            source = (
                given(label="image", type="filepath", image_mode=None) if given is ApiImage else given(label="strokes")
            )
            inputs = [source, gr.Textbox("", label="allowed")]
            if output is gr.JSON:  # words: the caller's own word list, and the English one or not
                inputs += [gr.Textbox("", label="words"), gr.Checkbox(True, label="dictionary")]
            inputs.append(gr.Dropdown(list(CHOICES), value=AUTO, label="model"))
            result = (
                output(label="confidences", num_top_classes=TOP_K) if output is gr.Label else output(label="reading")
            )
            source.change(handler, inputs, result, api_name=name, **events)
