"""What each event of the page does, as plain functions: a value in, what each output shows out.

``Page`` holds the serving classifier; ``space.ui`` only lays out components and wires events to these methods,
so every behaviour here is tested with a Classifier and no browser. They never raise: a bad drawing or picture
becomes a message (``space.errors``). The public API is ``space.api``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import gradio as gr
import numpy as np

from model.classifier import Classifier, Prediction
from model.ink.strokes import Strokes
from model.labels import KINDS, LABELS, index_of
from model.memory import MemoryRejected, WriterMemory
from model.served import AUTO, ServedModels
from model.words.lexicon import WORD
from model.words.reading import Reading

from . import pictures, texts
from .api import TOP_K, uploaded_path
from .errors import VISITOR_ERRORS, Refused, ui_errors
from .feedback import Correction, FeedbackStore

FIX_CHOICES = 4  # "Not right? It was:" offers the runner-up guesses, this many


class Answer(NamedTuple):
    """What the single-character outputs show, in ``space.ui``'s order of them."""

    guesses: dict | None  # gr.Label's top classes
    glyph: np.ndarray | None  # the 28x28 the model saw, enlarged
    note: str
    choices: Any  # the "it was" runner-ups (a gr.Radio update)
    source: dict | None  # what the answer was read from, kept for a correction (no redrawing)

    @classmethod
    def warning(cls, message: str) -> Answer:
        """Everything shown stays as it was; the note says why."""
        return cls(gr.skip(), gr.skip(), f"⚠️ {message}", gr.skip(), gr.skip())


class WordAnswer(NamedTuple):
    """What the word outputs show, in ``space.ui``'s order of them."""

    text: str
    reading: Reading | None  # what the boxes picture shows (``Page.boxes`` draws it once the text is on screen)
    note: str  # the per-character table
    value: dict | None  # the strokes read, kept for corrections
    choices: Any  # the "it was" choices of a clicked character
    suggestions: Any  # the other readings offered

    @classmethod
    def warning(cls, message: str) -> WordAnswer:
        return cls(gr.skip(), gr.skip(), f"⚠️ {message}", gr.skip(), gr.skip(), gr.skip())


class Memory(NamedTuple):
    """A remembered handwriting (what the browser keeps) and the line saying what is remembered."""

    stored: dict | None
    status: str

    @classmethod
    def unchanged(cls) -> Memory:
        """Where a correction is refused."""
        return cls(gr.skip(), gr.skip())


NO_CHOICES = gr.Radio(choices=[], value=None, visible=False)
EMPTY = Answer(None, None, texts.WELCOME, NO_CHOICES, None)
EMPTY_WORD = WordAnswer("", None, texts.WORD_WELCOME, None, NO_CHOICES, NO_CHOICES)


def has_strokes(value: Any) -> bool:
    """Whether a pad value holds any ink (an empty or cleared pad is not an error, just nothing to read)."""
    return isinstance(value, dict) and bool(value.get("strokes"))


def fix_choices(prediction: Prediction) -> gr.Radio:
    others = [label for label, _ in prediction.top(FIX_CHOICES + 1)[1:]]
    return gr.Radio(choices=others, value=None, visible=True)


def show_reading(reading: Reading, value: dict | None) -> WordAnswer:
    others = [c.text for c in reading.candidates[1:]]
    suggestions = gr.Radio(choices=others, value=None, visible=bool(others)) if others else NO_CHOICES
    return WordAnswer(reading.text, reading, texts.word_details(reading), value, NO_CHOICES, suggestions)


def _with_character(reading: Reading, index: int, label: str) -> str:
    """The reading's text with its ``index``-th character (of ``reading.characters``) made ``label``."""
    seen, out = -1, []
    for ch in reading.text:
        if not ch.isspace():
            seen += 1
            ch = label if seen == index else ch
        out.append(ch)
    return "".join(out)


def _as_taught(characters) -> list[tuple[Any, str, bool]]:
    """A reading's characters as corrections: each labelled as that reading spells it, a confirmation where the
    network's own top guess was already that."""
    return [
        (c, LABELS[index_of(c.label)], index_of(c.label) == index_of(c.raw_label))
        for c in characters
        if c.probabilities is not None
    ]


