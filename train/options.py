"""Command-line options made from a recipe's fields, so that each knob's default, type and help live once, on the
field (``option``), and a command's parser and its recipe never drift apart."""

from __future__ import annotations

import argparse
from dataclasses import MISSING, Field, field, fields
from typing import Any

_TYPES = {"int": int, "float": float, "str": str, "str | None": str}


def option(default: Any = MISSING, *, help: str, flag: str | None = None, factory: Any = MISSING, **argparse_extra):
    """A recipe field that is also a command-line option (``flag``: its name there, else ``--field-name``)."""
    metadata = {"help": help, "flag": flag, "extra": argparse_extra}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def _flag(f: Field) -> str:
    return f.metadata["flag"] or "--" + f.name.replace("_", "-")


def add_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, recipe: type) -> None:
    """One option per field of ``recipe`` made with ``option``; lists take one or more values, bools are switches."""
    for f in fields(recipe):
        if "help" not in f.metadata:
            continue
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        kind = str(f.type)
        extra = dict(f.metadata["extra"])
        if kind == "bool":
            extra.update(action="store_true")
        elif kind.startswith("list["):
            extra.update(nargs="+", type=_TYPES[kind[5:-1]])
        else:
            extra.update(type=_TYPES[kind])
        parser.add_argument(_flag(f), dest=f.name, default=default, help=f.metadata["help"], **extra)


def recipe_from(recipe: type, args: argparse.Namespace, **overrides):
    """The recipe the parsed options describe (``overrides``: fields a command derives from other options)."""
    chosen = {f.name: getattr(args, f.name) for f in fields(recipe) if "help" in f.metadata}
    return recipe(**{**chosen, **overrides})
