"""python -m bench NAME [--quick] [--update-readme]: run benchmarks, print tables, write bench/results/NAME.json."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from model.network.files import EMNIST, PEN, VARIANTS

from . import (
    ablation,
    accuracy,
    app_latency,
    common,
    inference,
    latency,
    pen,
    pictures,
    rejection,
    robustness,
    training,
    tta,
    web,
    word_model,
    words,
    words_tune,
    writer,
)

BENCHES = {
    "accuracy": accuracy,
    "pen": pen,
    "pictures": pictures,
    "writer": writer,
    "words": words,
    "word_model": word_model,
    "words_tune": words_tune,
    "rejection": rejection,
    "robustness": robustness,
    "inference": inference,
    "app": app_latency,
    "latency": latency,
    "training": training,
    "tta": tta,
    "web": web,
    "ablation": ablation,
}
#: Run by name, never by "all": an hour or more on 2 cores, or (word_model) a model that is not bundled yet.
LONG = {"ablation", "words_tune", "word_model"}
#: Which of the repo's models each benchmark measures unless --variant says otherwise: the EMNIST model on EMNIST,
#: the pen-tuned one where pen strokes are read (what the Space's pads serve).
MODEL_VARIANT = {
    "accuracy": EMNIST,
    "tta": EMNIST,
    "robustness": EMNIST,
    "inference": EMNIST,
}  # an hour or more on 2 cores: run by name, never by "all"
README = Path(__file__).resolve().parent / "README.md"  # bench/README.md: the results, generated
MARKER = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.S)


def _kwargs(name: str, args) -> dict:
    kwargs = {"quick": args.quick} if name != "accuracy" else {}
    if name in ("accuracy", "inference", "robustness", "pen", "rejection", "words", "words_tune", "writer", "tta"):
        kwargs["model"] = args.model
        kwargs["variant"] = args.variant or MODEL_VARIANT.get(name, PEN)
    if name in ("accuracy", "ablation", "writer", "tta", "words_tune", "pictures"):
        from train.data import DataOptions

        kwargs["data_options"] = DataOptions.from_args(args)
    if name == "accuracy":
        kwargs["count"] = 940 if args.quick else None
    if name == "ablation":
        kwargs["out_dir"] = args.out or common.RESULTS_DIR
    if name == "latency":
        kwargs["baseline_url"] = args.baseline_url
    if name == "word_model":
        kwargs.update(model=args.model, which=args.writers)
    return kwargs


def readme_section(out_dir: Path) -> str:
    parts = [
        "Every number below comes from the JSON files in `bench/results/`; under each heading, the command that "
        "wrote it and the machine it ran on (timings compare only within one machine)."
    ]
    for name, module in BENCHES.items():
        for saved in dict.fromkeys((_saved(name), _saved(name, "tune"))):
            path = out_dir / f"{saved}.json"
            if path.is_file():
                result = json.loads(path.read_text())
                made_by = f"`{result['command']}`" if result.get("command") else "(command not recorded)"
                if m := result.get("machine"):
                    made_by += f", on {m['cores']} CPU cores ({m['cpu'] or 'unknown CPU'}), Python {m['python']}"
                parts.append(f"#### {saved}\n\n{made_by}\n\n" + module.report(result))
    return "\n\n".join(parts) + "\n"


def _saved(name: str, writers: str = "test") -> str:
    """The results file's name: the word model on the tuning writers (its decoder's choices) is kept beside its
    test writers' numbers."""
    return f"{name}_tune" if name == "word_model" and writers == "tune" else name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"which benchmarks to run: {', '.join(BENCHES)} or all (none: --update-readme alone)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny mode: few iterations (CI uses it so the scripts never rot)"
    )
    parser.add_argument(
        "--model", default=None, help="model to measure: path, folder or Hub repo id (default: bundled)"
    )
    parser.add_argument(
        "--variant",
        choices=list(VARIANTS),
        default=None,
        help="which of the repo's models (default: the EMNIST model for accuracy, tta, robustness and inference, "
        "the pen-tuned one for the pen-stroke benchmarks)",
    )
    from train.data import add_arguments

    add_arguments(parser)  # the data options of python -m train, same defaults
    parser.add_argument(
        "--baseline-url",
        default=None,
        help="latency: also measure the app at this URL (e.g. an older commit), side by side",
    )
    parser.add_argument(
        "--writers",
        choices=["test", "tune"],
        default="test",
        help="word_model: the word test writers, or the tuning writers (the word model's validation)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"where the JSON results go (default: {common.RESULTS_DIR}; a --quick run's are kept only with --out)",
    )
    parser.add_argument(
        "--update-readme", action="store_true", help="rewrite bench/README.md's results section from the JSON files"
    )
    args = parser.parse_args(argv)
    if not args.names and not args.update_readme:
        parser.error("name a benchmark (or all), or give --update-readme")
    if unknown := sorted(set(args.names) - {*BENCHES, "all"}):
        parser.error(f"no benchmark named {', '.join(unknown)} (choose from {', '.join(BENCHES)} or all)")
    names = [n for n in BENCHES if n not in LONG] if "all" in args.names else args.names
    given = sys.argv[1:] if argv is None else argv
    command = "python -m bench " + " ".join(a for a in given if a != "--update-readme")  # what measured
    for name in names:
        module = BENCHES[name]
        result = module.run(**_kwargs(name, args))
        saved = _saved(name, args.writers)
        if args.quick and args.out is None:  # a smoke test's numbers never replace the published ones
            print(f"\n### {name}\n\n{module.report(result)}\n\n(a --quick run: not written)")
            continue
        path = common.save(saved, result, args.out or common.RESULTS_DIR, command)
        print(f"\n### {name}\n\n{module.report(result)}\n\n(written to {path})")
    if args.update_readme:
        text = README.read_text()
        if not MARKER.search(text):
            print("bench/README.md has no <!-- bench:start --> ... <!-- bench:end --> section", file=sys.stderr)
            return 1
        section = readme_section(args.out or common.RESULTS_DIR)
        from model.atomic import write_text

        write_text(README, MARKER.sub(lambda m: m.group(1) + section + m.group(2), text))
        print(f"updated {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
