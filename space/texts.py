"""The sentences the Space's page says around a prediction, testable without a browser.

Every number shown comes from the serving model's metrics.json; a field it lacks reads "not recorded".
"""

from __future__ import annotations

from model.ink import rejection
from model.labels import MERGED_LOWERCASE, ambiguous_with
from model.network.architecture import EXPECTED_PARAMS
from model.network.files import EMNIST, PEN
from model.network.metrics import ModelMetrics
from model.served import AUTO, NAMES, ServedModels

TITLE = "LeNet-5 reads your handwriting (EMNIST Balanced)"
HEADING = "✍️ LeNet-5 reads your handwriting"
TAB_DRAW, TAB_WORD, TAB_UPLOAD = "Draw", "Write a word", "Upload"
PAD_LABEL, WORD_PAD_LABEL = "Drawing pad", "Word pad"
WORD_TEXT_LABEL = "Text read"
WORD_BOXES_LABEL = "Read as (click a letter to fix it)"
GUESSES_LABEL = "Top guesses"
GLYPH_LABEL = "What the model saw (28×28)"
ABOUT_LABEL = "About this model"
WELCOME = "Draw a character (it is read as you draw), upload a picture of one, or click an example."
WORD_WELCOME = (
    "Write a word, a name or a number, joined-up or letter by letter: it is cut into candidate letters, each one is "
    "read, and the best reading is chosen with an English word list. If it is wrong, pick the right reading below "
    "(it learns your handwriting), type the word, or click a letter."
)
SUGGESTIONS_LABEL = "Or did you write:"
WORD_LIST_LABEL = "Word list"
OWN_WORDS_LABEL = "Your own words (names, product names...), separated by spaces, commas or new lines"
DICTIONARY_LABEL = "Read English words (an 82,000-word list); off: any spelling"
PAD_HINT = "Draw one character here"
OFFLINE = (
    "Offline: reading here in your browser. Corrections and the other tabs need the connection; the page reloads "
    "when it returns (what you taught it is kept)."
)
WORD_PAD_HINT = "Write a word or a number here"
NOT_RECORDED = "not recorded"
SERVER_FAILED = "Something went wrong on the server while reading this; it has been logged."
NO_IMAGE = "No image was sent."
NO_STROKES = "No strokes were sent."
SEND_A_FILE = (
    "Send the picture as a file: in Python, `handle_file(path)` from gradio_client; over HTTP, upload it to "
    '/gradio_api/upload first and send {"path": <the returned path>, "meta": {"_type": "gradio.FileData"}}.'
)

_REFUSALS = {
    rejection.DOT: "That looks like a dot or a filled blob, not a character: draw a letter or a digit with lines.",
    rejection.DOODLE: "That looks like a drawing (a face?), not a character: draw a single letter or digit.",
    rejection.SCRIBBLE: "That does not look like one character to me. Draw a single letter or digit, a bit bigger and "
    "clearer.",
}


UPLOAD_LABEL = "A character or a word"


def example_caption(stem: str) -> str:
    """A gallery picture's caption (and alt text), from its file name: "q_pen" -> "q", "A_chalkboard" -> "A, chalk"."""
    character, _, style = stem.partition("_")
    if style in ("", "pen"):
        return character
    return f"{character}, {EXAMPLE_STYLES.get(style, style.replace('-', ' '))}"


EXAMPLE_STYLES = {
    "chalkboard": "chalk",
    "pencil": "pencil",
    "transparent": "no background",
    "photo": "photo",
    "thick-marker": "marker",
    "small-off-centre": "small",
    "shadow": "shadow",
}


def upload_hint(formats: list[str], megabytes: int) -> str:
    return (
        f"A photo, scan or drawing of one character, or of a few words: each character is read. "
        f"{', '.join(formats)}, {megabytes} MB at most."
    )


def refusal(reason: str, characters: int = 1) -> str:
    """Why a picture was not read as one character, in a sentence (reason: one of model.ink.rejection.REASONS)."""
    if reason == rejection.SEVERAL:
        return (
            f"That looks like {characters} characters, and this view reads one. Write them in the Word tab to "
            "have each one read, or draw a single character here."
        )
    return _REFUSALS[reason]


