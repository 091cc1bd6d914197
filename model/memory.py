"""One writer's handwriting, remembered: the characters they corrected (or confirmed), so that their next drawings
are read as they write, at once and without retraining.

Each example is the model's features of a drawing (the penultimate layer, unit length) and the class the writer
said it was. A later drawing whose features are close to an example's (cosine similarity above ``SIMILAR``) gets
a bonus for that class, growing with the similarity: ``log p'(c) = log p(c) + STRENGTH * max_i k_i`` over the
examples i of class c, ``k = (cos - SIMILAR) / (1 - SIMILAR)`` where positive. Drawings unlike anything
remembered are untouched, so an empty memory changes nothing and a correction does not spill onto other
characters. ``python -m bench writer`` measured the rule and chose its two numbers (on half of the writers).

A memory travels as JSON (the Space keeps it in the visitor's browser, never on the server): features quantised to
one byte each, base64, ~140 bytes an example. ``from_json`` treats it as untrusted input: anything malformed,
oversized or made with another model is refused with ``MemoryRejected`` and a sentence saying why.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.labels import LABELS, index_of, restrict
from model.network.architecture import FEATURES
from model.words.lexicon import WordListError, parse_words

#: Oldest examples are dropped beyond this many.
MAX_EXAMPLES = 300
#: Words the writer picked or typed on the word pad, newest last; older ones are dropped beyond this many.
MAX_WORDS = 200
#: A JSON memory longer than this is refused before it is parsed (a full memory is ~45,000 characters).
MAX_JSON_CHARS = 120_000
#: Cosine similarity of features above which a remembered example counts, and the log-probability bonus for a
#: perfect match: chosen by python -m bench writer on UJI writers 0-29 (before models trained on them). Its UNIPEN
#: grid (validation writers of the retrained model) would pick 0.8 / 16 (later samples 85.3% against 84.4%), but
#: then a word read again after a correction does not always show it (test_handlers: a 7 taught as a 1).
SIMILAR = 0.7
STRENGTH = 24.0
VERSION = 1
_CODE_CHARS = len(base64.b64encode(bytes(FEATURES)))


class MemoryRejected(ValueError):
    """A memory that cannot be used; the message says why, for the person whose memory it is."""


@dataclass(frozen=True)
class Example:
    label: str  # one of LABELS
    features: np.ndarray  # (FEATURES,) float32, unit length
    confirmed: bool = False  # the writer confirmed a right answer (else: corrected a wrong one)


def unit(features: np.ndarray) -> np.ndarray:
    features = np.asarray(features, dtype=np.float32)
    norm = np.linalg.norm(features, axis=-1, keepdims=True)
    return features / np.maximum(norm, 1e-6)


def _encode(features: np.ndarray) -> str:
    return base64.b64encode(np.round(np.clip(features, 0, 1) * 255).astype(np.uint8).tobytes()).decode("ascii")


def _decode(code: Any) -> np.ndarray:
    if not isinstance(code, str) or len(code) != _CODE_CHARS:
        raise MemoryRejected("The remembered handwriting is damaged (a feature vector has the wrong size).")
    try:
        raw = base64.b64decode(code, validate=True)
    except ValueError:
        raise MemoryRejected("The remembered handwriting is damaged (a feature vector is not base64).") from None
    return unit(np.frombuffer(raw, dtype=np.uint8).astype(np.float32) / 255)


class WriterMemory:
    """A bounded, ordered memory of one writer's characters, bound to the model whose features it holds."""

    def __init__(
        self,
        examples: Iterable[Example] = (),
        model: str | None = None,
        max_examples: int = MAX_EXAMPLES,
        words: Iterable[str] = (),
    ):
        self.model = model  # fingerprint of the model whose features these are (set by the first example)
        self.examples: deque[Example] = deque(examples, maxlen=max_examples)
        #: Words this writer wrote and corrected (lowercase): read as their own words from then on.
        self.words: deque[str] = deque(words, maxlen=MAX_WORDS)

    def __len__(self) -> int:
        return len(self.examples)

    def __bool__(self) -> bool:  # an empty memory is still a memory: ``if memory`` would be a trap
        return True

    def add(self, answer, label: str, confirmed: bool = False) -> None:
        """Remember that ``answer`` (a Prediction, or a Character of a Reading) was ``label``. Lowercase letters that
        EMNIST Balanced merges (c, o, s, ...) are kept as their class; an unknown character is UnknownCharacter, an answer that does not fit
        this memory MemoryRejected."""
        features, model = getattr(answer, "features", None), getattr(answer, "model", None)
        if features is None:
            raise MemoryRejected(
                "This answer carries no features: the model file predates writer memories "
                "(re-export it with python -m train.export)."
            )
        if self.model is not None and model != self.model:
            raise MemoryRejected("This answer comes from another model than the rest of this memory.")
        label = LABELS[index_of(label)]  # UnknownCharacter for characters outside the 47 classes
        self.model = model
        self.examples.append(Example(label, unit(features), confirmed))

    def add_word(self, word: str) -> None:
        """Remember a word the writer wrote (the word reader lists it as theirs); a repeat moves to the end."""
        (word,) = parse_words([word])  # WordListError for what no word list may hold
        if word in self.words:
            self.words.remove(word)
        self.words.append(word)

    def forget(self) -> None:
        self.examples.clear()
        self.words.clear()
        self.model = None

    def adjust(self, probabilities: np.ndarray, features: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
        """Probabilities (N, 47) of drawings with these features (N, F), moved towards the classes of similar
        remembered examples and renormalised (over ``allowed`` classes, a boolean mask, when given)."""
        if not self.examples:
            return restrict(probabilities, allowed)
        remembered = np.stack([e.features for e in self.examples])
        classes = np.array([index_of(e.label) for e in self.examples])
        closeness = np.clip((unit(features) @ remembered.T - SIMILAR) / (1 - SIMILAR), 0, None)  # (N, M)
        bonus = np.zeros_like(probabilities, dtype=np.float64)
        for c in np.unique(classes):
            bonus[:, c] = closeness[:, classes == c].max(axis=1)
        if not bonus.any():
            return restrict(probabilities, allowed)
        logits = np.log(np.clip(probabilities, 1e-30, 1.0)) + STRENGTH * bonus
        if allowed is not None:
            logits = np.where(allowed, logits, -np.inf)
        logits -= logits.max(axis=1, keepdims=True)
        adjusted = np.exp(logits)
        return (adjusted / adjusted.sum(axis=1, keepdims=True)).astype(probabilities.dtype)

    def as_dict(self) -> dict:
        return {
            "version": VERSION,
            "model": self.model,
            "examples": [
                {"label": e.label, "features": _encode(e.features), "confirmed": e.confirmed} for e in self.examples
            ],
            "words": list(self.words),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, value: str | bytes | dict | None, model: str | None = None) -> WriterMemory:
        """A memory from its JSON (a string or the parsed dict; None or "" is an empty memory). ``model``: the
        fingerprint of the model that will use it; a memory made with another model is refused."""
        if value is None or value == "":
            return cls()
        if isinstance(value, (str, bytes)):
            if len(value) > MAX_JSON_CHARS:
                raise MemoryRejected(
                    f"The remembered handwriting is too large ({len(value):,} characters; the limit "
                    f"is {MAX_JSON_CHARS:,})."
                )
            try:
                value = json.loads(value)
            except ValueError:
                raise MemoryRejected("The remembered handwriting is damaged (not valid JSON).") from None
        if not isinstance(value, dict) or value.get("version") != VERSION:
            raise MemoryRejected("The remembered handwriting is not in a format this version understands.")
        examples, owner = value.get("examples"), value.get("model")
        if not isinstance(examples, list) or not (owner is None or (isinstance(owner, str) and len(owner) <= 64)):
            raise MemoryRejected("The remembered handwriting is damaged.")
        if len(examples) > MAX_EXAMPLES:
            raise MemoryRejected(
                f"The remembered handwriting holds {len(examples):,} examples; the limit is {MAX_EXAMPLES}."
            )
        if examples and model is not None and owner != model:
            raise MemoryRejected(
                "The remembered handwriting was learnt by another model, so it cannot be used with "
                "this one. Forget it to start again."
            )
        words = value.get("words", [])
        if not isinstance(words, list) or len(words) > MAX_WORDS or not all(isinstance(w, str) for w in words):
            raise MemoryRejected(f"The remembered words are damaged (a list of at most {MAX_WORDS} words is expected).")
        try:
            words = parse_words(words) if words else []
        except WordListError as exc:
            raise MemoryRejected(f"The remembered words are damaged: {exc}") from None
        parsed = []
        for item in examples:
            if not isinstance(item, dict) or not isinstance(item.get("label"), str) or item["label"] not in LABELS:
                raise MemoryRejected("The remembered handwriting is damaged (an example has no valid label).")
            parsed.append(Example(item["label"], _decode(item.get("features")), item.get("confirmed") is True))
        return cls(parsed, owner if parsed else None, words=words)
