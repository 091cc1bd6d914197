"""A repo's two models served side by side, each where it reads best: the pen-tuned one for pen strokes, the one
``python -m bench pictures`` found better on validation writers' pictures for pictures; a caller may name either.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from typing import Literal

from model.classifier import Classifier
from model.network.files import EMNIST, PEN
from model.network.loading import VariantMissing

log = logging.getLogger(__name__)

AUTO = "auto"
#: What a caller may ask for: each input's own model, or one of the two for everything.
CHOICES = (AUTO, EMNIST, PEN)
#: Which model reads pictures by default: chosen by ``python -m bench pictures`` on validation writers (UNIPEN
#: and UJI writers held out of training, drawn as pictures) and EMNIST validation images, never on test writers.
PICTURES = PEN
NAMES = {EMNIST: "EMNIST Balanced model", PEN: "pen-tuned model"}
Input = Literal["strokes", "picture"]


class UnknownModel(ValueError):
    """A caller named a model this Space does not serve."""


@dataclass
class ServedModels:
    emnist: Classifier
    pen: Classifier | None = None  # None: the repo has no pen variant, and the EMNIST model reads strokes too
    pictures: str = PICTURES

    @classmethod
    def load(cls, source: str | os.PathLike | None = None, **options) -> ServedModels:
        """Both models of a repo or folder (options as ``Classifier.load``); a repo made before variants serves
        its EMNIST model for everything."""
        emnist = Classifier.load(source, **options)
        try:  # the repo's word models serve both
            pen = dataclasses.replace(
                Classifier.load(source, variant=PEN, words=False, **options),
                words=emnist.words,
                word_pictures=emnist.word_pictures,
            )
        except VariantMissing as exc:
            log.info("%s", exc)
            pen = None
        return cls(emnist, pen)

    def variant(self, choice: str | None, given: Input) -> str:
        """The model that answers ``given`` input: the one named, else that input's own."""
        choice = choice or AUTO
        if choice not in CHOICES:
            raise UnknownModel(f"model must be one of {', '.join(CHOICES)}, not {choice!r}.")
        if choice == AUTO:
            choice = PEN if given == "strokes" else self.pictures
        return choice if choice == EMNIST or self.pen is not None else EMNIST

    def classifier(self, choice: str | None, given: Input) -> Classifier:
        return self.reader(choice, given)[1]

    def reader(self, choice: str | None, given: Input) -> tuple[str, Classifier]:
        """(the variant that answers ``given`` input, its classifier)."""
        variant = self.variant(choice, given)
        return variant, self.pen if variant == PEN else self.emnist

    @property
    def home(self) -> Classifier:
        """The model a writer's memory belongs to: the one that reads their pen strokes."""
        return self.pen or self.emnist

    @property
    def warnings(self) -> list[str]:
        return [*self.emnist.warnings, *(self.pen.warnings if self.pen else [])]
