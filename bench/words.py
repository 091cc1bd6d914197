"""Reading whole words and numbers.

Real handwritten words first: UNIPEN words of the word test writers (``train.pen.WORD_TEST_CONTRIBUTORS``: no
model, word list or search weight was trained or chosen on them), mostly joined-up, placed on the 720x288 word pad
as someone would write them and read by ``Classifier.read_strokes`` with the English word list and without it,
and as a picture of the same ink by ``Classifier.read``. Words are compared ignoring case. Reported: word accuracy,
top-5 (the reading's ``candidates``), character error rate (edit distance over the true word's length), inside
and outside the word list, by UNIPEN category, the spread over writers, and the time a word takes.

Then strings composed from real characters written apart, read end to end by Classifier.read:

Strings of 3-7 characters are made from real EMNIST test glyphs (the committed sample: letter words and digit
runs) and from real pen-drawn digits (numbers drawn on a canvas), with realistic jitter: character size
(±15%), baseline (±8% of the height), and gaps from one stroke width to half a character. The pen-drawn numbers
are also read as the word pad sends them (``Classifier.read_strokes``): the same strings, each digit's trajectory
mapped exactly onto where its picture was pasted, so segmentation comes from the strokes. Reported: segmentation
(right number of characters, every box where the character is), character accuracy before and after context,
whole-string accuracy, and the accuracy of the same characters read alone.
"""

from __future__ import annotations

import numpy as np

from harness import data
from harness.drawings import raster
from harness.strings import as_pad_strokes, compose, emnist_ink, overlap, pen_ink
from model.classifier import Classifier
from model.labels import LABELS, LOWERCASE_CLASSES
from train.evaluate import cer

from .common import table

LETTERS = [i for i, c in enumerate(LABELS) if not c.isdigit()]
DIGITS = list(range(10))


def sample_words(words: list, count: int, seed: int = 5) -> list:
    """``count`` words, seeded, as evenly over the writers as their words allow."""
    rng = np.random.default_rng(seed)
    by_writer: dict[str, list] = {}
    for w in words:
        by_writer.setdefault(w.writer, []).append(w)
    queues = [list(rng.permutation(len(v))) for v in by_writer.values()]
    chosen, writers = [], list(by_writer.values())
    while len(chosen) < min(count, len(words)):
        for theirs, queue in zip(writers, queues):
            if queue and len(chosen) < count:
                chosen.append(theirs[queue.pop()])
    return chosen


def unipen(classifier: Classifier, quick: bool = False, count: int | None = None, pictures: bool = True) -> dict:
    """UNIPEN's word test writers through the word pad and as pictures (see the module's docstring)."""
    import time

    from harness.drawings import word_placing
    from model.ink.canvas import WORD_CANVAS, pad_value
    from model.words.lexicon import english

    words, name = data.pen_words("test", full=False if quick else None)
    words = sample_words(words, count or (40 if quick else 1500))
    english_words = english()
    classifier.read_strokes(pad_value([[[0, 0], [10, 10]]], canvas=WORD_CANVAS))  # the word list, built once
    rng = np.random.default_rng(23)
    rows = []
    for w in words:
        placing = word_placing(list(w.strokes), rng)
        value = pad_value(list(w.strokes), canvas=WORD_CANVAS, **placing)
        start = time.perf_counter()
        reading = classifier.read_strokes(value)
        seconds = time.perf_counter() - start
        bare = classifier.read_strokes(value, dictionary=False)
        row = {
            "truth": w.text,
            "category": w.category,
            "writer": w.writer,
            "in_lexicon": w.text.lower() in english_words,
            "read": reading.text,
            "candidates": [c.text for c in reading.candidates],
            "no_lexicon": bare.text,
            "ms": round(1e3 * seconds, 2),
        }
        if pictures:
            picture = raster(list(w.strokes), brush=6, canvas=WORD_CANVAS, **placing)
            row["picture"] = classifier.read(picture).text
        rows.append(row)
    return {"data": name, "words": len(rows), **_word_scores(rows)}


