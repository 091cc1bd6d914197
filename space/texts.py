"""The sentences the Space's page says around a prediction, testable without a browser.

Every number shown comes from the serving model's metrics.json; a field it lacks reads "not recorded".
"""

from __future__ import annotations

from model import rejection, seed_card
from model.architecture import EXPECTED_PARAMS
from model.labels import MERGED_LOWERCASE, ambiguous_with
from model.metrics import ModelMetrics

TITLE = "LeNet-5 reads your handwriting (EMNIST Balanced)"
HEADING = "✍️ LeNet-5 reads your handwriting"
TAB_DRAW, TAB_WORD, TAB_UPLOAD = "Draw", "Write a word", "Upload"
PAD_LABEL, WORD_PAD_LABEL = "Drawing pad", "Word pad"
WORD_TEXT_LABEL = "Text read"
WORD_BOXES_LABEL = "Each character as it was read (click one to correct it)"
UPLOAD_BUTTON = "Read this picture"
GUESSES_LABEL = "Top guesses"
GLYPH_LABEL = "What the model saw (28x28, upright)"
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


def upload_label(formats: list[str]) -> str:
    return f"A picture of one character ({', '.join(formats)})"


def refusal(reason: str, characters: int = 1) -> str:
    """Why a picture was not read as one character, in a sentence (reason: one of model.rejection.REASONS)."""
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


def type_each(count: int) -> str:
    return f"Type one character for each of the {count} characters read (spaces are ignored)."


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


def about_markdown(metrics: ModelMetrics, source: str) -> str:
    """The About section, from the serving model's own metrics.json (never typed by hand)."""
    if not metrics.known:
        return f"**Model:** `{source}` (no metrics.json next to it, so no measured numbers to show)."
    data, test, calibration = metrics.data, metrics.served_test, metrics.calibration
    views = len(metrics.views.transforms) if test is not metrics.test else 0
    lines = [
        f"**Model:** `{source}` · LeNet-5, {_count(metrics.model.parameters)} parameters",
        f"**Trained on:** {data.name or NOT_RECORDED}"
        + (f" — {data.description}" if data.description else "")
        + f" ({_count(data.train)} training images, {metrics.training.epochs_run or NOT_RECORDED} epochs)",
        f"**Test split** ({_count(test.samples)} images"
        + (f", each answer averaged over the glyph and {views} small transforms of it" if views else "")
        + f"): accuracy **{_percent(test.accuracy)}**, "
        f"balanced accuracy {_percent(test.balanced_accuracy)}, weighted F1 **{_number(test.weighted_f1)}**, "
        f"macro F1 {_number(test.macro_f1)}, top-3 {_percent(test.top3_accuracy)}, "
        f"calibration error (ECE) {_number(test.ece)}",
        f"**The seed model card claims** ~{100 * seed_card.ACCURACY:.0f}% accuracy and weighted F1 "
        f"{seed_card.WEIGHTED_F1:.4f} ({seed_card.SPLIT}); we never measured those.",
    ]
    if calibration.temperature and test.ece is not None and test.ece <= 0.03:
        lines.append(
            f"**Confidences are calibrated** (temperature {calibration.temperature:.2f}"
            + (f", class-prior correction ×{calibration.prior_correction:g}" if calibration.prior_correction else "")
            + ", fitted on the validation split): a guess shown at 80% is right about 80% of the time."
        )
    if data.handwriting is False:
        lines.append(
            "⚠️ **This model was not trained on handwriting** but on generated font glyphs, so expect weaker "
            "results on real handwriting. Train on EMNIST with `python -m train`."
        )
    elif data.official_split is False:
        lines.append(
            "These numbers are on a re-split of real EMNIST handwriting, **not the official EMNIST Balanced "
            "split**; numbers on the official split come from `python -m train` with internet."
        )
    unknown = [
        name for name in ("data.name", "test.accuracy", "test.weighted_f1", "preprocessing") if name in metrics.missing
    ]
    if unknown:
        lines.append(f"Not recorded in this model's metrics.json: {', '.join(unknown)}.")
    return "\n\n".join(lines)


def headline(metrics: ModelMetrics) -> str:
    parameters = metrics.model.parameters or EXPECTED_PARAMS
    return (
        f"Digits, uppercase and 11 lowercase letters (EMNIST Balanced, 47 classes), read by a "
        f"{parameters:,}-parameter CNN. Write a whole word or number to have every character read."
    )
