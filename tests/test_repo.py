"""The repository's promises: Space metadata in sync with requirements, examples present and labelled."""

import re
from pathlib import Path

from model.labels import LABELS

ROOT = Path(__file__).resolve().parents[1]


def test_space_front_matter():
    """Read by huggingface_hub as the Hub reads it; the SDK version is the one requirements.txt pins."""
    from huggingface_hub import ModelCard, SpaceCard

    front = SpaceCard.load(ROOT / "README.md").data.to_dict()
    pinned = re.search(r"^gradio(\[mcp\])?==([\d.]+)", (ROOT / "requirements.txt").read_text(), re.M).group(2)
    assert front["sdk"] == "gradio" and front["sdk_version"] == pinned
    assert front["app_file"] == "app.py" and (ROOT / front["app_file"]).is_file()
    assert front["python_version"] in ("3.10", "3.12")  # the versions ZeroGPU runs
    for key in ("title", "emoji", "colorFrom", "colorTo", "license", "models", "datasets", "tags", "short_description"):
        assert key in front, key
    assert len(front["short_description"]) <= 60  # the Hub's limit
    card = ModelCard.load(ROOT / "model" / "default" / "README.md")
    assert card.data.eval_results and card.data.library_name


def test_examples_cover_every_group_with_valid_labels():
    groups = {p.name: sorted(p.glob("*.png")) for p in (ROOT / "examples").iterdir() if p.is_dir()}
    assert set(groups) == {"digits", "uppercase", "lowercase", "handdrawn"}
    assert len(groups["digits"]) == 10 and len(groups["uppercase"]) == 26 and len(groups["lowercase"]) == 11
    assert len(groups["handdrawn"]) >= 6
    for files in groups.values():
        for path in files:
            assert path.name.split("_")[0] in LABELS


def test_bundled_examples_are_read_and_never_refused(pen_classifier):
    """The gallery is what visitors click first: chosen with the model that reads pictures (scripts/make_examples.py), so
    every example must still be read right, and none refused as "not a character", whenever the model or the
    preprocessing changes. A character of an inseparable look-alike group (O/0, I/1/L, ...) may be read as its
    twin, with itself as the runner-up: the page then says they are easily confused."""
    from model.labels import ambiguous_with

    files = sorted((ROOT / "examples").rglob("*.png"))
    predictions = {p.name: pen_classifier.predict(p) for p in files}
    assert [name for name, p in predictions.items() if p.refusal] == []
    wrong = [name for name, p in predictions.items() if p.label != name.split("_")[0]]
    excused = [
        name
        for name in wrong
        if predictions[name].label in ambiguous_with(name.split("_")[0])
        and predictions[name].top(2)[1][0] == name.split("_")[0]
    ]
    assert len(excused) <= 2 and set(wrong) == set(excused), (wrong, excused)


def test_the_bundled_card_is_generated_from_both_models_metrics():
    """The card is one page for both bundled models, and no number in it is typed by hand: it is exactly what
    ``python -m train.card model/default`` writes from the two metrics.json files."""
    from model.network.metrics import ModelMetrics
    from train.card import render_repo

    folder = ROOT / "model" / "default"
    card = (folder / "README.md").read_text()
    assert card == render_repo(folder)
    pen = ModelMetrics.load(folder / "pen" / "metrics.json")
    assert "## The pen-tuned variant (`pen/`)" in card and f"**{100 * pen.served_test.accuracy:.2f}%**" in card
