"""The page: a drawing pad, a word pad, an upload, a clickable gallery, the guesses and the 28x28 the model saw.

Layout and wiring only: what each event does is ``space.handlers.Page``; every word a visitor reads comes from
``texts`` (the API components' labels are parameter names, not page text).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

import gradio as gr

from model.ink import canvas
from model.ink.preprocess import ACCEPTED_FORMATS, MAX_FILE_BYTES
from model.labels import KINDS
from model.served import AUTO, ServedModels
from model.words.lexicon import MAX_LIST_CHARS

from . import compat, sessions, texts
from .api import TOP_K, Api, add_endpoints
from .feedback import FeedbackStore
from .handlers import EMPTY, Page
from .pad import DrawingPad

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
#: The character pad's reader for the visitor's browser (model/web_weights.py describes the weights it reads).
READER_JS = Path(__file__).resolve().parent / "web" / "reader.js"
EXAMPLE_GROUPS = [
    ("digits", "Digits"),
    ("uppercase", "Uppercase"),
    ("lowercase", "Lowercase"),
    ("handdrawn", "Hand-drawn style"),
]
MAX_UPLOAD = f"{MAX_FILE_BYTES // 2**20}mb"
EXAMPLE_COLUMNS = 13
MEMORY_KEY = "lenet5-emnist-handwriting"  # the browser's localStorage key for a visitor's WriterMemory
#: BrowserState encrypts what it stores with this key; the key reaches every browser with the page, so it keeps the
#: memory only from casual reading, not from its owner. Fixed (or $MEMORY_SECRET), so a restart loses no memory.
MEMORY_SECRET = os.environ.get("MEMORY_SECRET", "lenet5-reads-your-handwriting")
#: The page's own events: never part of the API, no spinner (answers come in milliseconds).
PRIVATE = dict(api_visibility="private", show_progress="hidden")
CACHE_LIFETIME_S = 3600  # uploads are deleted from Gradio's cache an hour after they arrive

# After a gallery click the answer appears beside (desktop) or below (phone) the input: bring it into view.
SHOW_RESULT_JS = "() => { document.querySelector('#guesses')?.scrollIntoView({behavior: 'smooth', block: 'center'}); }"

#: Gradio now passes events on: a pad drawn on before then sends its strokes again (space/pad.py), and tests and
#: benchmarks know the page is ready for a visitor.
APP_READY_JS = "() => { document.body.dataset.appReady = '1'; document.dispatchEvent(new Event('app-ready')); }"
#: The single-character answer has no place beside a word: the word tab uses the whole width. In the page, so that
#: it also works offline (the character pad reads there).
WORD_TAB_JS = "() => { document.body.classList.add('word-tab'); }"
#: Resolves after the next paint: what follows an answer is asked for once the answer is on screen.
AFTER_PAINT_JS = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))"
SINGLE_TABS_JS = "() => { document.body.classList.remove('word-tab'); }"
#: The server has answered the pad: its answer stands, the page's own gives way (space/pad.py shows that one).
SERVER_ANSWERED_JS = "() => { const p = document.querySelector('#guesses .local-guess'); if (p) p.hidden = true; }"

CSS = """
#upload img { max-height: 320px; object-fit: contain; }
.examples .grid-wrap { height: auto !important; min-height: 0 !important; max-height: none !important; }
.examples .grid-wrap .grid-container { grid-template-columns: repeat(auto-fill, minmax(64px, 1fr)) !important; }
#memory-mirror { display: none !important; }
body.word-tab #single-result { display: none !important; }
#guesses .local-guess { position: absolute; inset: 0; z-index: 5; padding: 12px 16px; overflow: hidden;
                        background: var(--block-background-fill); border-radius: inherit; }
#guesses .local-top { margin: 0 0 8px; font-size: var(--text-xxl); font-weight: 700; text-align: center; }
#guesses .local-row { position: relative; display: flex; justify-content: space-between; padding: 4px 8px;
                      margin-bottom: 4px; font-size: var(--text-md); }
