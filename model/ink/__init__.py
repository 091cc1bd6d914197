"""Turning what someone drew into what a network reads: pictures and pen strokes into EMNIST's 28x28 glyph
(preprocess, strokes, stroke width, orientation), the pad's canvas and brush, the pen trajectory the word model
reads, and the rules that say a drawing is no character."""
