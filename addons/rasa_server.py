"""`rasa run` with its HTTP API token taken from the environment instead of the command line.

    RASA_API_TOKEN=... python -m addons.rasa_server --enable-api --port 5005 ...   # any `rasa run` options

Rasa reads the token only from `--auth-token`, which every user of the machine can read in `ps`. This starts
Rasa's own `rasa run` in this process with the token from RASA_API_TOKEN (or the file RASA_API_TOKEN_FILE names),
so the process list shows the command without it.
"""

import sys
from typing import Optional, Sequence, Text

from addons import seams
from customer_care.identity import MissingSecret, secret_from_environment

TOKEN_VARIABLE = "RASA_API_TOKEN"


def rasa_arguments(arguments: Sequence[Text], token: Optional[Text]) -> list:
    if any(argument == "--auth-token" or argument.startswith("--auth-token=") for argument in arguments):
        raise SystemExit(f"error: pass the token in {TOKEN_VARIABLE}, not on the command line")
    return ["run", *arguments] + ([f"--auth-token={token}"] if token else [])


def main(argv: Optional[Sequence[Text]] = None) -> None:
    try:
        token = secret_from_environment(TOKEN_VARIABLE)
    except MissingSecret as error:
        raise SystemExit(f"error: {error}") from None
    arguments = rasa_arguments(sys.argv[1:] if argv is None else argv, token)
    seams.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
