"""How a model is trained, as data: the recipe ``python -m train`` records in metrics.json and the model card.

No TensorFlow here, so ``python -m train --help`` answers at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from .options import option
from .pen import TEST_CONTRIBUTORS


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
    epochs: int = option(30, help="epochs (the learning-rate schedule spans all of them)")
    batch_size: int = option(128, help="global batch size")
    learning_rate: float = option(2e-3, help="Adam learning rate (peak)")
    schedule: str = option(
        "cosine", help="learning-rate schedule", flag="--lr-schedule", choices=["cosine", "constant"]
    )
    augment: str = option(
        "light",
        help="on-the-fly augmentation strength (chosen by python -m bench ablation)",
        choices=list(AUGMENTATIONS),
    )
    label_smoothing: float = option(0.0, help="label smoothing of the one-hot targets")
    imbalance: str = option(
        "prior",
        help="class imbalance handling: " + "; ".join(f"{k}: {v}" for k, v in IMBALANCE.items()),
        choices=list(IMBALANCE),
    )
    ema: float = option(0.0, help="momentum of the weights' moving average (e.g. 0.999); 0 = off")
    distill: float = 0.0  # weight of a teacher's soft targets in the loss; 0 = no teacher (python -m train: --distill)
    patience: int = option(0, help="early stopping patience in epochs (on validation balanced accuracy); 0 = none")
    seed: int = option(42, help="seed for the split, sampling, augmentation and initialisation")
    init_from: str | None = option(
        None, help="fine-tune: start from this model (path, folder or Hub repo id with a .keras file)"
    )
    teachers: list[str] = field(default_factory=list)  # models whose averaged output is distilled (--teacher)
    synthetic_mix: float = option(
        0.0, help="add generated font glyphs to the training split, this share of its size (0 = none)"
    )
    style_mix: float = option(
        0.0,
        help="add styled copies (crossed 7s and Zs, slashed 0s, flagged 1s) at this multiple of the rates in "
        "train/styles.py (0 = none)",
    )
    pen_data: list[str] = option(
        help="add real pen characters, drawn as the pad delivers them (train/pen.py): UJI Pen Characters (.json) "
        "and/or UNIPEN (.jsonl or .jsonl.gz) files",
        factory=list,
        metavar="FILE",
    )
    pen_writers: str = option(
        "0-29,unipen",
        help="with --pen-data: only these writers: UJI writer ranges (0-29), UNIPEN contributor codes (apa,apb), or "
        f"'unipen' for every UNIPEN contributor outside the pen test set ({', '.join(TEST_CONTRIBUTORS)} and UJI "
        "writers 30-59, which are refused)",
    )
    pen_repeat: list[int] = option(
        help="with --pen-data: each training character this many times; one count per file, or one for all (0: the "
        "file's held-out writers join the validation split, nothing is trained on)",
        factory=lambda: [10],
    )
    pen_categories: str = option(
        "digits,uppercase,lowercase,from-words",
        help="with --pen-data: only these kinds of character (digits, uppercase, lowercase, from-words: letters cut "
        "from whole words by python -m train.word_letters)",
    )
    pen_validation: float = option(
        0.15,
        help="with --pen-data: this share of each contributor's writers is held out, whole, and joins the validation "
        "split (calibration, test-time views and the card's validation numbers read it)",
    )
    refit_on_validation: bool = option(
        False,
        help="after choosing the calibration on the validation split, train once more on train + validation "
        "(twice the time; the validation score reported is the first run's)",
    )

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
