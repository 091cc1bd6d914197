"""Calibration and class-imbalance handling on generated data where the right answer is known."""

import numpy as np
import pytest
from scipy.special import softmax

from train import calibrate
from train.evaluate import balanced_accuracy, balancing_weights, expected_calibration_error

rng = np.random.default_rng(0)
CLASSES = 47


def sampled(logits: np.ndarray) -> np.ndarray:
    """Labels drawn from softmax(logits): then softmax(logits) is calibrated by construction."""
    p = softmax(logits, axis=1)
    return np.array([rng.choice(CLASSES, p=row) for row in p])


def test_temperature_scaling_recovers_the_true_temperature():
    clean = rng.normal(0, 2.5, (6000, CLASSES))
    y = sampled(clean)
    for sharpness in (0.5, 2.0):  # the model's logits are too flat, or too sharp, by this factor
        assert calibrate.fit_temperature(sharpness * clean, y) == pytest.approx(sharpness, rel=0.08)


def test_ece_tells_calibrated_from_overconfident():
    clean = rng.normal(0, 2.5, (6000, CLASSES))
    y = sampled(clean)
    calibrated, overconfident = softmax(clean, axis=1), softmax(3 * clean, axis=1)
    assert expected_calibration_error(y, calibrated) < 0.03 < expected_calibration_error(y, overconfident)


def test_prior_correction_undoes_an_unbalanced_training_mix():
    """A model that learned an unbalanced prior favours frequent classes; subtracting the log prior restores the
    balanced posterior, and the validation search finds the right strength (1.0)."""
    counts = np.geomspace(50, 5000, CLASSES)  # a 100:1 imbalance
    balanced_logits = rng.normal(0, 1.5, (8000, CLASSES))
    y = sampled(balanced_logits)  # a balanced-ish world, labels from the balanced posterior
    learned = balanced_logits + calibrate.log_prior(counts)  # what training on the unbalanced mix teaches
    before = balanced_accuracy(y, softmax(learned, axis=1))
    tau = calibrate.choose_tau(learned, y, calibrate.log_prior(counts))
    after = balanced_accuracy(y, calibrate.adjust(learned, calibrate.log_prior(counts), tau))
    assert tau == pytest.approx(1.0, abs=0.2) and after > before + 0.05


def test_plan_weights_validation_to_balance_when_correcting():
    y = np.repeat(np.arange(CLASSES), np.arange(1, CLASSES + 1))
    weights = balancing_weights(y)
    totals = np.bincount(y, weights=weights)
    assert (
        np.allclose(totals, totals[0]) and np.bincount(y).std() > 0
    )  # every class the same total, from unequal counts
    probabilities = softmax(rng.normal(0, 2, (len(y), CLASSES)), axis=1)
    counts = np.bincount(y, minlength=CLASSES)
    weighted = calibrate.plan(probabilities, y, counts, correct_prior=True).record
    plain = calibrate.plan(probabilities, y, counts, correct_prior=False).record
    assert weighted.validation_ece_before == pytest.approx(
        expected_calibration_error(y, probabilities, weights=weights), abs=1e-5
    )
    assert plain.validation_ece_before == pytest.approx(expected_calibration_error(y, probabilities), abs=1e-5)
    assert weighted.validation_ece_before != pytest.approx(plain.validation_ece_before, abs=1e-4)


def test_folding_into_the_last_layer_is_exact():
    """The folded model computes exactly adjust(): no extra parameters, the same numbers in every format."""
    from model.network.architecture import build_lenet5

    model = build_lenet5()
    x = rng.random((16, 28, 28, 1)).astype(np.float32)
    raw = np.asarray(model(x, training=False))
    counts = np.arange(1, CLASSES + 1) * 10
    calibrate.fold(model, counts, tau=0.8, temperature=1.7)
    expected = calibrate.adjust(calibrate.logits_of(raw), calibrate.log_prior(counts), 0.8, 1.7)
    assert np.allclose(np.asarray(model(x, training=False)), expected, atol=1e-5)
    assert model.count_params() == 64_851
