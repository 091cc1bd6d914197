"""The 47 EMNIST Balanced classes: the single source of truth for index <-> character.

EMNIST Balanced merges 15 lowercase letters into their uppercase twins because the two are
hard to tell apart when handwritten (c/C, o/O, ...). Only 11 lowercase letters keep a class.
"""

from __future__ import annotations

import string

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


def index_of(char: str) -> int:
    """Class index for a character; merged lowercase letters map to their uppercase class."""
    if char in MERGED_LOWERCASE:
        char = char.upper()
    try:
        return LABELS.index(char)
    except ValueError:
        raise KeyError(f"{char!r} is not an EMNIST Balanced class") from None


def ambiguous_with(char: str) -> frozenset[str]:
    """Other classes easily confused with ``char`` (empty when it is unambiguous)."""
    return frozenset().union(*(g for g in AMBIGUOUS_GROUPS if char in g)) - {char}


def parse_mapping(text: str) -> tuple[str, ...]:
    """Parse an EMNIST mapping file into labels, so a downloaded one can be checked against ours."""
    pairs = sorted((int(i), chr(int(code))) for i, code in (line.split() for line in text.split("\n") if line.strip()))
    if [i for i, _ in pairs] != list(range(len(pairs))):
        raise ValueError("mapping file indices are not 0..N-1")
    return tuple(c for _, c in pairs)
