"""Plain-Python core of the Larkspur customer-care assistant.

Nothing in this package imports Rasa: the custom actions in `actions/` are thin glue around it, and it can be
tested and reused on its own.
"""
