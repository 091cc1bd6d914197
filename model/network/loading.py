"""Find a model and open it for inference: a file, a folder laid out like the model repo, a Hub repo id,
``$EMNIST_MODEL``, or the bundled default; in a repo or folder, the EMNIST model or a variant (``files.VARIANTS``).

Hub downloads go through huggingface_hub's cache (bounded in time, see ``hub``), so a model loaded once loads
again offline. The LiteRT serving file is preferred; a repo or folder with only a .keras file runs on Keras,
loaded in safe mode (no code from a downloaded file runs).
"""

from __future__ import annotations

import logging
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from model.ink.preprocess import PREPROCESSING_VERSION
from model.network import hub
from model.network.files import (
    DEFAULT_VARIANT,
    INFERENCE_FILES,
    KERAS_DIR_FILES,
    KERAS_FILE,
    METRICS_FILE,
    SERVING_FILE,
    WORD_INFERENCE_FILES,
    WORD_PICTURES_FOLDER,
    WORDS_FOLDER,
    repo_paths,
    sha256,
    variant_folder,
)
from model.network.metrics import ModelMetrics
from model.network.runtime import Engine, EngineError, KerasEngine, LiteRTEngine, litert_available
from model.network.views import Views
from model.network.word_model import READS_PEN, READS_PICTURES, WordModel, WordModelError

log = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "default"
ENV_VAR = "EMNIST_MODEL"  # a Hub repo id or local path, used when no source is given
FINGERPRINT_CHARS = 16


