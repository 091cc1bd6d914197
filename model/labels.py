"""The 47 EMNIST Balanced classes: the single source of truth for index <-> character.

EMNIST Balanced merges 15 lowercase letters into their uppercase twins because the two are
hard to tell apart when handwritten (c/C, o/O, ...). Only 11 lowercase letters keep a class.
"""

from __future__ import annotations

import string

import numpy as np

NUM_CLASSES = 47

#: Lowercase letters that keep their own class in EMNIST Balanced.
LOWERCASE_CLASSES = "abdefghnqrt"

#: Lowercase letters folded into the uppercase class (a drawn "c" is reported as "C").
MERGED_LOWERCASE = "".join(c for c in string.ascii_lowercase if c not in LOWERCASE_CLASSES)

#: Index -> character, in the order of ``emnist-balanced-mapping.txt``.
LABELS: tuple[str, ...] = tuple(string.digits + string.ascii_uppercase + LOWERCASE_CLASSES)

#: Groups of classes that even people confuse in EMNIST; the app warns when the top guess is in one.
AMBIGUOUS_GROUPS: tuple[frozenset[str], ...] = (
    frozenset("O0D"),
    frozenset("1IL"),
    frozenset("S5"),
    frozenset("Z2"),
    frozenset("g9q"),
    frozenset("B8"),
    frozenset("G6"),
    frozenset("Ff"),
    frozenset("UV"),
)

assert len(LABELS) == NUM_CLASSES

#: What a person can say they are writing ("Anything" is None: all 47 classes).
DIGITS = string.digits
LETTERS = string.ascii_uppercase + LOWERCASE_CLASSES
KINDS = {"Anything": None, "Digits": DIGITS, "Letters": LETTERS}


class UnknownCharacter(ValueError):
    """A character that is none of the 47 classes; the message says which, for the person who typed it."""


def index_of(char: str) -> int:
    """Class index for a character; merged lowercase letters map to their uppercase class."""
    if char in MERGED_LOWERCASE:
        char = char.upper()
    try:
        return LABELS.index(char)
    except ValueError:
        raise UnknownCharacter(
            f"{char!r} is not one of the 47 EMNIST Balanced classes (digits, A-Z and "
            f"{' '.join(LOWERCASE_CLASSES)}; other lowercase letters count as their capitals)."
        ) from None


def allowed_mask(allowed: str | None) -> np.ndarray | None:
    """The classes a person says they are writing, as a boolean mask over the 47 (None: all of them). ``allowed``
    is a string of characters ("0123456789", "AbC"); spaces are ignored, merged lowercase letters count as their
    class, anything else is an UnknownCharacter."""
    if allowed is None:
        return None
    if not isinstance(allowed, str):
        raise UnknownCharacter('allowed must be a string of characters, such as "0123456789".')
    mask = np.zeros(NUM_CLASSES, dtype=bool)
    for char in allowed:
        if not char.isspace():
            mask[index_of(char)] = True
    if not mask.any():
        raise UnknownCharacter('allowed names no character: give at least one, such as "0123456789".')
    return mask


def restrict(probabilities: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Probabilities (..., 47) renormalised over the allowed classes, the others zero."""
    if mask is None:
        return probabilities
    kept = np.where(mask, probabilities, 0.0)
    total = kept.sum(axis=-1, keepdims=True)
    return (kept / np.where(total > 0, total, 1.0)).astype(probabilities.dtype)


def ambiguous_with(char: str) -> frozenset[str]:
    """Other classes easily confused with ``char`` (empty when it is unambiguous)."""
    return frozenset().union(*(g for g in AMBIGUOUS_GROUPS if char in g)) - {char}


def parse_mapping(text: str) -> tuple[str, ...]:
    """Parse an EMNIST mapping file into labels, so a downloaded one can be checked against ours."""
    pairs = sorted((int(i), chr(int(code))) for i, code in (line.split() for line in text.split("\n") if line.strip()))
    if [i for i, _ in pairs] != list(range(len(pairs))):
        raise ValueError("mapping file indices are not 0..N-1")
    return tuple(c for _, c in pairs)
