"""What the tests and the benchmarks both need, owned by neither: real pen trajectories placed on the pad, drawn as
pictures or sent as strokes; drawings of what is not a character; the app started as a real server; a browser
that draws on it. Nothing in ``model/``, ``train/`` or ``space/`` imports this package.
"""
