"""Which levers move the 64,851-parameter LeNet-5 on real handwriting.

Each variant is trained by the project's own pipeline (``train.fit``, then ``train.calibrate`` exactly as
``python -m train`` does), chosen on the validation split (balanced accuracy: the test split is balanced) and
reported on the test split and on the pen digits. Results are saved after every variant; a rerun skips the
variants already measured with the same recipe, so a long run (about 6 minutes per 30 epochs on 2 cores) can be
resumed. The raw models are kept in runs/ablation/ so later variants can distil from earlier ones.

    python -m bench ablation --data-dir ../shared/data/emnist-47
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from .common import RESULTS_DIR, table

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "runs" / "ablation"
TEACHER = str(ROOT / "runs" / "teacher" / "teacher.keras")  # python -m train.teacher --output-dir runs/teacher
PEN_DATA = str(ROOT.parent / "shared" / "data" / "uji-pen-digits" / "strokes.json")  # harness.data.PEN_FULL
UNIPEN = str(ROOT.parent / "shared" / "data" / "unipen" / "chars.jsonl.gz")  # harness.data.UNIPEN_CHARS
#: Letters cut from UNIPEN training writers' words by the "+ UNIPEN characters x2" row's network:
#: python -m train.word_letters --words ../shared/data/unipen/words.jsonl.gz --max-words 12000
#:     --model runs/ablation/unipen-characters-x2.keras --output runs/word_letters.jsonl.gz
WORD_LETTERS = str(ROOT / "runs" / "word_letters.jsonl.gz")
#: A second round, from more words, cut by the network of the row that trained on the first:
#: python -m train.word_letters --words ../shared/data/unipen/words.jsonl.gz --max-words 30000
#:     --model runs/ablation/unipen-characters-x2---letters-cut-from-training-writers--words-x1.keras
#:     --output runs/word_letters_2.jsonl.gz
WORD_LETTERS_2 = str(ROOT / "runs" / "word_letters_2.jsonl.gz")
BASE = dict(augment="none")  # train.recipe.Recipe's defaults otherwise (30 epochs, batch 128, Adam 2e-3 cosine, prior)
# (name, recipe changes from BASE, teachers: names of earlier variants whose raw models are distilled)
VARIANTS: list[tuple[str, dict, list[str]]] = [
    ("font-tuned recipe: strong augmentation, no imbalance handling", dict(augment="strong", imbalance="none"), []),
    ("no augmentation, no imbalance handling", dict(imbalance="none"), []),
    ("+ prior correction (chosen on validation, folded into the weights)", {}, []),
    ("class-balanced sampling instead of prior correction", dict(imbalance="sampling"), []),
    ("logit-adjusted loss instead of prior correction", dict(imbalance="loss"), []),
    ("mild augmentation", dict(augment="mild"), []),
    ("light augmentation", dict(augment="light"), []),
    ("light augmentation + label smoothing 0.1", dict(augment="light", label_smoothing=0.1), []),
    ("light augmentation + EMA of weights (0.999)", dict(augment="light", ema=0.999), []),
    (
        "light augmentation, batch 256, learning rate 3e-3",
        dict(augment="light", batch_size=256, learning_rate=3e-3),
        [],
    ),
    ("light augmentation, 60 epochs", dict(augment="light", epochs=60), []),
    ("light augmentation + 10% synthetic font glyphs", dict(augment="light", synthetic_mix=0.1), []),
    (
        "light augmentation, 60 epochs, distilled from 4 variants above",
        dict(augment="light", epochs=60, distill=0.7),
        [
            "light augmentation",
            "light augmentation + label smoothing 0.1",
            "light augmentation + EMA of weights (0.999)",
            "light augmentation, batch 256, learning rate 3e-3",
        ],
    ),
    ("elastic distortion alone (8 px, smoothed over 3 px)", dict(augment="elastic"), []),
    ("light augmentation + elastic distortion", dict(augment="light+elastic"), []),
    (
        "light augmentation + style marks (crossed 7s and Zs, slashed 0s, flagged 1s)",
        dict(augment="light", style_mix=1.0),
        [],
    ),
    (
        "light augmentation + real pen drawings of writers 0-29 (each 10 times, as the pad delivers them)",
        dict(augment="light", pen_data=[PEN_DATA], pen_writers="0-29", pen_validation=0.0),
        [],
    ),
    (
        "light augmentation, 60 epochs, distilled from a 0.5M-parameter CNN (python -m train.teacher)",
        dict(augment="light", epochs=60, distill=0.7),
        [TEACHER],
    ),
]


#: People's letters: UNIPEN characters of every contributor outside the pen test set, besides UJI's digits. These rows
#: share one validation split (EMNIST's, plus 15% of the pen writers, held out whole, every kind of character):
#: UNIPEN is read in every row, with 0 repeats where a row trains on none of it.
PEN_BASE = dict(augment="light", pen_data=[PEN_DATA, UNIPEN], pen_categories="digits,uppercase,lowercase")
PEN_VARIANTS: list[tuple[str, dict, list[str]]] = [
    ("UJI pen digits x10 (UNIPEN only validates)", dict(pen_repeat=[10, 0]), []),
    ("+ UNIPEN characters x1", dict(pen_repeat=[10, 1]), []),
    ("+ UNIPEN characters x2", dict(pen_repeat=[10, 2]), []),
    ("+ UNIPEN characters x3", dict(pen_repeat=[10, 3]), []),
    (
        "+ UNIPEN digits and capitals x2 (no lowercase: many were cut from cursive words)",
        dict(pen_repeat=[10, 2], pen_categories="digits,uppercase"),
        [],
    ),
    (
        "+ UNIPEN characters x2 + letters cut from training writers' words x1",
        dict(
            pen_data=[PEN_DATA, UNIPEN, WORD_LETTERS],
            pen_repeat=[10, 2, 1],
            pen_categories="digits,uppercase,lowercase,from-words",
        ),
        [],
    ),
    (
        "+ UNIPEN characters x2 + letters cut again, from 30,000 words, by the row above's network x1",
        dict(
            pen_data=[PEN_DATA, UNIPEN, WORD_LETTERS_2],
            pen_repeat=[10, 2, 1],
            pen_categories="digits,uppercase,lowercase,from-words",
        ),
        [],
    ),
]


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:80]


REFIT = "the validation winner, refit on train + validation (its calibration reused)"


def _pen_scores(classifier, held, pen_test) -> dict:
    """Pen rows: accuracy on each part of the validation split (EMNIST balanced), and on the pen test set per kind
    (the pad's glyphs, 47 classes; lowercase also with letters allowed)."""
    import numpy as np

    from model.labels import LETTERS, allowed_mask, restrict
    from train.data import EMNIST_GROUP
    from train.evaluate import balanced_accuracy

    probabilities = classifier.predict_batch(held.x_val)
    scores = {}
    for name, rows in held.groups().items():
        right = probabilities[rows].argmax(1) == held.y_val[rows]
        if name == EMNIST_GROUP:
            scores["val_emnist_balanced_accuracy"] = round(balanced_accuracy(held.y_val[rows], probabilities[rows]), 5)
        else:
            scores.setdefault("val_pen", {})[name.removeprefix("pen ")] = round(float(right.mean()), 4)
    glyphs, labels, kinds = pen_test
    answers = classifier.predict_batch(glyphs)
    test = {}
    for kind in ("digits", "uppercase", "lowercase"):
        rows = kinds == kind
        test[kind] = round(float(np.mean(answers[rows].argmax(1) == labels[rows])), 4)
    lower = kinds == "lowercase"
    letters = restrict(answers[lower], allowed_mask(LETTERS)).argmax(1)
    test["lowercase, letters allowed"] = round(float(np.mean(letters == labels[lower])), 4)
    return {**scores, "unipen_test": test}


def _pen_test_glyphs():
    """The UNIPEN pen test set drawn once as the pad would deliver it: (glyphs, labels, kinds)."""
    import numpy as np

    from harness.data import pen_test_characters
    from train import pen

    characters, _ = pen_test_characters()
    glyphs, labels = pen.glyphs(characters, seed=1)
    return glyphs, labels, np.asarray([c.category for c in characters])


def _evaluate(fitted, splits, held, recipe, drawings, fixed_plan: dict | None = None, pen_test=None) -> dict:
    from bench.pen import score
    from model.classifier import Classifier
    from model.network.runtime import KerasEngine
    from train import evaluate, stages
    from train.evaluate import balanced_accuracy

    if fixed_plan is None:
        plan = stages.calibration(fitted, held, recipe)
        tau, temperature = plan.tau, plan.temperature
    else:  # the validation split was trained on: reuse the twin's calibration, report no validation score
        tau, temperature = fixed_plan["prior_correction"], fixed_plan["temperature"]
    classifier = Classifier(engine=KerasEngine(stages.calibrated(fitted, tau, temperature)))
    test = evaluate.evaluate(splits.y_test, classifier.predict_batch(splits.x_test))
    val = None if fixed_plan else round(balanced_accuracy(held.y_val, classifier.predict_batch(held.x_val)), 5)
    pen = score(classifier, drawings, 18, path="strokes")
    unseen = [d for d in drawings if d.get("writer", -1) >= 30]  # writers no recipe trains on (see train/pen.py)
    pen_unseen = score(classifier, unseen, 18, path="strokes")["top1"] if unseen else None
    return {
        "val_balanced_accuracy": val,
        "prior_correction": tau,
        "temperature": round(temperature, 4),
        "test_accuracy": test.accuracy,
        "test_balanced_accuracy": test.balanced_accuracy,
        "test_weighted_f1": test.weighted_f1,
        "test_ece": test.ece,
        "pen_top1": pen["top1"],
        "pen_top3": pen["top3"],
        "pen_path": "strokes",
        "pen_top1_writers_30_59": pen_unseen,
        **(_pen_scores(classifier, held, pen_test) if pen_test is not None else {}),
    }


def run(data_options=None, quick: bool = False, only: list[str] | None = None, out_dir: Path = RESULTS_DIR) -> dict:
    from harness.data import pen_drawings
    from train import stages
    from train.data import DataOptions, hold_out, load_splits, training_split
    from train.recipe import Recipe

    options = data_options or DataOptions()
    splits = load_splits(options)
    held = hold_out(splits.x_train, splits.y_train, options.val_fraction, options.seed)
    drawings, pen_name = pen_drawings()
    if quick:
        drawings, pen_name = drawings[::10], f"{pen_name}, every 10th"
    path = Path(out_dir) / "ablation.json"
    previous = json.loads(path.read_text()) if path.is_file() and not quick else {}
    rows = {row["name"]: row for row in previous.get("variants", []) + previous.get("pen_variants", [])}
    RUNS.mkdir(parents=True, exist_ok=True)
    variants = [(BASE, v) for v in (VARIANTS[:3] if quick else VARIANTS)]
    variants += [({**BASE, **PEN_BASE}, v) for v in ([] if quick else PEN_VARIANTS)]
    pen_test = None
    for base, (name, changes, teachers) in variants:
        if only and name not in only:
            continue
        recipe = Recipe(**{**base, **changes})
        if quick:
            recipe = replace(recipe, epochs=1)
        record = recipe.as_dict()
        if name in rows and _same_recipe(rows[name]["recipe"], record):
            if base is not BASE and not quick and rows[name].get("val_words") is None:  # measured before words were
                rows[name]["val_words"] = word_validation(RUNS / f"{_slug(name)}.keras")
                _save(path, splits, held, pen_name, rows, quick)
            continue
        start = time.perf_counter()
        if base is not BASE and pen_test is None:
            pen_test = _pen_test_glyphs()
        mixed = training_split(held, recipe, options.seed)
        fitted = stages.train(mixed, recipe, 0, _teacher_files(teachers))
        if not quick:
            fitted.model.save(RUNS / f"{_slug(name)}.keras")
        rows[name] = {
            "name": name,
            "recipe": record,
            "teachers": teachers,
            "fit_seconds": fitted.facts["train_time_s"],
            "seconds_per_epoch": fitted.facts["seconds_per_epoch"],
            **_evaluate(fitted, splits, mixed, recipe, drawings, pen_test=None if base is BASE else pen_test),
        }
        if base is not BASE and not quick:
            rows[name]["val_words"] = word_validation(RUNS / f"{_slug(name)}.keras")
        rows[name]["wall_seconds"] = round(time.perf_counter() - start, 1)
        print(
            f"{name}: {json.dumps({k: v for k, v in rows[name].items() if k not in ('recipe', 'teachers')})}",
            flush=True,
        )
        _save(path, splits, held, pen_name, rows, quick)
    if not quick and (not only or REFIT in only):
        _refit_winner(rows, splits, held, drawings, options.seed)
        _save(path, splits, held, pen_name, rows, quick)
    return _result(splits, held, pen_name, rows)


def _teacher_files(teachers: list[str]) -> list[str]:
    """Teachers as model files: earlier variants (by name, their raw models in runs/ablation) or paths."""
    return [t if t.endswith(".keras") else str(RUNS / f"{_slug(t)}.keras") for t in teachers]


def _same_recipe(stored: dict, record: dict) -> bool:
    """A stored result still describes this recipe; fields added to Recipe (or Augment) later count as their
    defaults, which leave earlier recipes unchanged."""
    from dataclasses import asdict

    from train.recipe import Augment, Recipe

    defaults = Recipe().as_dict()
    stored = dict(stored)
    if isinstance(stored.get("pen_data"), str) or "pen_validation" not in stored:  # recorded before UNIPEN came
        stored.update(
            pen_data=[stored["pen_data"]] if stored.get("pen_data") else [],
            pen_repeat=[stored.get("pen_repeat", 10)],
            pen_validation=0.0,
        )
    if not stored["pen_data"] and not record["pen_data"]:  # no pen data: how it would be chosen does not matter
        record = {k: v for k, v in record.items() if not k.startswith("pen_")}
    for key, value in record.items():
        old = stored.get(key, defaults.get(key))
        if key == "augmentation" and isinstance(old, dict):
            old = {**asdict(Augment()), **old} if value is not None else old
        if old != value:
            return False
    return True


def _save(path, splits, held, pen_name, rows, quick) -> None:
    if not quick:
        from model.atomic import write_text

        write_text(
            path, json.dumps({"benchmark": "ablation", **_result(splits, held, pen_name, rows)}, indent=2) + "\n"
        )


def _refit_winner(rows: dict, splits, held, drawings, seed: int) -> None:
    """The chosen recipe trained once more on train + validation, calibrated as its twin was."""
    from train import stages
    from train.data import training_split
    from train.recipe import Recipe

    winner = max(
        (r for r in rows.values() if r["val_balanced_accuracy"] is not None and "val_pen" not in r),
        key=lambda r: r["val_balanced_accuracy"],
    )
    if REFIT in rows and rows[REFIT]["refit_of"] == winner["name"]:
        return
    recipe = Recipe(**{k: v for k, v in winner["recipe"].items() if k != "augmentation"})
    mixed = training_split(held, recipe, seed)
    fitted = stages.refit(mixed, recipe, 0, _teacher_files(winner["teachers"]))
    rows[REFIT] = {
        "name": REFIT,
        "refit_of": winner["name"],
        "recipe": winner["recipe"],
        "teachers": winner["teachers"],
        "fit_seconds": fitted.facts["train_time_s"],
        "seconds_per_epoch": fitted.facts["seconds_per_epoch"],
        **_evaluate(fitted, splits, mixed, recipe, drawings, fixed_plan=winner),
    }
    print(
        f"{REFIT}: {json.dumps({k: v for k, v in rows[REFIT].items() if k not in ('recipe', 'teachers')})}", flush=True
    )


def _result(splits, held, pen_name: str, rows: dict) -> dict:
    ordered = [rows[n] for n, _, _ in VARIANTS if n in rows] + ([rows[REFIT]] if REFIT in rows else [])
    best = max((r for r in ordered if r["val_balanced_accuracy"] is not None), key=lambda r: r["val_balanced_accuracy"])
    pen_rows = [rows[n] for n, _, _ in PEN_VARIANTS if n in rows]
    return {
        "data": splits.info.name,
        "pen": pen_name,
        "validation": len(held.y_val),
        "variants": ordered,
        "chosen_on_validation": best["name"],
        "pen_variants": pen_rows,
        "pen_chosen_on_validation": pen_choice(pen_rows),
    }


def pen_choice(rows: list[dict]) -> str | None:
    """The pen row chosen on validation: the best mean of five, each kind of writing counting the same: EMNIST's
    validation balanced accuracy, the pen validation accuracy on digits, capitals and lowercase letters, and the
    word accuracy on the word-tuning writers' words."""
    if not rows:
        return None
    return max(rows, key=lambda r: validation_mean(r))["name"]


def validation_mean(row: dict) -> float:
    scores = [row["val_emnist_balanced_accuracy"], *(row["val_pen"][k] for k in ("digits", "uppercase", "lowercase"))]
    if row.get("val_words") is not None:
        scores.append(row["val_words"])
    return sum(scores) / len(scores)


#: Words the pen rows are validated on: this many of the word-tuning writers' (train.pen.WORD_TUNE_CONTRIBUTORS),
#: read by each row's network (before calibration, as saved in runs/ablation) with these search weights.
VALIDATION_WORDS = 200
VALIDATION_WEIGHTS = dict(
    per_character=1.0, per_extra_piece=0.5, width=2.0, gap=20.0, apart=4.0, spelling=0.5, outside=-12.0
)


def word_validation(model_file: Path) -> float:
    """Word accuracy (with the English word list) of a saved network on the word-tuning writers' words."""
    import dataclasses

    from harness.data import pen_words
    from model.classifier import Classifier
    from model.words.search import WEIGHTS

    from .words import sample_words
    from .words_tune import evaluate, graphs_of

    words = sample_words(pen_words("tune")[0], VALIDATION_WORDS, seed=9)
    graphs = graphs_of(Classifier.load(model_file), words)
    return evaluate(graphs, dataclasses.replace(WEIGHTS, **VALIDATION_WEIGHTS))["accuracy"]


def pen_report(result: dict) -> str:
    def pct(value):
        return "–" if value is None else f"{100 * value:.1f}%"

    rows = []
    for r in result.get("pen_variants", []):
        val, test = r["val_pen"], r["unipen_test"]
        name = r["name"]
        rows.append(
            [
                f"**{name}**" if name == result.get("pen_chosen_on_validation") else name,
                f"{100 * validation_mean(r):.2f}%",
                f"{100 * r['val_emnist_balanced_accuracy']:.2f}%",
                *(pct(val.get(k)) for k in ("digits", "uppercase", "lowercase")),
                pct(r.get("val_words")),
                f"{100 * r['test_accuracy']:.2f}%",
                f"{r['test_ece']:.4f}",
                *(pct(test[k]) for k in ("digits", "uppercase", "lowercase", "lowercase, letters allowed")),
                pct(r.get("pen_top1_writers_30_59")),
                f"{r['seconds_per_epoch']:.1f}",
            ]
        )
    return (
        "People's letters: every row is light augmentation, 30 epochs, UJI pen digits of writers 0-29 (x10) and UNIPEN "
        "characters of every contributor outside the pen test set, drawn as the pad delivers them. The validation "
        "split is the same for every row: EMNIST's, plus 15% of the pen writers held out whole (every kind of "
        "character). Chosen (bold): the best mean of five validation scores, each kind of writing counting the "
        "same: EMNIST's balanced accuracy, the pen characters' accuracy on digits, capitals and lowercase, and the "
        f"word accuracy on {VALIDATION_WORDS} words of the word-tuning writers (read by each row's saved network, "
        "before calibration, with one set of search weights). The test "
        "columns only report: EMNIST's test split, and the pen test writers (UNIPEN contributors "
        "art, ibm, syn; UJI writers 30-59), 47 classes, no memory.\n\n"
        + table(
            rows,
            [
                "recipe",
                "validation: mean of the five",
                "validation: EMNIST balanced",
                "validation: pen digits",
                "validation: pen capitals",
                "validation: pen lowercase",
                "validation: words of the tuning writers",
                "EMNIST test accuracy",
                "EMNIST test ECE",
                "test: UNIPEN digits",
                "test: UNIPEN capitals",
                "test: UNIPEN lowercase",
                "test: UNIPEN lowercase, letters allowed",
                "test: UJI digits, writers 30-59",
                "s/epoch",
            ],
        )
    )


def report(result: dict) -> str:
    rows = [
        [
            ("**" + r["name"] + "**") if r["name"] == result.get("chosen_on_validation") else r["name"],
            "–" if r["val_balanced_accuracy"] is None else f"{100 * r['val_balanced_accuracy']:.2f}%",
            f"{100 * r['test_accuracy']:.2f}%",
            f"{100 * r['test_balanced_accuracy']:.2f}%",
            f"{r['test_weighted_f1']:.4f}",
            f"{r['test_ece']:.4f}",
            f"{100 * r['pen_top1']:.1f}%" + ("" if r.get("pen_path") == "strokes" else " *"),
            "–" if r.get("pen_top1_writers_30_59") is None else f"{100 * r['pen_top1_writers_30_59']:.1f}%",
            f"{r['seconds_per_epoch']:.1f}",
        ]
        for r in result["variants"]
    ]
    return (
        f"Each row is one recipe of the 64,851-parameter LeNet-5, trained on {result['data']} "
        f"(validation: {result['validation']:,} held-out training images) and calibrated as `python -m train` does. "
        f"Levers are chosen on validation balanced accuracy (bold: the best); the test split only reports. "
        f"Pen: {result['pen']}, brush 18 px, read as the pad's strokes; * as pictures through the preprocessing "
        "of version 2 (measured before the stroke-native pad). Writers 30-59: the pen writers no recipe trains on "
        "(the pen-drawings row trains on writers 0-29's).\n\n"
        + table(
            rows,
            [
                "recipe (30 epochs, batch 128, Adam 2e-3 cosine, unless said)",
                "validation balanced acc.",
                "test accuracy",
                "test balanced acc.",
                "test weighted F1",
                "test ECE",
                "pen digits top-1",
                "pen top-1, writers 30-59",
                "s/epoch",
            ],
        )
        + ("\n\n" + pen_report(result) if result.get("pen_variants") else "")
    )
