"""Rasa add-ons of the assistant (a policy, a tracker store), named in config.yml and endpoints.yml."""
