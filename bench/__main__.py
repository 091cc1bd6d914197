"""python -m bench NAME [--quick] [--update-readme]: run benchmarks, print tables, write bench/results/NAME.json."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from . import accuracy, app_latency, common, inference, robustness, training

BENCHES = {"accuracy": accuracy, "inference": inference, "training": training, "app": app_latency, "robustness": robustness}
README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.S)


def _kwargs(name: str, args) -> dict:
    kwargs = {"quick": args.quick} if name != "accuracy" else {}
    if name in ("accuracy", "inference", "robustness"):
        kwargs["model"] = args.model
    if name == "accuracy":
        kwargs.update(data=args.data, data_dir=args.data_dir, dataset_repo=args.dataset_repo, revision=args.revision,
                      count=940 if args.quick else None)
    return kwargs


def readme_section(out_dir: Path, command: str) -> str:
    m = common.machine()
    parts = [f"Produced by `{command}` on {m['cores']} CPU cores ({m['cpu'] or 'unknown CPU'}), Python {m['python']}. "
             "Every number below comes from the JSON files in `bench/results/`."]
    for name, module in BENCHES.items():
        path = out_dir / f"{name}.json"
        if path.is_file():
            parts.append(f"#### {name}\n\n" + module.report(json.loads(path.read_text())))
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="+", choices=[*BENCHES, "all"], help="which benchmarks to run")
    parser.add_argument("--quick", action="store_true", help="tiny mode: few iterations (CI uses it so the scripts never rot)")
    parser.add_argument("--model", default=None, help="model to measure: path, folder or Hub repo id (default: bundled)")
    parser.add_argument("--data", choices=["synthetic", "emnist"], default="synthetic", help="accuracy: test split to use")
    parser.add_argument("--data-dir", default=None, help="accuracy: folder with the official EMNIST files")
    parser.add_argument("--dataset-repo", default=None, help="accuracy: Hub dataset repo with the EMNIST files")
    parser.add_argument("--revision", default=None, help="accuracy: dataset revision")
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR, help="where the JSON results go")
    parser.add_argument("--update-readme", action="store_true", help="rewrite the README's results section from the JSON files")
    args = parser.parse_args(argv)
    names = list(BENCHES) if "all" in args.names else args.names
    for name in names:
        module = BENCHES[name]
        result = module.run(**_kwargs(name, args))
        path = common.save(name, result, args.out)
        print(f"\n### {name}\n\n{module.report(result)}\n\n(written to {path})")
    if args.update_readme:
        text = README.read_text()
        if not MARKER.search(text):
            print("README.md has no <!-- bench:start --> ... <!-- bench:end --> section", file=sys.stderr)
            return 1
        command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
        section = readme_section(args.out, command)
        from train.atomic import write_text

        write_text(README, MARKER.sub(lambda m: m.group(1) + section + m.group(2), text))
        print(f"updated {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
