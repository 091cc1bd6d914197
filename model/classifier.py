"""Inference: a loaded LeNet-5 plus what it knows about itself, one call from any picture to an answer."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.ink import rejection
from model.ink.orientation import upright_to_emnist
from model.ink.preprocess import Centre, Framed, ImageInput, as_batch, find_ink, frame, open_image
from model.ink.strokes import Strokes, render
from model.labels import LABELS, allowed_mask, restrict
from model.memory import MemoryRejected, WriterMemory
from model.network import hub, loading
from model.network.files import DEFAULT_VARIANT, WEB_FILE
from model.network.metrics import ModelMetrics
from model.network.runtime import Engine
from model.network.views import Views
from model.network.word_model import WordModel
from model.words import cut_and_search, layout, with_picture_model, with_word_model
from model.words.lexicon import Vocabulary, parse_words
from model.words.reading import ReadGlyphs, Reading


@dataclass(frozen=True)
class Prediction:
    probabilities: np.ndarray  # (47,), calibrated (restricted to ``allowed`` and moved by a memory, if given)
    glyph: np.ndarray  # (28, 28) upright, what the model saw, for display
    refusal: str | None = None  # why this is not read as a character: one of rejection.REASONS
    characters: int = 1  # how many characters the picture seems to hold (more than one: see Classifier.read)
    features: np.ndarray | None = None  # the model's features of the glyph, what WriterMemory.add keeps
    model: str = ""  # fingerprint of the model that answered

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The k most probable classes; classes ruled out by ``allowed`` (probability 0) are left out."""
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(LABELS[i], float(self.probabilities[i])) for i in order if self.probabilities[i] > 0]

    @property
    def label(self) -> str:
        return LABELS[int(np.argmax(self.probabilities))]

    @property
    def confidence(self) -> float:
        return float(np.max(self.probabilities))

    def confidences(self, k: int = 5) -> dict[str, float]:
        """Top-k as {label: probability}, the shape gr.Label and API clients take."""
        return dict(self.top(k))


