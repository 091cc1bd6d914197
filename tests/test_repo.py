"""The repository's promises: Space metadata in sync with requirements, examples present and labelled."""

import re
from pathlib import Path

import yaml

from model.labels import LABELS

ROOT = Path(__file__).resolve().parents[1]


def test_space_front_matter():
    front = yaml.safe_load((ROOT / "README.md").read_text().split("---")[1])
    pinned = re.search(r"^gradio==([\d.]+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert front["sdk"] == "gradio" and front["sdk_version"] == pinned
    assert front["app_file"] == "app.py" and (ROOT / front["app_file"]).is_file()
    for key in ("title", "emoji", "colorFrom", "colorTo", "license", "models", "datasets", "tags", "short_description"):
        assert key in front, key
    assert len(front["short_description"]) <= 60  # the Hub's limit


def test_examples_cover_every_group_with_valid_labels():
    groups = {p.name: sorted(p.glob("*.png")) for p in (ROOT / "examples").iterdir() if p.is_dir()}
    assert set(groups) == {"digits", "uppercase", "lowercase", "handdrawn"}
    assert len(groups["digits"]) == 10 and len(groups["uppercase"]) == 26 and len(groups["lowercase"]) == 11
    for files in groups.values():
        for path in files:
            assert path.name.split("_")[0] in LABELS


def test_bundled_examples_are_read_correctly(default_classifier):
    """The gallery is what visitors click first; the bundled model should get nearly all of it right."""
    files = sorted((ROOT / "examples").rglob("*.png"))
    right = [default_classifier.predict(p).label == p.name.split("_")[0] for p in files]
    assert sum(right) >= 0.9 * len(files), [p.name for p, ok in zip(files, right) if not ok]
