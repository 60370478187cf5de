"""Plain-Python core of the Larkspur customer-care assistant.

Nothing in this package imports Rasa: the custom actions in `actions/` are thin glue around it, and it can be
tested and reused on its own. What must know Rasa's internals lives in `addons/` (see addons/seams.py); the one
module used from here, addons.broker_events (the event broker's table, for the review inbox), imports no Rasa
either. tests/unit/test_seams.py checks that importing this package's modules loads no Rasa.
"""