def _word_scores(rows: list[dict]) -> dict:
    def right(r, key="read"):
        return r[key].lower() == r["truth"].lower()

    def scores(subset: list[dict]) -> dict:
        if not subset:
            return {"words": 0}
        out = {
            "words": len(subset),
            "accuracy": round(float(np.mean([right(r) for r in subset])), 4),
            "top5": round(
                float(np.mean([r["truth"].lower() in [c.lower() for c in r["candidates"]] for r in subset])), 4
            ),
            "cer": round(float(np.mean([cer(r["read"], r["truth"]) for r in subset])), 4),
            "accuracy_no_lexicon": round(float(np.mean([right(r, "no_lexicon") for r in subset])), 4),
            "cer_no_lexicon": round(float(np.mean([cer(r["no_lexicon"], r["truth"]) for r in subset])), 4),
        }
        if "picture" in subset[0]:
            out["accuracy_picture"] = round(float(np.mean([right(r, "picture") for r in subset])), 4)
            out["cer_picture"] = round(float(np.mean([cer(r["picture"], r["truth"]) for r in subset])), 4)
        return out

    by_writer: dict[str, list] = {}
    for r in rows:
        by_writer.setdefault(r["writer"], []).append(right(r))
    per_writer = [float(np.mean(v)) for v in by_writer.values() if len(v) >= 5]
    ten = [r["ms"] for r in rows if len(r["truth"]) == 10]
    return {
        "all": scores(rows),
        "in_lexicon": scores([r for r in rows if r["in_lexicon"]]),
        "outside_lexicon": scores([r for r in rows if not r["in_lexicon"]]),
        "one_character": scores([r for r in rows if len(r["truth"]) == 1]),
        "lexicon_coverage": round(float(np.mean([r["in_lexicon"] for r in rows])), 4),
        "by_category": {
            c: scores([r for r in rows if r["category"] == c]) for c in sorted({r["category"] for r in rows})
        },
        "writers": len(by_writer),
        "writer_accuracy_percentiles": [round(float(np.percentile(per_writer, q)), 4) for q in (10, 50, 90)]
        if per_writer
        else None,
        "ms_median": round(float(np.median([r["ms"] for r in rows])), 2),
        "ms_median_10_letters": round(float(np.median(ten)), 2) if ten else None,
        "ten_letter_words": len(ten),
        "examples": rows[:40],
    }


def run(model=None, variant: str | None = None, quick: bool = False, strings: int | None = None) -> dict:
    classifier = Classifier.load(model, variant=variant)
    joined = unipen(classifier, quick)
    images, labels = data.emnist_sample()
    by_class = {c: np.flatnonzero(labels == c) for c in range(len(LABELS))}
    pen, _ = data.pen_drawings(full=False)
    pen_by_digit = {d: [p for p in pen if p["label"] == str(d)] for d in range(10)}
    count = strings or (20 if quick else 300)
    rng = np.random.default_rng(11)
    kinds = {
        "EMNIST letter words": [],
        "EMNIST digit runs": [],
        "pen-drawn numbers": [],
        "pen-drawn numbers, as pad strokes": [],
    }
    for kind in list(kinds)[:3]:
        for _ in range(count):
            length = int(rng.integers(3, 8))
            if kind == "pen-drawn numbers":
                digits = rng.integers(0, 10, length)
                chosen = [pen_by_digit[d][rng.integers(len(pen_by_digit[d]))] for d in digits]
                pens = [pen_ink(p["strokes"], rng) for p in chosen]
                inks, truth = [p[0] for p in pens], [LABELS[d] for d in digits]
            else:
                classes = rng.choice(LETTERS if kind == "EMNIST letter words" else DIGITS, length)
                inks = [emnist_ink(images[rng.choice(by_class[c])]) for c in classes]
                truth = [LABELS[c] for c in classes]
            picture, boxes = compose(inks, rng)
            alone = [classifier.predict(compose([ink], rng)[0]).label for ink in inks]
            kinds[kind].append(_row(classifier.read(picture, dictionary=False), truth, boxes, alone))
            if kind == "pen-drawn numbers":
                word, singles = as_pad_strokes(pens, boxes, (picture.shape[1], picture.shape[0]))
                alone = [classifier.predict_strokes(one).label for one in singles]
                kinds["pen-drawn numbers, as pad strokes"].append(
                    _row(classifier.read_strokes(word, dictionary=False), truth, boxes, alone)
                )
    return {
        "model": classifier.source,
        "unipen": joined,
        "strings_per_kind": count,
        "kinds": {k: summarise(v) for k, v in kinds.items()},
    }


def _row(reading, truth: list[str], boxes: list, alone: list[str]) -> dict:
    characters = reading.characters
    segmented = len(characters) == len(truth) and all(overlap(c.box, b) > 0.5 for c, b in zip(characters, boxes))
    return {
        "truth": truth,
        "segmented": segmented,
        "raw": [c.raw_label for c in characters],
        "context": [c.label for c in characters],
        "alone": alone,
    }


