"""Shared by the agent directory's tests (test_agent_passwords, test_agent_accounts, test_agent_presence) and the
conftest's `directory`: a password long enough, and argon2 made cheap where its cost is not what is tested."""

from argon2 import PasswordHasher

PASSWORD = "correct horse battery"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