class ModelLoadError(RuntimeError):
    """The model could not be found or read. ``str()`` has the detail for logs; ``reason`` is one short
    sentence for a public page (no server paths, no library internals)."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason or message


class VariantMissing(ModelLoadError):
    """The repo or folder holds its EMNIST model but not the variant asked for (a repo from before variants)."""


def _variant(variant: str | None) -> str:
    try:
        return variant_folder(variant)
    except ValueError as exc:
        raise ModelLoadError(str(exc)) from None


@dataclass
class LoadedModel:
    engine: Engine
    metrics: ModelMetrics
    folder: Path
    source: str  # as people should read it: "bundled default", a repo id, or the path they gave
    fingerprint: str = ""  # the start of the served file's SHA-256: what a WriterMemory is bound to
    warnings: list[str] = field(default_factory=list)
    views: Views = field(default_factory=Views)
    variant: str = DEFAULT_VARIANT
    words: WordModel | None = None  # the repo's pen word model (its words/ folder), if it has one
    word_pictures: WordModel | None = None  # the repo's picture word model (its word_pictures/ folder), if any


def configured_source(source: str | os.PathLike | None = None) -> str | None:
    """The model a caller asked for: the explicit source, else $EMNIST_MODEL, else None (the bundled default)."""
    chosen = source if source not in (None, "") else os.environ.get(ENV_VAR) or None
    return None if chosen is None else str(chosen)


def resolve(
    source: str | os.PathLike | None = None, revision: str | None = None, variant: str | None = None, **hub_options
) -> Path:
    """The local file or folder holding the model (downloading a Hub repo into the HF cache if needed); for a
    variant, its subfolder of the repo or folder (VariantMissing where there is none)."""
    subfolder = _variant(variant)
    chosen = configured_source(source)
    if chosen is None:
        return _within(DEFAULT_DIR, subfolder, variant, "the bundled model")
    path = Path(chosen).expanduser()
    if path.exists():
        if path.is_file() and subfolder:
            raise ModelLoadError(
                f"{chosen} is one model file; variant {variant!r} is a subfolder of a model folder or repo.",
                "A single model file has no variants: give its folder or repo.",
            )
        return _within(path, subfolder, variant, chosen)
    looks_local = path.suffix in (".keras", ".tflite") or (str(path.parent) != "." and path.parent.is_dir())
    if looks_local or not hub.is_repo_id(chosen):
        raise ModelLoadError(
            f"No model at {chosen}: no such file or folder.", "The configured model file or folder does not exist."
        )
    try:
        snapshot = hub.snapshot(
            chosen,
            revision=revision,
            allow_patterns=[*repo_paths(variant, INFERENCE_FILES), *WORD_INFERENCE_FILES],
            **hub_options,
        )
    except hub.HubError as exc:
        raise ModelLoadError(
            f"{chosen!r} is not a local folder, and as a Hub model repo: {exc}",
            f"No local folder {chosen!r}; as a Hub repo: {exc.reason}",
        ) from exc
    return _within(snapshot, subfolder, variant, chosen)


def _within(folder: Path, subfolder: str, variant: str | None, described: str) -> Path:
    if not subfolder:
        return folder
    if not (folder / subfolder).is_dir():
        raise VariantMissing(
            f"{described} holds no {variant!r} variant (no {subfolder}/ folder in {folder}).",
            f"This model repo has no {variant} model.",
        )
    return folder / subfolder


def open_engine(path: str | os.PathLike) -> tuple[Engine, Path, str]:
    """The engine for a model file or folder, the folder its metrics.json would be in, and the fingerprint of the
    file it runs (the weights file, for Keras' unzipped layout)."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if path.is_dir():
        candidates = [folder / SERVING_FILE, folder / KERAS_FILE]
        if all((folder / name).is_file() for name in KERAS_DIR_FILES[:2]):
            candidates.append(folder)  # Keras' unzipped layout
    else:
        candidates = [path]
    present = [c for c in candidates if c.exists()]
    if not present:
        raise ModelLoadError(
            f"No model in {folder}: expected {SERVING_FILE} or {KERAS_FILE}.", "The model folder holds no model file."
        )
    serving = [c for c in present if c.suffix == ".tflite"]
    others = [c for c in present if c.suffix != ".tflite"]
    if serving and (litert_available() or not others):
        target = serving[0]
    else:
        if serving:
            log.info("LiteRT is not installed here; serving %s through Keras", others[0].name)
        target = others[0]
    fingerprint = sha256(target / KERAS_DIR_FILES[1] if target.is_dir() else target)[:FINGERPRINT_CHARS]
    try:
        if target.suffix == ".tflite":
            if not litert_available():
                raise EngineError(
                    "LiteRT is not installed: pip install -r requirements.txt",
                    "LiteRT is not installed on this server.",
                )
            return LiteRTEngine(target), folder, fingerprint
        if target.suffix == ".keras" and not zipfile.is_zipfile(target):
            raise EngineError(
                f"{target} is not a .keras archive (truncated, corrupt, or a Git LFS pointer?)",
                "The model file is damaged (truncated, corrupt, or a Git LFS pointer).",
            )
        return KerasEngine.load(target), folder, fingerprint
    except EngineError as exc:
        raise ModelLoadError(f"{target}: {exc}", exc.reason) from exc


def load(
    source: str | os.PathLike | None = None,
    revision: str | None = None,
    variant: str | None = None,
    words: bool = True,
    **hub_options,
) -> LoadedModel:
    """Resolve, open and describe a model (and, with ``words``, the repo's word model); see ``Classifier.load``."""
    chosen = configured_source(source)
    path = resolve(chosen, revision, variant, **hub_options)
    engine, folder, fingerprint = open_engine(path)
    metrics = ModelMetrics.load(folder / METRICS_FILE)
    root = folder.parent if variant_folder(variant) else folder
    described = "bundled default" if root.resolve() == DEFAULT_DIR else str(chosen)
    if variant_folder(variant):
        described += f" ({variant})"
    warnings = []
    if metrics.preprocessing and metrics.preprocessing != PREPROCESSING_VERSION:
        warnings.append(
            f"This model was made for preprocessing version {metrics.preprocessing}, and this code runs "
            f"version {PREPROCESSING_VERSION}: its answers on drawings may be off. Retrain or update it."
        )
    elif metrics.known and not metrics.preprocessing:
        log.info("%s does not record the preprocessing version it was made for", described)
    if metrics.missing:
        log.info("%s: metrics.json lacks %s", described, ", ".join(metrics.missing))
    views = Views.recorded(metrics.views.transforms, metrics.views.temperature)
    if views is None:
        views = Views()
        warnings.append("Its metrics.json names test-time views this code does not accept; serving the glyph alone.")
    word_models = {}
    for reads, (subfolder, read_as) in {
        READS_PEN: (WORDS_FOLDER, "drawn"),
        READS_PICTURES: (WORD_PICTURES_FOLDER, "pictured"),
    }.items():
        if words and (root / subfolder).is_dir():
            try:
                word_models[reads] = WordModel.load(root / subfolder, reads)
            except WordModelError as exc:
                warnings.append(f"{exc.reason} Words {read_as} are read by cutting them into characters instead.")
                log.info("%s", exc)
    for warning in warnings:
        log.warning("%s: %s", described, warning)
    return LoadedModel(
        engine,
        metrics,
        folder,
        described,
        fingerprint,
        warnings,
        views,
        variant or DEFAULT_VARIANT,
        word_models.get(READS_PEN),
        word_models.get(READS_PICTURES),
    )