#guesses .local-row .bar { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 4px; z-index: -1;
                           background: var(--primary-100, #e8eefc); }
@media (max-width: 640px) {
  #title h1 { font-size: 1.4rem !important; margin-bottom: 0 !important; }
  #headline { display: none; }
  #model-status { font-size: 0.85rem; }
}
"""


def example_files(group: str) -> list[str]:
    return sorted(str(p) for p in (EXAMPLES_DIR / group).glob("*.png"))


def shows_example(files: list[str]):
    """A gallery click: that example into the upload (by index into the server's own list), the upload tab shown."""

    def show(evt: gr.SelectData):
        return files[evt.index], gr.Tabs(selected="upload")

    return show


def local_reader(models: ServedModels) -> dict | None:
    """What the character pad needs to read in the visitor's browser, as the server reads strokes by default: the
    reader's and the weights' URLs (served by this app, ``gr.set_static_paths``), the model choices it stands for,
    each kind's classes and how many guesses to show; None where the model has no web weights (the server then
    answers alone)."""
    reader = models.classifier(AUTO, "strokes")
    weights = reader.web_file
    if weights is None or not READER_JS.is_file():
        return None
    gr.set_static_paths([READER_JS, weights])
    return {
        "module": f"/gradio_api/file={READER_JS}",
        "weights": f"/gradio_api/file={weights}",
        "models": [label for label, choice in texts.MODEL_CHOICES if models.classifier(choice, "strokes") is reader],
        "kinds": dict(KINDS),
        "top": TOP_K,
    }


def memory_json(stored) -> str:
    """The remembered handwriting as the page's reader takes it (the browser keeps it encrypted)."""
    return json.dumps(stored) if isinstance(stored, dict) else ""


class WordComponents(NamedTuple):
    pad: DrawingPad
    text: gr.Textbox
    suggestions: gr.Radio  # the other readings
    boxes: gr.Image  # the drawing with a box per character; a click picks one
    fix: gr.Radio  # "it was" for the picked character
    typed: gr.Textbox  # what the word was
    own_words: gr.Textbox
    dictionary: gr.Checkbox
    note: gr.Markdown


def word_components() -> WordComponents:
    """The word tab: the pad, what it read, and the ways to correct it."""
    pad = DrawingPad(canvas.WORD_CANVAS, elem_id="wordpad", label=texts.WORD_PAD_LABEL, hint=texts.WORD_PAD_HINT)
    text = gr.Textbox(label=texts.WORD_TEXT_LABEL, elem_id="word-text", interactive=False)
    suggestions = gr.Radio([], label=texts.SUGGESTIONS_LABEL, elem_id="word-suggestions", visible=False)
    boxes = gr.Image(label=texts.WORD_BOXES_LABEL, elem_id="word-boxes", interactive=False, format="png", height=240)
    fix = gr.Radio([], label=texts.FIX_LABEL, elem_id="word-fix", visible=False)
    typed = gr.Textbox(label=texts.WORD_FIX_LABEL, elem_id="word-typed", max_lines=1, max_length=60)
    with gr.Accordion(texts.WORD_LIST_LABEL, open=False):
        own_words = gr.Textbox(label=texts.OWN_WORDS_LABEL, elem_id="own-words", lines=2, max_length=MAX_LIST_CHARS)
        dictionary = gr.Checkbox(True, label=texts.DICTIONARY_LABEL, elem_id="dictionary")
    note = gr.Markdown(texts.WORD_WELCOME, elem_id="word-note")
    return WordComponents(pad, text, suggestions, boxes, fix, typed, own_words, dictionary, note)


class CharacterComponents(NamedTuple):
    label: gr.Label  # the top guesses
    fix: gr.Radio  # "it was" one of the runner-ups
    confirm: gr.Button
    typed: gr.Textbox  # what the character was
    glyph: gr.Image  # the 28x28 the model saw
    note: gr.Markdown


def character_components() -> CharacterComponents:
    """The single character's answer, beside the character pad and the upload."""
    label = gr.Label(num_top_classes=TOP_K, label=texts.GUESSES_LABEL, elem_id="guesses")
    with gr.Row(equal_height=True):
        fix = gr.Radio([], label=texts.FIX_LABEL, elem_id="fix", visible=False, scale=3)
        confirm = gr.Button(texts.CONFIRM, elem_id="confirm", size="sm", scale=1, min_width=80)
    typed = gr.Textbox(label=texts.TYPE_LABEL, elem_id="typed", max_lines=1, max_length=4)
    glyph = gr.Image(
        label=texts.GLYPH_LABEL, elem_id="glyph", buttons=[], interactive=False, height=224, width=224, format="png"
    )
    note = gr.Markdown(texts.WELCOME, elem_id="note")
    return CharacterComponents(label, fix, confirm, typed, glyph, note)


def example_galleries(upload: gr.Image, tabs: gr.Tabs) -> list:
    """The clickable examples; each click puts its picture in the upload (then read like an upload)."""
    selected = []
    for group, title in EXAMPLE_GROUPS:
        files = example_files(group)
        if files:
            gallery = gr.Gallery(
                [(f, texts.example_caption(Path(f).stem)) for f in files],
                label=title,
                columns=EXAMPLE_COLUMNS,
                rows=-(-len(files) // EXAMPLE_COLUMNS),
                height="auto",
                allow_preview=False,
                object_fit="contain",
                buttons=[],
                interactive=False,
                elem_classes="examples",
            )
            # The file comes from the server's own list, by index: nothing a browser sends names a file.
            selected.append(
                gallery.select(shows_example(files), None, [upload, tabs], js=SHOW_RESULT_JS, queue=False, **PRIVATE)
            )
    return selected


def build_demo(models: ServedModels, status: str, feedback: FeedbackStore | None = None) -> gr.Blocks:
    page = Page(models, feedback)
    local = local_reader(models)
    with gr.Blocks(title=texts.TITLE, delete_cache=(CACHE_LIFETIME_S, CACHE_LIFETIME_S)) as demo:
        gr.Markdown(f"# {texts.HEADING}", elem_id="title")
        gr.Markdown(texts.headline(models.emnist.metrics), elem_id="headline")
        gr.Markdown(status, elem_id="model-status")
        # The visitor's handwriting, in their browser's localStorage (never on the server); see model.memory.
        stored = gr.BrowserState(None, storage_key=MEMORY_KEY, secret=MEMORY_SECRET)
        # The same memory in plain JSON, for the pad's reader in the page (hidden; it never leaves the browser).
        mirror = gr.Textbox(elem_id="memory-mirror", interactive=False, container=False, show_label=False)
        kind = gr.Radio(list(KINDS), value="Anything", label=texts.KIND_LABEL, elem_id="kind")
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Tabs() as tabs:
                    with gr.Tab(texts.TAB_DRAW, id="draw") as draw_tab:
                        sketch = DrawingPad(
                            canvas.CANVAS, elem_id="sketchpad", label=texts.PAD_LABEL, hint=texts.PAD_HINT, local=local
                        )
                    with gr.Tab(texts.TAB_WORD, id="word") as word_tab:
                        w = word_components()
                    with gr.Tab(texts.TAB_UPLOAD, id="upload") as upload_tab:
                        upload = gr.Image(
                            elem_id="upload",
                            type="filepath",
                            image_mode=None,
                            sources=["upload", "clipboard"],
                            label=texts.UPLOAD_LABEL,
                            height=340,
                        )
                        gr.Markdown(texts.upload_hint(ACCEPTED_FORMATS, MAX_FILE_BYTES // 2**20), elem_id="upload-hint")
            with gr.Column(scale=2, elem_id="single-result"):
                c = character_components()
        with gr.Row(variant="compact", equal_height=True):
            with gr.Column(scale=3, min_width=240):
                memory_status = gr.Markdown(texts.remembered(0), elem_id="memory-status")
                forget = gr.Button(texts.FORGET, elem_id="forget", size="sm", variant="stop", scale=0, min_width=160)
            # Which model reads: each input's best by default; either one to compare (the API takes the same).
            model = gr.Dropdown(
                texts.MODEL_CHOICES, value=AUTO, label=texts.MODEL_LABEL, elem_id="model", scale=1, min_width=200
            )
        # Shown only where the Space owner collects corrections (FEEDBACK_DATASET); never ticked for the visitor.
        share = gr.Checkbox(
            False, label=texts.SHARE_LABEL, info=texts.SHARE_INFO, elem_id="share", visible=feedback is not None
        )
        shown = gr.State(None)  # what the single answer was read from, so a correction needs no redrawing
        word_read, picked = gr.State(None), gr.State(None)  # the word's strokes, the character being corrected
        word_shown = gr.State(None)  # the reading the boxes picture shows

        single = [c.label, c.glyph, c.note, c.fix, shown]  # in handlers.Answer's order
        word = [w.text, word_shown, w.note, word_read, w.fix, w.suggestions]  # in handlers.WordAnswer's order

        def then_boxes(answered):
            """The boxes picture follows a word answer, asked for once its text is painted."""
            painted = answered.then(None, js=AFTER_PAINT_JS, queue=False, **PRIVATE)
            return painted.then(page.boxes, [word_read, word_shown], w.boxes, queue=False, **PRIVATE)

        vocabulary = [w.own_words, w.dictionary]
        remembered = [stored, memory_status]
        ui = dict(outputs=single, **PRIVATE)
        for select in example_galleries(upload, tabs):
            select.then(page.upload, [upload, kind, stored, model], preprocess=False, **ui)
        with gr.Accordion(texts.ABOUT_LABEL, open=False):
            gr.Markdown(texts.about_markdown(models), elem_id="about")

        # The single-character answer has no place beside a word: the word tab uses the whole width.
        word_tab.select(None, js=WORD_TAB_JS, **PRIVATE)
        for tab in (draw_tab, upload_tab):
            tab.select(None, js=SINGLE_TABS_JS, **PRIVATE)
        # Every pen-up, undo and clear is read at once; a newer drawing's answer always wins (always_last). Off the
        # queue: an answer costs a millisecond of CPU, and the queue's extra round trip would double the wait.
        pad_events = dict(trigger_mode="always_last", queue=False)
        sketch.change(page.draw, [sketch, kind, stored, model], **pad_events, **ui).success(
            None, js=SERVER_ANSWERED_JS, queue=False, **PRIVATE
        )
        write = dict(fn=page.write, inputs=[w.pad, kind, stored, *vocabulary, model], outputs=word, **PRIVATE)
        then_boxes(w.pad.change(**write, **pad_events))
        for changed in (w.own_words.submit, w.own_words.blur, w.dictionary.change):
            then_boxes(changed(**write))
        upload.upload(page.upload, [upload, kind, stored, model], preprocess=False, **ui)
        upload.clear(lambda: EMPTY, None, **ui)
        for setting in (kind, model):
            then_boxes(setting.change(page.reread, [shown, kind, stored, model], **ui).then(**write))

        # Corrections and confirmations: remembered in the browser, and the answer read again at once.
        learnt = dict(outputs=[*single, *remembered], **PRIVATE)
        c.fix.input(page.correct, [shown, c.fix, kind, stored, share, model], **learnt)
        c.typed.submit(page.correct, [shown, c.typed, kind, stored, share, model], **learnt).then(
            lambda: "", None, c.typed, **PRIVATE
        )
        c.confirm.click(page.confirm, [shown, kind, stored, share, model], **learnt)
        w.boxes.select(page.pick, word_shown, [w.fix, picked], **PRIVATE)
        word_learnt = dict(outputs=[*word, *remembered], **PRIVATE)
        then_boxes(
            w.fix.input(
                page.correct_character,
                [word_read, word_shown, picked, w.fix, kind, stored, share, model],
                **word_learnt,
            )
        )
        then_boxes(
            w.typed.submit(page.correct_word, [word_read, w.typed, kind, stored, share, model], **word_learnt)
        ).then(lambda: "", None, w.typed, **PRIVATE)
        # Picking another reading is a correction: the memory learns that reading's characters.
        then_boxes(
            w.suggestions.input(
                page.choose_reading, [word_read, w.suggestions, kind, stored, share, model], **word_learnt
            )
        )
        then_boxes(
            forget.click(page.forget, None, remembered, **PRIVATE)
            .then(page.reread, [shown, kind, stored, model], **ui)
            .then(**write)
        )
        demo.load(page.memory_status, stored, memory_status, **PRIVATE)
        demo.load(memory_json, stored, mirror, **PRIVATE)
        demo.load(None, js=APP_READY_JS, queue=False, **PRIVATE)
        stored.change(memory_json, stored, mirror, **PRIVATE)

        add_endpoints(Api(models))
    compat.fill_trailing_inputs(demo)  # plain-HTTP callers of /read and /read_strokes from before words existed
    return demo.queue(default_concurrency_limit=4, max_size=64)


def launch(demo: gr.Blocks, host: str, port: int) -> None:
    sessions.defer_block_configs()  # a session-less API call must not render the whole page's config
    # show_error: Gradio's own refusals (a file never uploaded, ...) reach API clients as text; every handler
    # turns its own failures into gr.Error first, so nothing internal is shown.
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        ssr_mode=False,
        max_file_size=MAX_UPLOAD,
        mcp_server=True,
        footer_links=["api", "gradio"],
        css=CSS,
        show_error=True,
    )
