"""The synthetic EMNIST stand-in: seeded, balanced, EMNIST-shaped, and no mislabelled lowercase."""

import numpy as np

from model.labels import LABELS, LOWERCASE_CLASSES
from train import synthetic


def test_seeded_balanced_and_emnist_shaped():
    x1, y1 = synthetic.generate(94, seed=3)
    x2, y2 = synthetic.generate(94, seed=3)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)  # same seed, same bytes
    assert not np.array_equal(synthetic.generate(94, seed=4)[0], x1)
    assert x1.shape == (94, 28, 28) and x1.dtype == np.uint8
    assert np.array_equal(np.bincount(y1, minlength=47), np.full(47, 2))
    # Light strokes on black, as EMNIST: borders dark, peak bright.
    assert x1[:, 0, :].mean() < 10 and x1.max(axis=(1, 2)).min() == 255


def test_lowercase_classes_never_come_from_caps_only_fonts(monkeypatch):
    """Humor Sans draws "a" as a small capital A; using it for class "a" would teach the wrong shape."""
    used = []
    real = synthetic.render_ink

    def spy(char, font, rng):
        used.append((char, font.path))
        return real(char, font, rng)

    monkeypatch.setattr(synthetic, "render_ink", spy)
    synthetic.generate(47 * 6, seed=0)
    caps_only = {str(p) for p in synthetic.find_fonts() if p.stem in synthetic.CAPS_ONLY_FONTS}
    assert caps_only, "expected the caps-only font to be installed (scripts/test.sh installs it)"
    assert not [c for c, path in used if c in LOWERCASE_CLASSES and path in caps_only]
    assert any(path in caps_only for c, path in used)  # it is still used for everything else


def test_merged_classes_draw_both_cases():
    assert synthetic.class_chars(LABELS.index("C")) == "Cc"
    assert synthetic.class_chars(LABELS.index("a")) == "a"
    assert synthetic.class_chars(LABELS.index("A")) == "A"
