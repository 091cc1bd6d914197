"""Copy the small, attributed samples the tests use from ../shared/data into tests/data (a maintainer's tool).

Run: python scripts/make_test_samples.py [--shared ../shared/data]. Seeded: rerunning writes the same files.
The project never reads ../shared at run time; tests that need more than these samples skip without it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from model.labels import NUM_CLASSES
from train import pen
from train.emnist import SAMPLE_FILE, read_folder

ROOT = Path(__file__).resolve().parents[1]


OUT = ROOT / "tests" / "data"
EMNIST_PER_CLASS = 21  # 987 images
PEN_PER_DIGIT = 30  # 300 drawings
SEED = 2026
# Real pen digits that an earlier non-character rule refused (slashed zeros drawn over themselves, an 8 with an
# extra curl, faint 1s, an 8 whose loops a fat finger closes): kept as a regression set for model/ink/rejection.py.
PEN_HARD_CASES = (98, 99, 134, 140, 976, 1023)
WRITERS = 8  # every drawing of this many writers (two of each digit): what learning one writer is tested on
UNIPEN_PER_CATEGORY = 120  # 360 UNIPEN characters of the pen test writers (digits, capitals, lowercase letters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)

    splits = read_folder(args.shared / "emnist-47")
    keep = np.sort(
        np.concatenate(
            [
                rng.choice(np.flatnonzero(splits.y_test == c), EMNIST_PER_CLASS, replace=False)
                for c in range(NUM_CLASSES)
            ]
        )
    )
    np.savez_compressed(
        SAMPLE_FILE,
        images=splits.x_test[keep],
        labels=splits.y_test[keep].astype(np.uint8),
        test_indices=keep.astype(np.int32),
    )

    drawings = json.loads((args.shared / "uji-pen-digits" / "strokes.json").read_text())
    chosen = []
    for digit in "0123456789":
        candidates = [d for d in drawings if d["label"] == digit]
        chosen += [candidates[i] for i in sorted(rng.choice(len(candidates), PEN_PER_DIGIT, replace=False))]
    (OUT / "uji_pen_digits_sample.json").write_text(json.dumps(chosen, separators=(",", ":")) + "\n")
    hard = [drawings[i] for i in PEN_HARD_CASES]
    (OUT / "uji_pen_hard_cases.json").write_text(json.dumps(hard, separators=(",", ":")) + "\n")
    writers = sorted(rng.choice(sorted({d["writer"] for d in drawings}), WRITERS, replace=False).tolist())
    theirs = [d for d in drawings if d["writer"] in writers]
    (OUT / "uji_pen_writers_sample.json").write_text(json.dumps(theirs, separators=(",", ":")) + "\n")
    unipen = unipen_sample(args.shared / "unipen" / "chars.jsonl.gz", np.random.default_rng(SEED + 1))
    print(
        f"wrote {len(unipen)} UNIPEN characters, {len(keep)} EMNIST test images, {len(chosen)} + {len(hard)} + {len(theirs)} pen drawings "
        f"(writers {writers}) to {OUT}"
    )


def unipen_sample(path: Path, rng: np.random.Generator) -> list[str]:
    """UNIPEN_PER_CATEGORY characters of each category from the pen test writers, as the source's own lines."""
    import gzip

    with gzip.open(path, "rt", encoding="utf-8") as lines:
        rows = [line for line in lines if json.loads(line)["contributor"] in pen.TEST_CONTRIBUTORS]
    chosen = []
    for category in pen.CATEGORIES:
        theirs = [row for row in rows if json.loads(row)["cat"] == category]
        chosen += [theirs[i] for i in sorted(rng.choice(len(theirs), UNIPEN_PER_CATEGORY, replace=False))]
    (OUT / "unipen_chars_sample.jsonl").write_text("".join(chosen))
    return chosen


if __name__ == "__main__":
    main()
