"""Agents' passwords: salted argon2id hashes with the library's costs, refusing wrong passwords and garbage stored
strings, the same hash work for unknown users, and old scrypt or outdated argon2 hashes replaced at login
(issue 14)."""

import pytest

from customer_care.agents import AgentDirectory, hash_password, verify_password
from tests.unit.agent_helpers import CHEAP_HASHER, PASSWORD

# --- passwords -----------------------------------------------------------------------------------------------


def test_hash_password_is_salted_and_differs_every_time() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)

    assert first != second
    assert PASSWORD not in first
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # the cost stored with the hash is the real one
    assert first.split("$")[4] != second.split("$")[4]  # the salts differ
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)


def test_verify_password_accepts_the_right_and_refuses_a_wrong_password() -> None:
    stored = hash_password(PASSWORD)

    assert verify_password(PASSWORD, stored) is True
    assert verify_password(PASSWORD + "!", stored) is False
    assert verify_password(PASSWORD.upper(), stored) is False
    assert verify_password("", stored) is False


def test_verify_password_refuses_a_tampered_digest() -> None:
    stored = hash_password(PASSWORD)
    last = stored[-1]
    tampered = stored[:-1] + ("0" if last != "0" else "1")

    assert verify_password(PASSWORD, tampered) is False


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        PASSWORD,
        "scrypt$",
        "scrypt$16384$8$1$salt",  # a field missing
        "scrypt$16384$8$1$abcd$ef01$extra",  # a field too many
        "bcrypt$16384$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # another scheme
        "scrypt$many$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # n not a number
        "scrypt$16384$8$1$not-hex$" + "00" * 32,  # salt not hex
        "scrypt$16384$8$1$00112233445566778899aabbccddeeff$",  # empty digest
        "scrypt$1000$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # n not a power of two
        "scrypt$1073741824$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # n far over the memory limit
        "$argon2id$",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ",  # no digest
        "$argon2id$v=19$m=65536,t=3,p=4$!!!$!!!",  # not base64
        "$argon2x$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43,  # no such variant
    ],
)
def test_verify_password_refuses_garbage_stored_strings_without_raising(
    stored: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("customer_care.agents.PASSWORD_HASHER", CHEAP_HASHER)  # garbage costs a dummy verification
    assert verify_password(PASSWORD, stored) is False


# --- issue 14: argon2id, equal work for unknown users, rehashing ---------------------------------------------


class HashWork:
    """Counts every password-hash computation (scrypt runs and argon2 hashes and verifications) and the cost
    parameters each one used."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import hashlib

        import argon2

        self.calls: list = []
        real_scrypt = hashlib.scrypt
        real_verify, real_hash = argon2.PasswordHasher.verify, argon2.PasswordHasher.hash

        def scrypt(password, *, salt, n, r, p, maxmem=0, dklen=64):  # type: ignore[no-untyped-def]
            self.calls.append(("scrypt", n, r, p))
            return real_scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

        def verify(hasher, stored, password):  # type: ignore[no-untyped-def]
            parameters = argon2.extract_parameters(stored)
            self.calls.append(
                (
                    "argon2 verify",
                    parameters.type,
                    parameters.time_cost,
                    parameters.memory_cost,
                    parameters.parallelism,
                    parameters.hash_len,
                    parameters.salt_len,
                )
            )
            return real_verify(hasher, stored, password)

        def hash_(hasher, password, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls.append(("argon2 hash",))
            return real_hash(hasher, password, *args, **kwargs)

        monkeypatch.setattr(hashlib, "scrypt", scrypt)
        monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)
        monkeypatch.setattr(argon2.PasswordHasher, "hash", hash_)

    def during(self, action) -> list:  # type: ignore[no-untyped-def]
        self.calls.clear()
        action()
        return list(self.calls)


def test_unknown_user_costs_the_same_hash_work(directory: AgentDirectory, monkeypatch: pytest.MonkeyPatch) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.authenticate("nobody", "warm-up")  # a dummy hash may be made once per process, not per login
    work = HashWork(monkeypatch)

    known = work.during(lambda: directory.authenticate("sam", "wrong password"))
    unknown = work.during(lambda: directory.authenticate("nobody", "wrong password"))
    empty = work.during(lambda: directory.authenticate("", ""))

    assert len(known) == 1, known  # exactly one hash verification each, with the same cost parameters
    assert unknown == known
    assert empty == known


def test_passwords_are_argon2id_with_the_library_defaults() -> None:
    import argon2

    stored = hash_password(PASSWORD)

    parameters = argon2.extract_parameters(stored)
    assert parameters.type is argon2.Type.ID
    defaults = argon2.PasswordHasher()
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
    )
    assert verify_password(PASSWORD, stored) and not verify_password(PASSWORD + "x", stored)


def test_old_scrypt_hashes_verify_once_then_are_replaced_by_argon2(directory: AgentDirectory) -> None:
    import hashlib
    import secrets

    from sqlalchemy import select, update

    from customer_care.agents import agents_table

    directory.add("sam", "Sam", PASSWORD)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"  # what the console stored before issue 14
    with directory.engine.begin() as connection:
        connection.execute(update(agents_table).values(password_hash=old))

    def stored() -> str:
        with directory.engine.connect() as connection:
            return connection.execute(select(agents_table.c.password_hash)).scalar_one()

    assert directory.authenticate("sam", "wrong password") is None
    assert stored() == old  # a failed login changes nothing
    assert directory.authenticate("sam", PASSWORD) is not None
    assert stored().startswith("$argon2id$")
    assert directory.authenticate("sam", PASSWORD) is not None  # the new hash works


def test_a_hash_with_outdated_argon2_parameters_is_rehashed_on_login(
    directory: AgentDirectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argon2
    from sqlalchemy import select

    from customer_care.agents import agents_table

    directory.add("sam", "Sam", PASSWORD)
    with directory.engine.connect() as connection:
        before = connection.execute(select(agents_table.c.password_hash)).scalar_one()
    monkeypatch.setattr(
        "customer_care.agents.PASSWORD_HASHER", argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    )

    assert directory.authenticate("sam", PASSWORD) is not None

    with directory.engine.connect() as connection:
        after = connection.execute(select(agents_table.c.password_hash)).scalar_one()
    assert after != before and argon2.extract_parameters(after).time_cost == 2
