"""Rasa add-ons of the assistant: a policy and a tracker store (named in config.yml and endpoints.yml), and the
NLU worker that `make run` starts beside the Rasa server."""