def one_character(typed: Any) -> str:
    """A label the visitor typed: exactly one character of the 47 classes (c counts as C, ...)."""
    text = typed.strip() if isinstance(typed, str) else ""
    if len(text) != 1:
        raise Refused(texts.TYPE_ONE)
    return LABELS[index_of(text)]


def given(source: dict) -> str:
    """Which kind of input a source is, as ServedModels names them."""
    return "strokes" if "strokes" in source else "picture"


def predicted(reader: Classifier, source: dict, allowed: str | None, memory: WriterMemory) -> Prediction:
    """One character read from a source: {"strokes": pad value} or {"picture": path}."""
    if "strokes" in source:
        return reader.predict_strokes(source["strokes"], allowed, memory)
    return reader.predict(source["picture"], allowed=allowed, memory=memory)


class Page:
    def __init__(self, models: ServedModels | Classifier, feedback: FeedbackStore | None = None):
        self.models = models if isinstance(models, ServedModels) else ServedModels(models)
        self.feedback = feedback  # where shared corrections go, when the Space owner set FEEDBACK_DATASET

    @property
    def home(self) -> Classifier:
        """The model that reads drawings, and so the one a visitor's memory teaches."""
        return self.models.home

    # What the visitor said: the kind of characters, and their remembered handwriting (untrusted, from the browser).

    @staticmethod
    def allowed(kind: Any) -> str | None:
        return KINDS.get(kind) if isinstance(kind, str) else None

    def memory(self, stored: Any) -> WriterMemory:
        """The browser's memory, checked (MemoryRejected says why it cannot be used); an empty one where there is
        none, or where this model cannot learn writers."""
        if not self.home.learns_writers:
            return WriterMemory()
        return WriterMemory.from_json(stored, model=self.home.fingerprint)

    def _usable_memory(self, stored: Any, reader: Classifier | None = None) -> tuple[WriterMemory, str]:
        """The memory ``reader`` reads with (only the home model's), and a note where it cannot be used."""
        try:
            memory = self.memory(stored)
        except MemoryRejected as exc:
            return WriterMemory(), f"⚠️ {exc} {texts.MEMORY_IGNORED}"
        if reader is not None and reader is not self.home:
            return WriterMemory(), texts.MEMORY_OTHER_MODEL if len(memory) else ""
        return memory, ""

    def memory_status(self, stored: Any) -> str:
        """The line under the answers: how many characters are remembered (or why the memory is not used)."""
        if not self.home.learns_writers:
            return texts.CANNOT_LEARN
        memory, problem = self._usable_memory(stored)
        return problem or texts.remembered(len(memory))

    def forget(self) -> Memory:
        return Memory(None, texts.FORGOTTEN)

    # The page's own events (private: never part of the API).

    def _answer(self, source: dict, kind: Any, stored: Any, model: Any = AUTO) -> Answer:
        """Read a source ({"strokes": pad value} or {"picture": path}); one character, or a word (then read whole)."""
        variant, reader = self.models.reader(model, given(source))
        memory, problem = self._usable_memory(stored, reader)
        allowed = self.allowed(kind)
        by = texts.answered_by(variant)
        prediction = predicted(reader, source, allowed, memory)
        picture = source.get("picture")
        if picture and (prediction.characters > 1 or reader.looks_like_words(picture)):  # a word: read it
            reading = reader.read(picture, allowed, memory)
            note = texts.read_as_word(len(reading.characters), reading.text) + "\n\n" + texts.word_details(reading)
            return Answer(None, None, f"{note}\n\n{by}", NO_CHOICES, None)
        glyph = pictures.enlarge(prediction.glyph)
        if prediction.refusal:
            return Answer(
                None, glyph, f"✋ {texts.refusal(prediction.refusal, prediction.characters)}", NO_CHOICES, None
            )
        note = "\n\n".join(n for n in (problem, texts.notes_for(prediction.label, allowed), by) if n)
        return Answer(prediction.confidences(TOP_K), glyph, note, fix_choices(prediction), source)

    @ui_errors(EMPTY)
    def draw(self, value, kind=None, stored=None, model=AUTO) -> Answer:
        """The character pad changed (a stroke ended, undo, clear)."""
        if not has_strokes(value):
            return EMPTY
        return self._answer({"strokes": value}, kind, stored, model)

    @ui_errors(EMPTY)
    def upload(self, value, kind=None, stored=None, model=AUTO) -> Answer:
        """A picture was uploaded, pasted or picked from the gallery."""
        if value is None:
            return EMPTY
        return self._answer({"picture": uploaded_path(value)}, kind, stored, model)

    @ui_errors(EMPTY)
    def reread(self, source, kind=None, stored=None, model=AUTO) -> Answer:
        """The shown answer again (the kind, the model or the memory changed)."""
        if not isinstance(source, dict):
            return EMPTY
        return self._answer(source, kind, stored, model)

    @staticmethod
    def vocabulary(words: Any = "", dictionary: Any = True) -> dict:
        """The word list the visitor chose: their own words (checked by the reader) and the English list or not."""
        return {"words": words if isinstance(words, str) else "", "dictionary": dictionary is not False}

    @ui_errors(EMPTY_WORD)
    def write(self, value, kind=None, stored=None, words="", dictionary=True, model=AUTO) -> WordAnswer:
        """The word pad changed (or the kind, the model, the memory or the word list did)."""
        if not has_strokes(value):
            return EMPTY_WORD
        strokes = Strokes.parse(value)
        variant, reader = self.models.reader(model, "strokes")
        memory, problem = self._usable_memory(stored, reader)
        reading = reader.read_strokes(strokes, self.allowed(kind), memory, **self.vocabulary(words, dictionary))
        shown = show_reading(reading, value)
        return shown._replace(note="\n\n".join(n for n in (problem, shown.note, texts.answered_by(variant)) if n))

    def boxes(self, value, reading) -> np.ndarray | None:
        """The word's drawing with a box and a label per character read: its own event after the text's (a
        picture to draw and encode), so that the text is on screen without waiting for it."""
        if not has_strokes(value) or not isinstance(reading, Reading):
            return None
        try:
            return pictures.annotate(pictures.drawn(Strokes.parse(value)), reading)
        except VISITOR_ERRORS:
            return None

    # Corrections: the visitor says what a character was; it is remembered and the answer shown again.

    def _learn(
        self,
        stored: Any,
        answers: list[tuple[Any, str, bool]],
        share: bool = False,
        source: dict | None = None,
        words: list[str] = (),
    ) -> Memory:
        """Remember each (answer, label, confirmed) and each word written; with the visitor's consent, also share
        the answers with the owner."""
        memory = self.memory(stored)
        for answer, label, confirmed in answers:
            memory.add(answer, label, confirmed=confirmed)
        for word in words:
            memory.add_word(word)
        shared = 0
        if share is True and self.feedback is not None and source:
            for answer, label, _ in answers:
                self.feedback.save(
                    Correction(
                        label=label,
                        top3=answer.top(3),
                        glyph=answer.glyph,
                        model=answer.model,
                        model_source=self.home.source,
                        strokes=source.get("strokes"),
                        picture=source.get("picture"),
                        box=getattr(answer, "box", None),
                    )
                )
                shared += 1
        return Memory(memory.as_dict(), texts.remembered(len(memory)) + (f" {texts.shared(shared)}" if shared else ""))

    def _teachable(self, model: Any, source: dict) -> Classifier:
        """The model a correction teaches: the home model, and only where it is the one answering."""
        if not self.home.learns_writers:
            raise Refused(texts.CANNOT_LEARN)
        if self.models.classifier(model, given(source)) is not self.home:
            raise Refused(texts.MEMORY_OTHER_MODEL)
        return self.home

    def _corrected(
        self, source, label: str, stored, kind, confirmed: bool, share: bool = False, model: Any = AUTO
    ) -> tuple[Answer, Memory]:
        if not isinstance(source, dict):
            raise Refused(texts.NOTHING_TO_CORRECT)
        reader = self._teachable(model, source)
        memory = self.memory(stored)
        before = predicted(reader, source, self.allowed(kind), memory)
        learnt = self._learn(stored, [(before, label, confirmed)], share, source)
        answer = self._answer(source, kind, learnt.stored, model)
        note = texts.learnt(label, confirmed) + ("\n\n" + answer.note if answer.note else "")
        return answer._replace(note=note), learnt

    def correct(self, source, label, kind=None, stored=None, share=False, model=AUTO):
        """The visitor picked or typed what the character was: remember it, read it again."""
        return self._guarded(lambda: self._corrected(source, one_character(label), stored, kind, False, share, model))

    def confirm(self, source, kind=None, stored=None, share=False, model=AUTO):
        """The visitor says the top guess was right: remember it as confirmed."""

        def run():
            guesses = self._answer(source, kind, stored, model).guesses if isinstance(source, dict) else None
            if not guesses:
                raise Refused(texts.NOTHING_TO_CORRECT)
            return self._corrected(source, max(guesses, key=guesses.get), stored, kind, True, share, model)

        return self._guarded(run)

    @staticmethod
    def _guarded(run) -> tuple:
        """(the single answer's outputs..., the memory's): a refused correction changes nothing and says why."""
        try:
            answer, learnt = run()
        except VISITOR_ERRORS as exc:
            answer, learnt = Answer.warning(str(exc)), Memory.unchanged()
        return (*answer, *learnt)

    def pick(self, reading, evt: gr.SelectData):
        """A click on the word's picture (``reading``: the one it shows): the character there, its top guesses
        offered as "it was"."""
        if not isinstance(reading, Reading):
            return gr.skip(), gr.skip()
        try:
            x, y = evt.index
            hit = [
                i
                for i, c in enumerate(reading.characters)
                if c.probabilities is not None
                and c.box[0] - 6 <= x <= c.box[2] + 6
                and c.box[1] - 6 <= y <= c.box[3] + 6
            ]
        except (TypeError, ValueError):
            return gr.skip(), gr.skip()
        if not hit:
            return gr.skip(), gr.skip()
        character = reading.characters[hit[0]]
        choices = [label for label, _ in character.top(FIX_CHOICES + 1)[1:]]
        return gr.Radio(
            choices=choices, value=None, visible=True, label=texts.fix_character(hit[0] + 1, character.label)
        ), hit[0]

    def correct_character(self, value, reading, index, label, kind=None, stored=None, share=False, model=AUTO):
        """One character of the word shown (``reading``) corrected after a click on it: the text with that
        character changed becomes the text and is taught."""

        def text():
            shown = isinstance(reading, Reading) and isinstance(index, int)
            if not shown or not 0 <= index < len(reading.characters):
                raise Refused(texts.NOTHING_TO_CORRECT)
            return _with_character(reading, index, one_character(label))

        return self._word_taught(value, kind, stored, text, share, model)

    def correct_word(self, value, typed, kind=None, stored=None, share=False, model=AUTO):
        """The visitor typed what the word was (any length): it becomes the text and is taught."""
        return self._word_taught(value, kind, stored, lambda: typed if isinstance(typed, str) else "", share, model)

    def choose_reading(self, value, chosen, kind=None, stored=None, share=False, model=AUTO):
        """The visitor picked one of the other readings offered: it becomes the text and is taught."""
        return self._word_taught(value, kind, stored, lambda: chosen if isinstance(chosen, str) else "", share, model)

    def _word_taught(self, value, kind, stored, text, share=False, model=AUTO):
        """The word pad's ink is ``text()`` (a picked reading, a typed word, the reading with one character
        corrected): shown at once, each character laid on its ink by the reader's alignment and remembered with
        what LeNet-5 read there, and the words listed as the writer's own for later readings."""
        try:
            reader = self._teachable(model, {"strokes": value})
            if not has_strokes(value):
                raise Refused(texts.NOTHING_TO_CORRECT)
            wanted = text().strip()
            if not wanted:
                raise Refused(texts.TYPE_WORD)
            memory, _ = self._usable_memory(stored, reader)
            spelt = reader.spell_strokes(value, wanted, self.allowed(kind), memory)
            learnt = _as_taught(spelt.characters)
            memory = self._learn(stored, learnt, share, {"strokes": value}, words=WORD.findall(spelt.text))
            shown = show_reading(spelt, value)
            changed = sum(not confirmed for _, _, confirmed in learnt)
            note = texts.learnt_word(changed, len(learnt)) + "\n\n" + shown.note
            return (*shown._replace(note=note, suggestions=NO_CHOICES), *memory)
        except VISITOR_ERRORS as exc:
            return (*WordAnswer.warning(str(exc)), *Memory.unchanged())
