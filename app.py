"""Gradio Space: draw, upload or click a character and see what a 64,851-parameter LeNet-5 reads.

UI only: preprocessing, inference and every text shown come from the ``model`` package.
Run ``python app.py --help`` for options; the model loads once, at start-up.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no phoning home at start-up
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402

from model import BlankImageError, PreprocessError, explain  # noqa: E402
from model.classifier import Classifier  # noqa: E402
from model.serving import load_for_serving  # noqa: E402

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
EXAMPLE_GROUPS = [("digits", "Digits"), ("uppercase", "Uppercase"), ("lowercase", "Lowercase"), ("handdrawn", "Hand-drawn style")]
CANVAS = (400, 400)
BRUSH = gr.Brush(default_size=18, colors=["#1a1a1a"], default_color="#1a1a1a", color_mode="fixed")
TOP_K = 5
MAX_UPLOAD = "10mb"
WELCOME = "Draw a character, upload a picture of one, or click an example."

# Gradio opens the Sketchpad with no tool selected ("select the draw tool to start"), and "Clear canvas"
# drops the tool again, so a stroke would do nothing. This keeps watching the editor for as long as the page
# lives and selects the brush whenever no tool is active (a visitor's own choice of eraser or pan is kept).
SELECT_BRUSH_JS = """
() => {
  const TOOLS = ['Brush', 'Erase', 'Pan'];
  const ensureBrush = () => {
    const pad = document.querySelector('#sketchpad');
    if (!pad) return;
    const buttons = TOOLS.map(t => pad.querySelector(`button[aria-label="${t}"]`)).filter(Boolean);
    const brush = pad.querySelector('button[aria-label="Brush"]');
    // Gradio marks the active tool with the 'highlight' class
    if (brush && !buttons.some(b => b.classList.contains('highlight'))) brush.click();
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

def _file(value):
    """Events run with preprocess=False, so Gradio never decodes uploads itself (our loader caps size and
    explains failures); the value is then Gradio's file payload, a dict holding the uploaded file's path."""
    return value.get("path") if isinstance(value, dict) else value


def example_files(group: str) -> list[str]:
    return sorted(str(p) for p in (EXAMPLES_DIR / group).glob("*.png"))


def build_demo(classifier: Classifier, status: str) -> gr.Blocks:
    def show(image, blank_message: str | None = None):
        """UI handler: never raises; a bad picture becomes a message under the result."""
        if image is None:
            return None, None, WELCOME
        try:
            prediction = classifier.predict(_file(image))
        except BlankImageError as exc:
            return None, None, blank_message or f"⚠️ {exc}"
        except PreprocessError as exc:
            return None, None, f"⚠️ {exc}"
        notes = [explain.ambiguity_note(prediction.label), explain.MERGED_NOTE]
        return prediction.confidences(TOP_K), explain.enlarge(prediction.glyph), "\n\n".join(n for n in notes if n)

    def show_sketch(value):
        composite = value.get("composite") if isinstance(value, dict) else value
        return show(composite, blank_message=WELCOME)

    def predict(image):
        """Read one character from an image; returns the top-5 classes with their probabilities."""
        if image is None:
            raise gr.Error("No image was sent.")
        try:
            return classifier.predict(_file(image)).confidences(TOP_K)
        except PreprocessError as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="LeNet-5 reads your handwriting (EMNIST Balanced)") as demo:
        gr.Markdown("# ✍️ LeNet-5 reads one handwritten character\n"
                    "Digits, uppercase and 11 lowercase letters (EMNIST Balanced, 47 classes) with a 64,851-parameter CNN.")
        gr.Markdown(status, elem_id="model-status")
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Tabs():
                    with gr.Tab("Draw", id="draw"):
                        sketch = gr.Sketchpad(elem_id="sketchpad", canvas_size=CANVAS, fixed_canvas=True, brush=BRUSH,
                                              layers=False, transforms=(), type="numpy", image_mode="RGBA",
                                              label="Draw one character", show_label=False)
                        draw_button = gr.Button("Read my drawing", variant="primary")
                    with gr.Tab("Upload", id="upload"):
                        upload = gr.Image(elem_id="upload", type="filepath", image_mode=None, sources=["upload", "clipboard"],
                                          label="A picture of one character (PNG, JPEG, WebP, BMP, GIF)")
                        upload_button = gr.Button("Read this picture", variant="primary")
            with gr.Column(scale=2):
                label = gr.Label(num_top_classes=TOP_K, label="Top guesses", elem_id="guesses")
                glyph = gr.Image(label="What the model saw (28x28, upright)", elem_id="glyph", interactive=False,
                                 height=224, width=224, format="png")
                note = gr.Markdown(WELCOME, elem_id="note")
        outputs = [label, glyph, note]
        for group, title in EXAMPLE_GROUPS:
            files = example_files(group)
            if files:
                gr.Examples(examples=files, inputs=upload, outputs=outputs, fn=show, run_on_click=True,
                            cache_examples=False, label=title, examples_per_page=26)
        with gr.Accordion("About this model", open=False):
            gr.Markdown(explain.about_markdown(classifier.metrics, classifier.source), elem_id="about")

        ui = dict(outputs=outputs, api_visibility="private", show_progress="hidden")
        sketch.change(show_sketch, sketch, trigger_mode="always_last", **ui)
        draw_button.click(show_sketch, sketch, **ui)
        upload.upload(show, upload, preprocess=False, **ui)
        upload_button.click(show, upload, preprocess=False, **ui)

        # The public API: one image in, label confidences out (see README for gradio_client usage).
        with gr.Row(visible=False):
            api_image = gr.Image(type="filepath", image_mode=None, label="image")
            api_label = gr.Label(num_top_classes=TOP_K, label="confidences")
        api_image.change(predict, api_image, api_label, api_name="predict", preprocess=False, queue=False)
        demo.load(None, js=SELECT_BRUSH_JS)
    return demo.queue(default_concurrency_limit=4, max_size=64)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="Hub repo id or local path (default: $EMNIST_MODEL, else the bundled model)")
    parser.add_argument("--revision", default=None, help="revision of the Hub model repo")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"), help="address to listen on")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)), help="port")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    classifier, status = load_for_serving(args.model, args.revision)
    logging.info("%s", status.replace("`", ""))
    build_demo(classifier, status).launch(server_name=args.host, server_port=args.port, share=False, ssr_mode=False,
                                          max_file_size=MAX_UPLOAD, footer_links=["api", "gradio"])


if __name__ == "__main__":
    main()
