"""Rasa add-ons of the assistant: a policy and a tracker store (named in config.yml and endpoints.yml), and the
servers `make run` starts: the NLU worker beside the Rasa server, the action server (action_server.py) and
`rasa run` with its token from the environment (rasa_server.py)."""
