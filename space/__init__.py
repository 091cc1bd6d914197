"""The Gradio Space: which model it serves, the words on its page, and the page itself (``app.py`` runs it)."""