KIND_LABEL = "I'm writing"
FIX_LABEL = "Not right? It was:"
TYPE_LABEL = "…or type it"
WORD_FIX_LABEL = "Not right? Type what you wrote (or click a character above)"
CONFIRM = "✓ Right"
FORGET = "Forget my handwriting"
TYPE_WORD = "Type the word you wrote, then press Enter."
TYPE_ONE = "Type a single character: a digit, a letter A-Z, or one of a b d e f g h n q r t."
NOTHING_TO_CORRECT = "There is no answer to correct yet: draw or upload a character first."
CANNOT_LEARN = "This model's file cannot learn your handwriting (it has no features output)."
MEMORY_IGNORED = 'Your remembered handwriting is not used; "Forget my handwriting" starts a new one.'
FORGOTTEN = "Your handwriting is forgotten: nothing of it is kept, here or on the server."
MEMORY_HOME = "It lives in this browser only, never on the server."


SHARE_LABEL = "Share my corrections to improve the model"
SHARE_INFO = (
    "When ticked, each character you correct or confirm is sent to the Space owner's dataset: the 28x28 "
    "the model saw, your drawing's strokes (or the uploaded picture, reduced), the label you gave, the "
    "model's top 3 guesses, which model it was, and the time. Nothing else: no address, no account, no "
    "session, no text you typed beyond that label."
)


def too_large(size: int, limit: int) -> str:
    return f"The picture is {size / 2**20:.0f} MB; the limit is {limit // 2**20} MB."


def shared(count: int) -> str:
    return f"Shared {count} with the Space owner, as you chose."


def remembered(count: int) -> str:
    if not count:
        return f"Correct a wrong guess (or confirm a right one) and I learn how you write. {MEMORY_HOME}"
    return f"I remember {count} of your characters and read your writing with them. {MEMORY_HOME}"


def learnt(label: str, confirmed: bool) -> str:
    if confirmed:
        return f"Thanks: remembered as a **{label}**."
    return f"Learnt: that was a **{label}**. Your next {label}s should be read better."


def learnt_word(corrected: int, total: int) -> str:
    return f"Learnt from {total} characters ({corrected} corrected)."


def fix_character(position: int, label: str) -> str:
    return f"Character {position} (read as {label}) was:"


def read_as_word(characters: int, text: str) -> str:
    return f"That looks like {characters} characters, read as **{text}**."


def merged_note(label: str) -> str:
    """Only for the letters EMNIST Balanced folds together (C/c, O/o, ...): the drawing may have been lowercase."""
    if label.lower() not in MERGED_LOWERCASE:
        return ""
    return (
        f"EMNIST Balanced reads **{label.lower()}** and **{label}** as one class, so a lowercase "
        f"{label.lower()} is reported as **{label}**."
    )


def ambiguity_note(label: str, allowed: str | None = None) -> str:
    """A short warning when the top guess is one of EMNIST's look-alike groups (O/0, 1/I/L, S/5, ...), naming only
    the look-alikes the visitor allows (with Digits, a 1 has none)."""
    others = sorted(o for o in ambiguous_with(label) if allowed is None or o in allowed)
    if not others:
        return ""
    return f"**{label}** is easily confused with {', '.join(f'**{o}**' for o in others)}: check the runner-up guesses."


def notes_for(label: str, allowed: str | None = None) -> str:
    return "\n\n".join(note for note in (ambiguity_note(label, allowed), merged_note(label)) if note)


def word_details(reading) -> str:
    """Per character: what was read, the model's own top 3, and whether the word's reading changed it."""
    rows = ["| # | read | model's top 3 |", "|---|---|---|"]
    for i, c in enumerate(reading.characters, 1):
        top = ", ".join(f"{label} {100 * p:.0f}%" for label, p in c.top(3))
        changed = f" (the word; the model alone said {c.raw_label})" if c.changed_by_word else ""
        rows.append(f"| {i} | **{c.label}**{changed} | {top} |")
    return "\n".join(rows)


def _percent(value: float | None) -> str:
    return NOT_RECORDED if value is None else f"{100 * value:.2f}%"


def _number(value: float | None, digits: int = 4) -> str:
    return NOT_RECORDED if value is None else f"{value:.{digits}f}"


def _count(value: int | None) -> str:
    return NOT_RECORDED if value is None else f"{value:,}"


