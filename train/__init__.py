"""Training pipeline: EMNIST Balanced (Hub, folder, image dataset or synthetic) -> evaluated model + card."""
