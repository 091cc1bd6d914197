"""The page: a sketchpad, an upload, a clickable gallery, the guesses and the 28x28 the model saw.

UI only: reading pictures, deciding what is a character and every text shown come from ``model`` and ``texts``.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import gradio as gr
from gradio.data_classes import ImageData

from model.classifier import Classifier
from model.preprocess import ACCEPTED_FORMATS, PreprocessError

from . import texts

log = logging.getLogger(__name__)
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE_GROUPS = [("digits", "Digits"), ("uppercase", "Uppercase"), ("lowercase", "Lowercase"), ("handdrawn", "Hand-drawn style")]
CANVAS = (400, 400)
WORD_CANVAS = (720, 288)  # wide enough for a word; on a phone it still spans the screen's width
BRUSH = gr.Brush(default_size=18, colors=["#1a1a1a"], default_color="#1a1a1a", color_mode="fixed")
TOP_K = 5
MAX_UPLOAD = "10mb"
CACHE_LIFETIME_S = 3600  # uploads are deleted from Gradio's cache an hour after they arrive

# Gradio opens a Sketchpad with no tool selected ("select the draw tool to start"), and "Clear canvas"
# drops the tool again, so a stroke would do nothing. This keeps watching the editors for as long as the page
# lives and selects the brush whenever no tool is active (a visitor's own choice of eraser or pan is kept).
SELECT_BRUSH_JS = """
() => {
  const TOOLS = ['Brush', 'Erase', 'Pan'];
  const ensureBrush = () => {
    for (const pad of document.querySelectorAll('#sketchpad, #wordpad')) {
      const buttons = TOOLS.map(t => pad.querySelector(`button[aria-label="${t}"]`)).filter(Boolean);
      const brush = pad.querySelector('button[aria-label="Brush"]');
      // Gradio marks the active tool with the 'highlight' class
      if (brush && pad.offsetParent && !buttons.some(b => b.classList.contains('highlight'))) brush.click();
    }
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; ensureBrush(); });
  }).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ['class']});
  ensureBrush();
}
"""

# After a gallery click the answer appears beside (desktop) or below (phone) the input: bring it into view.
SHOW_RESULT_JS = "() => { document.querySelector('#guesses')?.scrollIntoView({behavior: 'smooth', block: 'center'}); }"

# One ink colour and one brush size (preprocessing re-draws every stroke at EMNIST's width anyway), so those
# tools are hidden; on a phone the remaining tool column would cover the drawing's left edge, and the brush is
# chosen by SELECT_BRUSH_JS, so the column goes (undo, redo and clear stay in the top bar).
CSS = """
#sketchpad button[aria-label="Color"], #wordpad button[aria-label="Color"],
#sketchpad button[aria-label="Brush Size"], #wordpad button[aria-label="Brush Size"] { display: none; }
@media (max-width: 600px) { #sketchpad .toolbar-wrap, #wordpad .toolbar-wrap { display: none; } }
#upload img { max-height: 320px; object-fit: contain; }
"""


SEND_A_FILE = ("Send the picture as a file: in Python, `handle_file(path)` from gradio_client; over HTTP, upload it to "
               "/gradio_api/upload first and send {\"path\": <the returned path>, \"meta\": {\"_type\": \"gradio.FileData\"}}.")


class _FileOnly(ImageData):
    """The API's image: a bare string (a path on the client's machine, or the server's) gets a readable answer
    instead of a validation traceback."""

    @classmethod
    def model_validate(cls, obj, *args, **kwargs):
        if not isinstance(obj, (dict, ImageData)):
            raise gr.Error(SEND_A_FILE)
        return super().model_validate(obj, *args, **kwargs)


class ApiImage(gr.Image):
    data_model = _FileOnly


def never_raises_internals(handler):
    """An unexpected failure is logged with its traceback and answered in one plain sentence (the page is
    public: no server paths, no library internals); expected ones are already gr.Error."""
    @functools.wraps(handler)
    def wrapped(*args):
        try:
            return handler(*args)
        except gr.Error:
            raise
        except Exception:
            log.exception("%s failed", handler.__name__)
            raise gr.Error("Something went wrong on the server while reading this picture; it has been logged.") from None
    return wrapped


def uploaded_path(value) -> str:
    """The file behind an event value. Events run with preprocess=False, so Gradio never decodes uploads itself
    (our loader caps size and explains failures); a value must be Gradio's file payload, never a bare string
    (which would name a file on the server)."""
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        return value["path"]
    raise PreprocessError(SEND_A_FILE)


def drawing(value):
    """The flattened RGBA picture of a Sketchpad value (an editor dict, or already an array)."""
    return value.get("composite") if isinstance(value, dict) else value


def example_files(group: str) -> list[str]:
    return sorted(str(p) for p in (EXAMPLES_DIR / group).glob("*.png"))


def build_demo(classifier: Classifier, status: str) -> gr.Blocks:
    def show(image):
        """UI handler: never raises; a bad picture becomes a message under the result."""
        if image is None:
            return None, None, texts.WELCOME
        try:
            prediction = classifier.predict(image if not isinstance(image, dict) else uploaded_path(image))
        except PreprocessError as exc:
            return None, None, f"⚠️ {exc}"
        if prediction.characters > 1 and isinstance(image, dict):  # an uploaded word: read all of it
            reading = classifier.read(uploaded_path(image))
            return None, None, f"That looks like {prediction.characters} characters, read as **{reading.text}**.\n\n" + \
                texts.word_details(reading)
        if prediction.refusal:
            return None, texts.enlarge(prediction.glyph), f"✋ {prediction.refusal}"
        return prediction.confidences(TOP_K), texts.enlarge(prediction.glyph), texts.notes_for(prediction.label)

    def show_sketch(value):
        composite = drawing(value)
        if composite is None or not composite.any():
            return None, None, texts.WELCOME
        return show(composite)

    def show_word(value):
        composite = drawing(value)
        if composite is None or not composite[..., 3].any():
            return "", None, texts.WORD_WELCOME
        try:
            reading = classifier.read(composite)
        except PreprocessError as exc:
            return "", None, f"⚠️ {exc}"
        return reading.text, texts.annotate(composite, reading), texts.word_details(reading)

    @never_raises_internals
    def predict(image):
        """Read one character from an image; returns the top-5 classes with their probabilities."""
        if image is None:
            raise gr.Error("No image was sent.")
        try:
            prediction = classifier.predict(uploaded_path(image))
        except PreprocessError as exc:
            raise gr.Error(str(exc)) from None
        if prediction.refusal:
            raise gr.Error(prediction.refusal)
        return prediction.confidences(TOP_K)

    @never_raises_internals
    def read(image):
        """Read every character of an image (a word, a number, a few lines); returns the text and, per character,
        its box (left, top, right, bottom in pixels), the label chosen in context and the model's top 3."""
        if image is None:
            raise gr.Error("No image was sent.")
        try:
            return classifier.read(uploaded_path(image)).as_dict()
        except PreprocessError as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="LeNet-5 reads your handwriting (EMNIST Balanced)", delete_cache=(CACHE_LIFETIME_S, CACHE_LIFETIME_S)) as demo:
        gr.Markdown(f"# ✍️ LeNet-5 reads your handwriting\n{texts.headline(classifier.metrics)}")
        gr.Markdown(status, elem_id="model-status")
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Tabs() as tabs:
                    with gr.Tab("Draw", id="draw") as draw_tab:
                        sketch = gr.Sketchpad(elem_id="sketchpad", canvas_size=CANVAS, fixed_canvas=True, brush=BRUSH,
                                              layers=False, transforms=(), type="numpy", image_mode="RGBA",
                                              label="Draw one character", show_label=False)
                        draw_button = gr.Button("Read my drawing", variant="primary")
                    with gr.Tab("Write a word", id="word") as word_tab:
                        word_pad = gr.Sketchpad(elem_id="wordpad", canvas_size=WORD_CANVAS, fixed_canvas=True, brush=BRUSH, height=330,
                                                layers=False, transforms=(), type="numpy", image_mode="RGBA",
                                                label="Write a word or a number", show_label=False)
                        word_text = gr.Textbox(label="Text read", elem_id="word-text", interactive=False)
                        word_boxes = gr.Image(label="Each character as it was read", elem_id="word-boxes",
                                              interactive=False, format="png", height=240)
                        word_note = gr.Markdown(texts.WORD_WELCOME, elem_id="word-note")
                    with gr.Tab("Upload", id="upload") as upload_tab:
                        upload = gr.Image(elem_id="upload", type="filepath", image_mode=None, sources=["upload", "clipboard"],
                                          label=f"A picture of one character ({', '.join(ACCEPTED_FORMATS)})", height=340)
                        upload_button = gr.Button("Read this picture", variant="primary")
            with gr.Column(scale=2) as single_result:
                label = gr.Label(num_top_classes=TOP_K, label="Top guesses", elem_id="guesses")
                glyph = gr.Image(label="What the model saw (28x28, upright)", elem_id="glyph", interactive=False,
                                 height=224, width=224, format="png")
                note = gr.Markdown(texts.WELCOME, elem_id="note")
        outputs = [label, glyph, note]
        ui = dict(outputs=outputs, api_visibility="private", show_progress="hidden")
        for group, title in EXAMPLE_GROUPS:
            files = example_files(group)
            if files:
                examples = gr.Examples(examples=files, inputs=upload, label=title, examples_per_page=26,
                                       cache_examples=False, run_on_click=False)
                examples.load_input_event.then(lambda: gr.Tabs(selected="upload"), None, tabs, js=SHOW_RESULT_JS,
                                               api_visibility="private", queue=False).then(show, upload, preprocess=False, **ui)
        with gr.Accordion("About this model", open=False):
            gr.Markdown(texts.about_markdown(classifier.metrics, classifier.source), elem_id="about")

        # The single-character answer has no place beside a word: the word tab uses the whole width.
        word_tab.select(lambda: gr.Column(visible=False), None, single_result, api_visibility="private", queue=False)
        for tab in (draw_tab, upload_tab):
            tab.select(lambda: gr.Column(visible=True), None, single_result, api_visibility="private", queue=False)
        # Live reading while drawing: a small progress mark shows a newer stroke is being read.
        live = {**ui, "show_progress": "minimal"}
        sketch.change(show_sketch, sketch, trigger_mode="always_last", **live)
        word_pad.change(show_word, word_pad, [word_text, word_boxes, word_note], trigger_mode="always_last",
                        api_visibility="private", show_progress="minimal")
        draw_button.click(show_sketch, sketch, **ui)
        upload.upload(show, upload, preprocess=False, **ui)
        upload.clear(lambda: (None, None, texts.WELCOME), None, **ui)
        upload_button.click(show, upload, preprocess=False, **ui)

        # The public API (see README for gradio_client usage): /predict, one character in, label confidences out;
        # /read, a word or a number in, the text and each character's box and top 3 out.
        with gr.Row(visible=False):
            api_image = ApiImage(type="filepath", image_mode=None, label="image")
            api_label = gr.Label(num_top_classes=TOP_K, label="confidences")
        api_image.change(predict, api_image, api_label, api_name="predict", preprocess=False, queue=False)
        with gr.Row(visible=False):
            read_image = ApiImage(type="filepath", image_mode=None, label="image")
            read_result = gr.JSON(label="reading")
        read_image.change(read, read_image, read_result, api_name="read", preprocess=False, queue=False)
        demo.load(None, js=SELECT_BRUSH_JS)
    return demo.queue(default_concurrency_limit=4, max_size=64)


def launch(demo: gr.Blocks, host: str, port: int) -> None:
    # show_error: Gradio's own refusals (a file never uploaded, ...) reach API clients as text; every handler
    # turns its own failures into gr.Error first, so nothing internal is shown.
    demo.launch(server_name=host, server_port=port, share=False, ssr_mode=False, max_file_size=MAX_UPLOAD,
                footer_links=["api", "gradio"], css=CSS, show_error=True)