def _trained_on(metrics: ModelMetrics) -> str:
    """What a model learnt from, in a visitor's words: how many scanned EMNIST characters, and which pen drawings."""
    data = metrics.data
    if data.handwriting is False:
        return f"{_count(data.train)} generated font glyphs, not handwriting"
    drawn = sum(p.get("training_characters", 0) * p.get("repeat", 0) for p in data.pen)
    scanned = None if data.train is None else data.train - drawn
    learnt = f"{_count(scanned)} handwritten characters scanned from paper forms (EMNIST)"
    if data.pen:
        parts = [
            f"{_count(p.get('training_characters'))} from {p.get('source', 'pen drawings').split(',')[0].split(' by ')[0]}"
            for p in data.pen
        ]
        learnt += f", and characters written with a pen on a tablet: {'; '.join(parts)}"
    return learnt


def _model_lines(name: str, metrics: ModelMetrics, answers: str) -> list[str]:
    if not metrics.known:
        return [f"**{name}** ({answers}): no metrics.json beside it, so no measured numbers to show."]
    test = metrics.served_test
    calibrated = (
        f"; its confidences are calibrated (ECE {_number(test.ece)}): a guess shown at 80% is right about 80% of "
        "the time"
        if test.ece is not None and test.ece <= 0.03
        else ""
    )
    lines = [
        f"**{name[0].upper()}{name[1:]}** ({answers}). Learnt from {_trained_on(metrics)}. On the "
        f"{_count(test.samples)} EMNIST test characters, which it never saw, it reads **{_percent(test.accuracy)}** (weighted F1 {_number(test.weighted_f1)})"
        f"{calibrated}."
    ]
    validation = {k: v for k, v in metrics.training.validation.items() if k.startswith("pen")}
    if validation:
        read = ", ".join(
            f"{k.removeprefix('pen ').replace('from-words', 'letters cut from words')} {_percent(v)}"
            for k, v in validation.items()
        )
        lines.append(f"On the drawings of pen writers held out of its training, it reads {read}.")
    return lines


def about_markdown(models: ServedModels) -> str:
    """The About section: which model answers what, what each learnt from, and its numbers (from metrics.json)."""
    emnist = models.emnist.metrics
    lines = [
        f"Both models are the same tiny network (LeNet-5, {_count(emnist.model.parameters)} parameters) reading "
        "one character at a time from a 28x28 picture. Choose which one answers with **Model**, below the pads.",
        *_model_lines(NAMES[EMNIST], emnist, _uses(models, EMNIST)),
    ]
    if models.pen is not None:
        lines += _model_lines(NAMES[PEN], models.pen.metrics, _uses(models, PEN))
    else:
        lines.append(NO_PEN_MODEL)
    if emnist.data.handwriting and emnist.data.official_split is False:
        lines.append(
            "The test characters come from a re-split of EMNIST made for machines without internet, not the "
            "official EMNIST Balanced test split."
        )
    return "\n\n".join(lines)


def _uses(models: ServedModels, variant: str) -> str:
    uses = [
        what
        for what, given in (("drawings", "strokes"), ("pictures", "picture"))
        if models.variant(AUTO, given) == variant
    ]
    return f"reads your {' and '.join(uses)}" if uses else "switch to it under Model to compare"


NO_PEN_MODEL = "This model repo has no pen-tuned model, so the EMNIST Balanced model reads drawings too."
MODEL_LABEL = "Model"
MODEL_CHOICES = [("Best for each input", AUTO), ("EMNIST Balanced", EMNIST), ("Pen-tuned", PEN)]


def served(models: ServedModels) -> str:
    """Which model reads what, in one line for the page's status."""
    if models.pen is None:
        return NO_PEN_MODEL
    drawings, pictures = models.variant(AUTO, "strokes"), models.variant(AUTO, "picture")
    if drawings == pictures:
        other = EMNIST if drawings == PEN else PEN
        return f"The {NAMES[drawings]} reads drawings and pictures; switch **Model** (below) to compare the {NAMES[other]}."
    return f"Drawings are read by the {NAMES[drawings]}, pictures by the {NAMES[pictures]}."


def answered_by(variant: str) -> str:
    return f"Read by the {NAMES[variant]}."


MEMORY_OTHER_MODEL = (
    "Your remembered handwriting belongs to the model that reads your drawings, so this model reads without it; "
    "switch **Model** back to correct it."
)


def headline(metrics: ModelMetrics) -> str:
    parameters = metrics.model.parameters or EXPECTED_PARAMS
    return (
        f"Digits, uppercase and 11 lowercase letters (EMNIST Balanced, 47 classes), read by a "
        f"{parameters:,}-parameter CNN. Write a whole word or number to have every character read."
    )