def _same(a: str, b: str) -> bool:
    """One character read as another, case aside (a word's reading settles case for the whole word)."""
    return a.lower() == b.lower()


def summarise(rows: list[dict]) -> dict:
    segmented = [r for r in rows if r["segmented"]]
    total = sum(len(r["truth"]) for r in segmented)

    def accuracy(key):
        return round(sum(sum(_same(p, t) for p, t in zip(r[key], r["truth"])) for r in segmented) / max(1, total), 4)

    return {
        "strings": len(rows),
        "segmentation_right": round(len(segmented) / len(rows), 4),
        "characters": total,
        "alone": accuracy("alone"),
        "in_string_raw": accuracy("raw"),
        "in_string_context": accuracy("context"),
        "whole_string_context": round(
            sum(all(_same(p, t) for p, t in zip(r["context"], r["truth"])) for r in segmented) / max(1, len(rows)), 4
        ),
        "lowercase_share": round(
            sum(t in LOWERCASE_CLASSES for r in rows for t in r["truth"]) / max(1, sum(len(r["truth"]) for r in rows)),
            3,
        ),
    }


def unipen_report(result: dict) -> str:
    u = result["unipen"]

    def pct(value):
        return "–" if value is None else f"{100 * value:.1f}%"

    def line(name, sc):
        if not sc.get("words"):
            return [name, 0, *["–"] * 8]
        return [
            name,
            sc["words"],
            pct(sc["accuracy"]),
            pct(sc["top5"]),
            f"{sc['cer']:.3f}",
            pct(sc["accuracy_no_lexicon"]),
            f"{sc['cer_no_lexicon']:.3f}",
            pct(sc.get("accuracy_picture")),
            "–" if sc.get("cer_picture") is None else f"{sc['cer_picture']:.3f}",
        ]

    rows = [line("all", u["all"]), line("in the word list", u["in_lexicon"]), line("outside it", u["outside_lexicon"])]
    rows += [line("one character", u["one_character"])] if u.get("one_character", {}).get("words") else []
    rows += [line(f"UNIPEN category {c}", sc) for c, sc in u["by_category"].items()]
    spread = u["writer_accuracy_percentiles"]
    return (
        f"Model `{result['model']}`: {u['data']}, {u['words']:,} words of {u['writers']} writers (seeded, spread over "
        "the writers), placed on the 720x288 word pad as someone would write them and read by "
        "`Classifier.read_strokes` (the word list: English, `model/words/lexicon.py`; without it: the character model "
        "alone), and as a picture of the same ink by `Classifier.read`. Case ignored.\n\n"
        + table(
            rows,
            [
                "words",
                "count",
                "word accuracy",
                "top-5 (candidates)",
                "character error rate",
                "word accuracy, no word list",
                "character error rate, no word list",
                "word accuracy, picture",
                "character error rate, picture",
            ],
        )
        + f"\n\nThe word list holds {pct(u['lexicon_coverage'])} of these words. Writers (5 words or more): "
        + (
            "–"
            if spread is None
            else f"10th / 50th / 90th percentile of word accuracy {' / '.join(pct(v) for v in spread)}"
        )
        + f". Time per word in process (pad strokes to text, with the word list): median {u['ms_median']} ms; "
        + f"10-letter words ({u['ten_letter_words']}): median {u['ms_median_10_letters']} ms."
    )


def report(result: dict) -> str:
    head = unipen_report(result) + "\n\n" if "unipen" in result else ""
    return head + _strings_report(result)


def _strings_report(result: dict) -> str:
    rows = [
        [
            kind,
            r["strings"],
            f"{100 * r['segmentation_right']:.1f}%",
            f"{100 * r['alone']:.1f}%",
            f"{100 * r['in_string_raw']:.1f}%",
            f"{100 * r['in_string_context']:.1f}%",
            f"{100 * r['whole_string_context']:.1f}%",
        ]
        for kind, r in result["kinds"].items()
    ]
    return (
        "Strings of 3-7 real characters written apart (random, not words: read without the word list), read by "
        "`Classifier.read` (pictures) and `Classifier.read_strokes` (the same pen-drawn numbers as the word pad "
        "sends them). Character accuracies are over the strings segmented right, case aside.\n\n"
        + table(
            rows,
            [
                "strings",
                "count",
                "segmented right",
                "characters read alone",
                "in the string, no context",
                "in the string, with context",
                "whole string right",
            ],
        )
    )
