"""What a visitor or a client may cause, and how each kind of handler answers it: the page's handlers with a
warning in their note (``ui_errors``), the API's with ``gr.Error`` (``api_errors``, what gradio_client shows as
``AppError``); anything else is logged and answered in one plain sentence (the page is public: no server paths, no
library internals)."""

from __future__ import annotations

import functools
import logging

import gradio as gr

from model.ink.preprocess import PreprocessError
from model.labels import UnknownCharacter
from model.memory import MemoryRejected
from model.served import UnknownModel
from model.words.lexicon import WordListError

from . import texts

log = logging.getLogger(__name__)


class Refused(Exception):
    """A visitor's input that gets a message instead of an answer (a bad drawing, a memory, a typed label)."""


#: What a visitor or a client may cause: answered with the exception's own message, never logged as a failure.
VISITOR_ERRORS = (PreprocessError, UnknownCharacter, MemoryRejected, WordListError, UnknownModel, Refused)


def api_errors(handler):
    """An API handler's failures as gr.Error: expected ones (bad picture, bad strokes, a character outside the
    classes) with their own message, an unexpected one logged with its traceback and answered in one plain
    sentence (the page is public: no server paths, no library internals)."""

    @functools.wraps(handler)
    def wrapped(*args):
        try:
            return handler(*args)
        except gr.Error:
            raise
        except VISITOR_ERRORS as exc:
            raise gr.Error(str(exc)) from None
        except Exception:
            log.exception("%s failed", handler.__name__)
            raise gr.Error(texts.SERVER_FAILED) from None

    return wrapped


def ui_errors(empty):
    """A UI handler never raises: a bad input becomes a warning in its answer's note, anything else a
    logged apology; the other outputs are ``empty``'s."""

    def decorate(handler):
        @functools.wraps(handler)
        def wrapped(*args):
            try:
                return handler(*args)
            except VISITOR_ERRORS as exc:
                message = f"⚠️ {exc}"
            except Exception:
                log.exception("%s failed", handler.__name__)
                message = f"⚠️ {texts.SERVER_FAILED}"
            return empty._replace(note=message)

        return wrapped

    return decorate