@dataclass
class Classifier:
    """``allowed`` (every reading method): the characters the person says they are writing, as a string
    ("0123456789"); the probabilities are renormalised over those classes. ``memory``: a WriterMemory of this
    person's corrections, which moves their later answers towards the classes of drawings like them."""

    engine: Engine
    metrics: ModelMetrics = field(default_factory=ModelMetrics)
    source: str = ""
    fingerprint: str = ""  # the served file's, see loading.LoadedModel
    warnings: list[str] = field(default_factory=list)
    views: Views = field(default_factory=Views)  # test-time augmentation, as metrics.json records it
    variant: str = DEFAULT_VARIANT  # which of a repo's models this is (model.network.files.VARIANTS)
    words: WordModel | None = None  # the repo's pen word model, which reads drawn words whole (else: cut and search)
    word_pictures: WordModel | None = None  # the repo's picture word model, which reads pictures of words whole
    folder: Path | None = None  # where its files are (the page's copy of the network too: model.network.files.WEB_FILE)

    @classmethod
    def load(
        cls,
        source: str | os.PathLike | None = None,
        *,
        variant: str | None = None,
        revision: str | None = None,
        cache_dir: str | os.PathLike | None = None,
        token: str | bool | None = None,
        local_files_only: bool = False,
        force_download: bool = False,
        timeout: float = hub.DEFAULT_TIMEOUT_S,
        words: bool = True,
    ) -> Classifier:
        """From a .tflite or .keras file, a folder, a Hub repo id, $EMNIST_MODEL or the bundled default.

        ``variant``: which of the repo's models, "emnist" (the default: EMNIST Balanced's best) or "pen" (the
        same network tuned on pen drawings, what the Space's pads use); loading.VariantMissing where the repo has
        no such model. The Hub options mean what they mean in huggingface_hub; ``timeout`` bounds the whole download, after
        which the cached copy is used (or ModelLoadError says why there is none). ``words``: also load the repo's
        word models (its ``words/`` and ``word_pictures/`` folders), which read drawn and pictured words whole."""
        loaded = loading.load(
            source,
            revision,
            variant,
            cache_dir=cache_dir,
            token=token,
            local_files_only=local_files_only,
            force_download=force_download,
            timeout=timeout,
            words=words,
        )
        return cls(
            engine=loaded.engine,
            metrics=loaded.metrics,
            source=loaded.source,
            fingerprint=loaded.fingerprint,
            warnings=loaded.warnings,
            views=loaded.views,
            variant=loaded.variant,
            words=loaded.words,
            word_pictures=loaded.word_pictures,
            folder=loaded.folder,
        )

    @property
    def learns_writers(self) -> bool:
        """Whether this model's file gives the features a WriterMemory needs."""
        return self.engine.has_features

    @property
    def web_file(self) -> Path | None:
        """The page's copy of this network (``model.web_weights``), where its folder has one."""
        path = None if self.folder is None else self.folder / WEB_FILE
        return path if path is not None and path.is_file() else None

    def predict_batch(self, glyphs: np.ndarray) -> np.ndarray:
        """(N, 28, 28[, 1]) EMNIST-oriented glyphs in [0, 1] -> (N, 47) calibrated probabilities, as served."""
        return self.views(self.engine, as_batch(glyphs))

    def _run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(served probabilities, the glyph's own probabilities, its features): one model call for all views."""
        raw, features = self.engine.run(self.views.stack(batch) if self.views else batch)
        if features is not None:
            features = features[: len(batch)]
        return self.views.combine(raw), raw[: len(batch)], features

    def predict(
        self, image: ImageInput, centre: Centre = "bbox", allowed: str | None = None, memory: WriterMemory | None = None
    ) -> Prediction:
        """Any picture of a character -> probabilities and the 28x28 it was turned into."""
        mask = allowed_mask(allowed)  # a bad ``allowed`` fails before any work
        ink = find_ink(open_image(image))
        framed = frame(ink.image, centre=centre, level=ink.level, picture_area=ink.picture_area)
        return self._predict(framed, lambda: layout.count_characters(ink), mask, memory)

    def predict_strokes(
        self, strokes: Strokes | dict | str, allowed: str | None = None, memory: WriterMemory | None = None
    ) -> Prediction:
        """A character as pen strokes (the drawing pad's value; see ``Strokes.parse``) -> the same answer, the
        strokes drawn straight into the 28x28 frame at EMNIST's stroke width."""
        mask = allowed_mask(allowed)
        strokes = Strokes.parse(strokes)
        return self._predict(render(strokes), lambda: layout.count_characters(strokes), mask, memory)

    def _predict(
        self, framed: Framed, count_characters, mask: np.ndarray | None, memory: WriterMemory | None
    ) -> Prediction:
        upright = framed.glyph
        served, own, features = self._run(as_batch(upright_to_emnist(upright)))
        # Whether this is a character at all is the drawing's business, not the person's choice or memory: the
        # rules read the glyph's own output, which their thresholds were measured on.
        refusal = rejection.refusal(upright, own[0], framed.drawn_stroke_width)
        count = count_characters()
        if refusal is None and count > 1:
            refusal = rejection.SEVERAL
        probabilities = self._personal(served, features, mask, memory)[0]
        return Prediction(
            probabilities=probabilities,
            glyph=upright,
            refusal=refusal,
            characters=count,
            features=None if features is None else features[0],
            model=self.fingerprint,
        )

    def looks_like_words(self, image: ImageInput) -> bool:
        """Whether a picture holds several characters: side by side with a clear gap, or joined up in ink far
        wider than tall (the upload view reads those as words)."""
        ink = find_ink(open_image(image))
        return layout.count_characters(ink, layout.PICTURE_APART) > 1 or layout.joined_up(ink, layout.PICTURE_JOINED_UP)

    def read(
        self,
        image: ImageInput,
        allowed: str | None = None,
        memory: WriterMemory | None = None,
        words: str | Iterable[str] | None = None,
        dictionary: bool = True,
    ) -> Reading:
        """Any picture of one or more words, numbers or lines -> the text read, the best few readings
        (``candidates``), and each character's box and top-3. Each word is read whole by the picture word model
        where the repo has one, else cut where its ink is thinnest and searched. ``words``: your own words (names,
        a product list: a list, or one string separated by spaces, commas or new lines), read besides the English
        dictionary unless ``dictionary`` is False (then only yours; with neither, any spelling)."""
        mask = allowed_mask(allowed)
        vocabulary = Vocabulary.of(words, dictionary)  # a bad word list fails before any work
        ink = find_ink(open_image(image))
        read_glyphs = self.glyph_reader(mask, memory)
        if self.word_pictures is None:
            return self._stamped(cut_and_search.read(ink, read_glyphs, vocabulary))
        return self._stamped(with_picture_model.read(ink, self.word_pictures, read_glyphs, vocabulary, mask))

    def read_strokes(
        self,
        strokes: Strokes | dict | str,
        allowed: str | None = None,
        memory: WriterMemory | None = None,
        words: str | Iterable[str] | None = None,
        dictionary: bool = True,
    ) -> Reading:
        """Words, numbers or a few lines as pen strokes -> the same, boxes in canvas units. Each word is read whole
        by the word model where the repo has one (the writer's remembered words are listed as theirs), else cut
        where the pen joins letters (``model.words.segmentation``); where the repo also has the picture word model,
        it reads each word's ink drawn as a picture, a second opinion; a reading of one character also hears this
        LeNet-5's reading of the ink (``decoder.Weights.glyph``)."""
        mask = allowed_mask(allowed)
        if self.words is not None and memory is not None and memory.words:
            words = [*parse_words(words or []), *memory.words]
        vocabulary = Vocabulary.of(words, dictionary)
        strokes = Strokes.parse(strokes)
        read_glyphs = self.glyph_reader(mask, memory)
        if self.words is None:
            return self._stamped(cut_and_search.read_strokes(strokes, read_glyphs, vocabulary))
        return self._stamped(
            with_word_model.read_strokes(strokes, self.words, read_glyphs, vocabulary, mask, self.word_pictures)
        )

    def spell_strokes(
        self, strokes: Strokes | dict | str, text: str, allowed: str | None = None, memory: WriterMemory | None = None
    ) -> Reading:
        """The drawing read as ``text`` (what its writer says it says): each character placed on its ink by the word
        model's alignment, with the glyph there and LeNet-5's reading of it, for a writer's memory to learn from.
        Without a word model, ``text`` must have one character for each the cut-and-search reading found."""
        mask = allowed_mask(allowed)
        strokes = Strokes.parse(strokes)
        read_glyphs = self.glyph_reader(mask, memory)
        if self.words is not None:
            return self._stamped(with_word_model.spell(strokes, self.words, read_glyphs, text))
        found = cut_and_search.read_strokes(strokes, read_glyphs, Vocabulary.of(dictionary=False))
        read = [c for c in found.characters if c.probabilities is not None]
        wanted = [c for c in text if not c.isspace() and c not in ".,"]
        if len(wanted) != len(read):
            raise with_word_model.Unspellable(
                f"Type one character for each of the {len(read)} characters read (this model cannot realign them)."
            )
        for character, label in zip(read, wanted):
            character.label = label
        return self._stamped(Reading(text, found.characters, []))

    def glyph_reader(self, mask: np.ndarray | None, memory: WriterMemory | None) -> ReadGlyphs:
        """Candidate characters of words, read by the model file alone (calibrated too): a word has tens of
        candidates, and averaging test-time views over each would multiply the time a word takes."""

        def read_glyphs(upright: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
            raw, features = self.engine.run(as_batch(upright_to_emnist(upright)))
            return self._personal(raw, features, mask, memory), features

        return read_glyphs

    def _personal(
        self, raw: np.ndarray, features: np.ndarray | None, mask: np.ndarray | None, memory: WriterMemory | None
    ) -> np.ndarray:
        """The calibrated output restricted to what the person writes, and moved by what they taught it."""
        if memory is not None and len(memory):
            if memory.model != self.fingerprint:
                raise MemoryRejected(
                    "This handwriting memory was learnt by another model, so it cannot be used with this one."
                )
            if features is not None:
                return memory.adjust(raw, features, mask)
        return restrict(raw, mask)

    def _stamped(self, result: Reading) -> Reading:
        for character in [*result.characters, *(c for candidate in result.candidates for c in candidate.characters)]:
            character.model = self.fingerprint
        return result


def from_pretrained(repo_id_or_path: str | Path, **options) -> Classifier:
    """``from_pretrained("owner/name")`` or a local folder, as in transformers; options as ``Classifier.load``
    (``variant="pen"`` for the pen-tuned sibling)."""
    return Classifier.load(repo_id_or_path, **options)
