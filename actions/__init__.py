"""Custom actions of the Larkspur assistant: thin Rasa glue around the `customer_care` package."""

import os

# `rasa run actions` binds the address in SANIC_HOST, 0.0.0.0 when unset, and reads it after importing this
# package: without a setting of its own it listens on loopback only, as `make run`'s action server does.
os.environ.setdefault("SANIC_HOST", "127.0.0.1")
