"""The networks and their files: the LeNet-5's architecture, its runtimes (LiteRT, Keras), test-time views,
metrics schema, file names, loading from a folder or the Hub, and the word model's LiteRT runtime."""
