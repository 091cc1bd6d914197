"""What reading words gives back (``Reading``: the text, its characters, the best few texts) and how the readings
of a drawing's words are put together into it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from model.ink.preprocess import PreprocessError
from model.labels import LABELS, index_of
from model.words import search


class TooMuchWriting(PreprocessError):
    """More ink than one request may read (the message says what to do)."""


@dataclass
class Character:
    box: tuple[int, int, int, int]  # (left, top, right, bottom) in the picture's pixels
    glyph: np.ndarray | None  # the 28x28 upright frame the model saw (None for punctuation)
    probabilities: np.ndarray | None = None
    label: str = ""  # after context; punctuation: "." or ","
    raw_label: str = ""  # the model's own top-1, before context
    features: np.ndarray | None = None  # the model's features of the glyph (what a WriterMemory keeps)
    model: str = ""  # fingerprint of the model that read it

    @property
    def changed_by_word(self) -> bool:
        """Whether the word's reading chose another class than the network's own top guess for this character."""
        return self.probabilities is not None and index_of(self.label) != index_of(self.raw_label)

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        if self.probabilities is None:
            return [(self.label, 1.0)]
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(LABELS[i], float(self.probabilities[i])) for i in order]


@dataclass
class Candidate:
    text: str
    score: float  # how much of the shown readings' total belief it has (the candidates' scores sum to 1)
    characters: list[Character] = field(default_factory=list, repr=False)  # as this reading cuts and reads them


@dataclass
class Reading:
    text: str
    characters: list[Character] = field(default_factory=list)
    #: The best readings, best first; the first is ``text``.
    candidates: list[Candidate] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "candidates": [{"text": c.text, "score": c.score} for c in self.candidates],
            "characters": [
                {
                    "label": c.label,
                    "model_label": c.raw_label,
                    "box": list(c.box),
                    "top3": [{"label": label, "confidence": round(p, 4)} for label, p in c.top(3)],
                }
                for c in self.characters
            ],
        }


#: Upright glyphs (N, 28, 28) -> calibrated probabilities (N, 47) and features (N, F), or None without features.
ReadGlyphs = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray | None]"]


class Unit(Protocol):
    """A run of ink read as one word, by either reader: its readings (best first, each with a ``score``) and their
    characters; ``cost``: what reading it spends of a request's budget."""

    paths: list
    characters: list[list[Character]]

    @property
    def cost(self) -> int: ...


def read_glyphs_into(characters: list[Character], glyphs: list, read_glyphs: ReadGlyphs) -> None:
    """Each character's glyph read by the LeNet-5: the character's own top guesses, and what a writer's memory
    keeps of it. A character without a glyph (None: no ink of its own) keeps none."""
    readable = [k for k, glyph in enumerate(glyphs) if glyph is not None]
    if not readable:
        return
    probabilities, features = read_glyphs(np.stack([glyphs[k] for k in readable]))
    for row, k in enumerate(readable):
        character = characters[k]
        character.glyph, character.probabilities = glyphs[k], probabilities[row]
        character.features = None if features is None else features[row]
        character.raw_label = LABELS[int(np.argmax(probabilities[row]))]


def take_readings(unit: Unit, readings: list, characters_of: Callable[[str, list, bool], list[Character]]) -> None:
    """A unit read whole by a word model: its readings (``decoder.readings``: candidate, text, frames) as its paths,
    each one's characters from ``characters_of(text, frames, first)``; nothing read is one empty reading."""
    for candidate, text, spans in readings:
        unit.paths.append(candidate)
        unit.characters.append(characters_of(text, spans, len(unit.characters) == 0))
    if not unit.paths:  # nothing read, or nothing the frames can hold
        unit.paths.append(search.Path("", 0.0, [], False))
        unit.characters.append([])


def assemble(placed: list[list[list]], units: list[Unit]) -> Reading:
    """The best text, its characters in reading order, and the best few texts overall: the best reading of
    every unit, then each unit's runner-up readings in turn, ranked by the total score."""
    best = sum(u.paths[0].score for u in units)
    options = [(best, [u.characters[0] for u in units])]
    for u in units:
        for alternative in range(1, len(u.paths)):
            chosen = [v.characters[alternative] if v is u else v.characters[0] for v in units]
            options.append((best - u.paths[0].score + u.paths[alternative].score, chosen))
    options.sort(key=lambda option: -option[0])
    candidates: list[tuple[float, str, list[Character]]] = []
    for score, chosen in options:
        text, characters = _spelled_out(placed, units, chosen)
        if text not in {t for _, t, _ in candidates}:
            candidates.append((score, text, characters))
        if len(candidates) == search.TOP:
            break
    weights = np.exp(np.asarray([score for score, _, _ in candidates]) - candidates[0][0])
    shares = weights / weights.sum()
    text, characters = candidates[0][1], candidates[0][2]
    return Reading(
        text,
        characters,
        [Candidate(t, round(float(share), 4), chars) for (_, t, chars), share in zip(candidates, shares)],
    )


def _spelled_out(placed: list[list[list]], units: list[Unit], chosen: list[list[Character]]):
    """(text, characters in reading order) with each unit read as ``chosen`` says."""
    index = {id(u): k for k, u in enumerate(units)}
    characters: list[Character] = []
    lines = []
    for words in placed:
        spoken = []
        for word in words:
            spelled = ""
            for item in word:
                read = [item] if isinstance(item, Character) else chosen[index[id(item)]]
                characters += read
                spelled += "".join(c.label for c in read)
            spoken.append(spelled)
        lines.append(" ".join(spoken))
    return "\n".join(lines), characters
