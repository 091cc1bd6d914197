"""How a model is trained, as data: the recipe ``python -m train`` records in metrics.json and the model card.

No TensorFlow here, so ``python -m train --help`` answers at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Augment:
    rotation_deg: float = 10.0
    scale: float = 0.12  # zoom in [1 - scale, 1 + scale]
    shear: float = 0.15
    shift_px: float = 2.0
    stroke: float = 0.5  # max blend towards a 3x3 dilation or erosion
    elastic: float = 0.0  # px: scale of the smoothed displacement field (Simard et al. 2003); 0 = none
    elastic_sigma: float = 3.0  # px: its smoothness


_LIGHT = dict(rotation_deg=8.0, scale=0.08, shear=0.1, shift_px=1.5, stroke=0.25)
#: Named strengths for --augment; "strong" was tuned for font glyphs and is too strong for real handwriting.
AUGMENTATIONS: dict[str, Augment | None] = {
    "none": None,
    "mild": Augment(rotation_deg=5.0, scale=0.06, shear=0.08, shift_px=1.0, stroke=0.0),
    "light": Augment(**_LIGHT),
    "strong": Augment(),
    "elastic": Augment(rotation_deg=0.0, scale=0.0, shear=0.0, shift_px=0.0, stroke=0.0, elastic=8.0),
    "light+elastic": Augment(**_LIGHT, elastic=8.0),
}

IMBALANCE = {
    "prior": "train on the natural class mix, then subtract the log class prior from the logits (strength chosen "
    "on validation, folded into the weights)",
    "loss": "logit-adjusted loss: the log class prior is added to the logits during training only",
    "sampling": "class-balanced sampling: every class equally likely in every batch",
    "none": "no correction",
}


@dataclass
class Recipe:
    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = 2e-3
    schedule: str = "cosine"  # or "constant"
    augment: str = "light"  # a key of AUGMENTATIONS (chosen by python -m bench ablation)
    label_smoothing: float = 0.0
    imbalance: str = "prior"  # a key of IMBALANCE
    ema: float = 0.0  # momentum of Adam's moving average of the weights; 0 = off
    distill: float = 0.0  # weight of a teacher's soft targets in the loss; 0 = no teacher
    patience: int = 0  # early stopping on validation balanced accuracy; 0 = run the whole schedule
    seed: int = 42
    init_from: str | None = None
    teachers: list[str] = field(default_factory=list)  # models whose averaged output is distilled (distill > 0)
    synthetic_mix: float = 0.0  # font glyphs added to the training split, as a share of its size (pen-like strokes)
    style_mix: float = 0.0  # styled copies (crossed 7s and Zs, slashed 0s, flagged 1s) added: see train/styles.py
    pen_data: list[str] = field(default_factory=list)  # real pen characters (UJI JSON, UNIPEN JSON lines): train/pen.py
    pen_writers: str = "0-29,unipen"  # ... only these writers' (train.pen.select; never the pen test set)
    pen_repeat: list[int] = field(default_factory=lambda: [10])  # ... each character this many times, per file
    pen_categories: str = "digits,uppercase,lowercase,from-words"  # ... only these kinds (train.pen.KINDS)
    pen_validation: float = 0.15  # ... this share of each contributor's writers held out, whole, for validation
    refit_on_validation: bool = False  # a last fit on train + validation, with the calibration of the first

    def __post_init__(self):
        if self.imbalance not in IMBALANCE:
            raise ValueError(f"imbalance must be one of {sorted(IMBALANCE)}, not {self.imbalance!r}")
        if self.augment not in AUGMENTATIONS:
            raise ValueError(f"augment must be one of {sorted(AUGMENTATIONS)}, not {self.augment!r}")
        if len(self.pen_repeat) not in (1, len(self.pen_data) or 1) or min(self.pen_repeat) < 0:
            raise ValueError("pen_repeat: one count (0: validation only) for every pen file, or one for all of them")

    def pen_repeats(self) -> list[int]:
        """How many times each pen file's training characters are drawn (one count may serve every file)."""
        return self.pen_repeat * len(self.pen_data) if len(self.pen_repeat) == 1 else list(self.pen_repeat)

    @property
    def augmentation(self) -> Augment | None:
        return AUGMENTATIONS[self.augment]

    def as_dict(self) -> dict:
        """The recipe as metrics.json records it, with the augmentation's ranges spelled out; a local file (a
        model to start from or distil, pen drawings) is recorded by its name only: metrics and cards are public."""
        aug = self.augmentation

        def public(value):
            return Path(value).name if value and Path(value).expanduser().exists() else value

        record = {**asdict(self), "augmentation": None if aug is None else asdict(aug)}
        record.update(
            init_from=public(self.init_from),
            pen_data=[public(p) for p in self.pen_data],
            teachers=[public(t) for t in self.teachers],
        )
        return record
