"""The model card this project started from: what it claims, stated once. We never measured these numbers;
everything we publish next to them is measured (see README and the generated model cards)."""

from __future__ import annotations

from model.network.architecture import EXPECTED_PARAMS

#: "~88% validation accuracy" on EMNIST Balanced (approximate, validation split, as the seed card words it).
ACCURACY = 0.88
WEIGHTED_F1 = 0.8751
PARAMETERS = EXPECTED_PARAMS
SPLIT = "EMNIST Balanced validation (claimed)"
